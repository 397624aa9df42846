//! Token throughput and memory model: the best serving configuration of a model on a system.
//!
//! One model covers both questions the compiler asks. [`memory_fit`] checks that a replica (the
//! checkpoint's weights, the KV cache of one request, a runtime reserve) fits the GPUs;
//! [`estimate`] searches tensor, pipeline, expert and data parallelism and the batch for the most
//! output tokens/s, within a latency SLO when one is given. Pure arithmetic, no I/O, deterministic.
//! The equations and their calibration are in `docs/throughput-model.md`.

pub mod disaggregated;
mod efficiency;
pub mod fit;
pub mod frontier;
mod fitted;
mod search;
mod spec;
mod step_time;

pub use efficiency::{Efficiency, PARAMETERS};
pub use fit::{BandFactors, Bands};
pub use spec::{
    Architecture, Attention, Checkpoint, Experts, GpuSpec, ModelSpec, Precision, Request, SlidingWindow, Slo,
    SystemSpec, Vendor,
};
pub use step_time::{weight_bytes, WeightBytes, RUNTIME_RESERVE};

/// Parallelism of a deployment: `tensor × pipeline × expert` GPUs per replica, `data` replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Parallelism {
    pub tensor: u32,
    pub pipeline: u32,
    pub expert: u32,
    pub data: u32,
}

/// What limits throughput at the chosen operating point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bound {
    MemoryBandwidth,
    Compute,
    Communication,
    Latency,
}

impl Bound {
    pub fn name(self) -> &'static str {
        match self {
            Bound::MemoryBandwidth => "memory-bandwidth",
            Bound::Compute => "compute",
            Bound::Communication => "communication",
            Bound::Latency => "latency",
        }
    }
}

/// What stops the operating point from going further: the limit that binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Binding {
    /// The hardware's throughput: the offline maximum (or the engine's batch limit) is reached.
    Compute,
    /// The KV cache: no more sequences (at the p99 in-flight count, under a latency limit) fit.
    Memory,
    /// The p99 time per output token.
    Tpot,
    /// The p99 time to first token.
    Ttft,
}

impl Binding {
    pub fn name(self) -> &'static str {
        match self {
            Binding::Compute => "compute",
            Binding::Memory => "memory",
            Binding::Tpot => "p99 TPOT",
            Binding::Ttft => "p99 TTFT",
        }
    }
}

/// The projected serving performance.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub system: String,
    pub model: String,
    pub precision: Precision,
    pub gpus: u32,
    /// Output tokens/s of all `gpus`.
    pub tokens_per_second: f64,
    pub tokens_per_second_per_gpu: f64,
    pub replicas: u32,
    pub parallelism: Parallelism,
    /// Concurrent sequences per replica.
    pub batch: f64,
    /// Mean time to first token at this load, ms.
    pub ttft_ms: f64,
    /// Mean time per output token at this load, ms.
    pub tpot_ms: f64,
    pub bound: Bound,
    /// Whether multi-token-prediction speculative decoding is used.
    pub speculative: bool,
    /// The limit that binds: under a latency limit, the one the next larger batch would break.
    pub binding: Binding,
}

/// How far the fit's calibration reaches for a projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coverage {
    /// Both the model and the GPU have calibration rows.
    Calibrated,
    /// The model has no calibration rows: the estimate extrapolates to it.
    NewModel,
    /// The GPU has no calibration rows: the estimate extrapolates to it.
    NewGpu,
    /// Neither has calibration rows.
    NewModelAndGpu,
}

impl Coverage {
    pub fn name(self) -> &'static str {
        match self {
            Coverage::Calibrated => "calibrated",
            Coverage::NewModel => "extrapolated: no calibration rows for this model",
            Coverage::NewGpu => "extrapolated: no calibration rows for this GPU",
            Coverage::NewModelAndGpu => "extrapolated: no calibration rows for this model or GPU",
        }
    }
}

/// The p10–p90 band of a projection, from the model's own held-out errors (see
/// `docs/throughput-model.md`, "Error bands").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// The p10 end as a factor on the estimate (at most 1).
    pub low: f64,
    /// The p90 end as a factor on the estimate (at least 1).
    pub high: f64,
    pub coverage: Coverage,
}

impl Band {
    /// The band's ends for an estimate of `value`.
    pub fn ends(&self, value: f64) -> (f64, f64) {
        (value * self.low, value * self.high)
    }
}

/// The stored bands and the models and GPUs the fit saw.
pub fn band_table() -> Bands {
    fitted::BANDS
}

/// The shape the bands compare models by: layers, hidden size and routed experts.
pub fn model_shape(model: &ModelSpec) -> (u32, u32, u32) {
    (model.layers, model.hidden_size, model.experts.as_ref().map_or(0, |e| e.total))
}

/// The band for a projection of `model` on catalog GPU `gpu`. Where the fit saw neither, the
/// two extrapolation errors add in quadrature (in log space).
pub fn band(gpu: &str, model: &ModelSpec) -> Band {
    let b = fitted::BANDS;
    let known_model = b.models.contains(&model.id.as_str()) || b.model_shapes.contains(&model_shape(model));
    let known_gpu = b.gpus.contains(&gpu);
    let (f, coverage) = match (known_model, known_gpu) {
        (true, true) => (b.calibrated, Coverage::Calibrated),
        (false, true) => (b.new_model, Coverage::NewModel),
        (true, false) => (b.new_gpu, Coverage::NewGpu),
        (false, false) => {
            let add = |x: f64, y: f64| -> f64 { -(x.ln().powi(2) + y.ln().powi(2)).sqrt() };
            let low = add(b.new_model.low, b.new_gpu.low).exp();
            let high = (-add(b.new_model.high, b.new_gpu.high)).exp();
            (fit::BandFactors { low, high }, Coverage::NewModelAndGpu)
        }
    };
    Band { low: f.low, high: f.high, coverage }
}

/// The limit that cannot be met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// p99 time to first token.
    Ttft,
    /// p99 time per output token.
    Tpot,
    /// One replica does not fit the GPUs' memory.
    Memory,
}

/// No configuration meets the request. For `Ttft`/`Tpot`, `best` is the lowest p99 latency any
/// configuration reaches and `target` the limit, in seconds; for `Memory`, `best` is the memory of
/// the GPUs and `target` what one replica needs, in bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Infeasible {
    pub limit: Limit,
    pub best: f64,
    pub target: f64,
}

impl std::fmt::Display for Infeasible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.limit {
            Limit::Ttft => write!(
                f,
                "p99 time to first token cannot go below {:.0} ms; the limit is {:.0} ms",
                self.best * 1e3,
                self.target * 1e3
            ),
            Limit::Tpot => write!(
                f,
                "p99 time per output token cannot go below {:.1} ms; the limit is {:.1} ms",
                self.best * 1e3,
                self.target * 1e3
            ),
            Limit::Memory => {
                write!(f, "one replica needs {:.0} GB but the GPUs have {:.0} GB", self.target / 1e9, self.best / 1e9)
            }
        }
    }
}

/// Whether one replica fits, and what it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryFit {
    pub fits: bool,
    /// GPUs of the smallest replica that holds the weights and one request (0 if none does).
    pub gpus_per_replica: u32,
    /// That replica's split, and how many of it the GPUs hold.
    pub parallelism: Option<Parallelism>,
    /// Checkpoint weights of one replica.
    pub weight_bytes: f64,
    /// Of which attention, dense and shared layers and embeddings.
    pub dense_weight_bytes: f64,
    /// Of which routed experts.
    pub routed_weight_bytes: f64,
    /// KV cache of one request at its full length.
    pub kv_bytes_per_request: f64,
    /// Runtime reserve of the replica's GPUs.
    pub reserve_bytes: f64,
    /// Weights + one request's KV cache + reserve.
    pub needed_bytes: f64,
    /// Memory of all the GPUs given.
    pub available_bytes: f64,
}

/// The smallest replica of `model` at `precision` that `gpus` GPUs of `system` can hold, using
/// tensor/expert parallelism inside an NVLink domain and pipeline (or wide expert) parallelism
/// across domains.
pub fn memory_fit(
    system: &SystemSpec,
    model: &ModelSpec,
    precision: Precision,
    request: &Request,
    gpus: u32,
) -> MemoryFit {
    search::memory_fit(system, model, precision, request, gpus)
}

/// The best serving configuration of `model` on `gpus` GPUs of `system`: the most output tokens/s
/// offline, or the most that meets `request.slo`. `Err` names the limit that cannot be met.
pub fn estimate(
    system: &SystemSpec,
    model: &ModelSpec,
    precision: Precision,
    request: &Request,
    gpus: u32,
    efficiency: &Efficiency,
) -> Result<Estimate, Infeasible> {
    search::estimate(system, model, precision, request, gpus, efficiency)
}

#[cfg(test)]
mod tests;
