//! Workload projections: the catalog's parts turned into the throughput model's inputs, and for
//! each workload of the factory its memory fit and its best serving configuration.

use super::throughput::disaggregated::{self, Disaggregated, Mode};
use super::throughput::frontier::{self as frontier_search, Inputs};
use super::throughput::{
    self, Attention, Band, Checkpoint, Efficiency, Estimate, Experts, GpuSpec, Infeasible, MemoryFit, ModelSpec,
    Request, SlidingWindow, Slo, SystemSpec,
};
use crate::ast::{Precision, ServingMode};
use crate::catalog::{self, Architecture, NicRole};
use crate::model::{Factory, Workload};

fn arch(a: Architecture) -> throughput::Architecture {
    match a {
        Architecture::Ampere => throughput::Architecture::Ampere,
        Architecture::Hopper => throughput::Architecture::Hopper,
        Architecture::Blackwell => throughput::Architecture::Blackwell,
        Architecture::BlackwellUltra => throughput::Architecture::BlackwellUltra,
        Architecture::Rubin => throughput::Architecture::Rubin,
        Architecture::Cdna3 => throughput::Architecture::Cdna3,
        Architecture::Cdna4 => throughput::Architecture::Cdna4,
    }
}

pub fn precision(p: Precision) -> throughput::Precision {
    match p {
        Precision::Bf16 => throughput::Precision::Bf16,
        Precision::Fp8 => throughput::Precision::Fp8,
        Precision::Fp4 => throughput::Precision::Fp4,
    }
}

/// A catalog GPU as the throughput model sees it.
pub fn gpu_spec(g: &catalog::Gpu) -> GpuSpec {
    let flops = |p| g.compute.get(&p).map(|f| f.0);
    GpuSpec {
        architecture: arch(g.architecture),
        memory_bytes: g.memory.0,
        memory_bandwidth_bytes_per_s: g.memory_bandwidth.0,
        bf16_flops: flops(Precision::Bf16).unwrap_or(0.0),
        fp8_flops: flops(Precision::Fp8),
        fp4_flops: flops(Precision::Fp4),
        scale_up_bandwidth_bytes_per_s: g.scale_up_bandwidth.0,
    }
}

fn u32_of(x: u64) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

/// A catalog system (with its GPU) as the throughput model sees it. Scale-out bandwidth per GPU is
/// the system's compute NIC ports × speed over its GPUs.
pub fn system_spec(s: &catalog::System, g: &catalog::Gpu) -> SystemSpec {
    let scale_out =
        s.nic(NicRole::Compute).map(|n| n.speed.0 * n.count as f64 / s.gpu_count.max(1) as f64).unwrap_or(0.0);
    SystemSpec {
        id: s.id.clone(),
        gpu: gpu_spec(g),
        gpus_per_system: u32_of(s.gpu_count),
        nvlink_domain: u32_of(s.nvlink_domain),
        host_gpus: u32_of(s.host_gpus),
        scale_out_bits_per_s_per_gpu: scale_out,
    }
}

/// A catalog model as the throughput model sees it.
pub fn model_spec(m: &catalog::Model) -> ModelSpec {
    let attention = match m.attention {
        catalog::Attention::Mla { heads, kv_lora_rank, rope_head_dim, head_dim, v_head_dim } => Attention::Mla {
            heads: u32_of(heads),
            kv_lora_rank: u32_of(kv_lora_rank),
            rope_head_dim: u32_of(rope_head_dim),
            nope_head_dim: u32_of(head_dim),
            v_head_dim: u32_of(v_head_dim.unwrap_or(head_dim)),
        },
        catalog::Attention::Gqa { heads, kv_heads, head_dim } => Attention::Gqa {
            heads: u32_of(heads),
            kv_heads: u32_of(kv_heads.unwrap_or(heads)),
            head_dim: head_dim
                .map(u32_of)
                .unwrap_or_else(|| u32_of(m.hidden_size).checked_div(u32_of(heads)).unwrap_or(128)),
        },
    };
    let experts = m.experts.map(|e| Experts {
        total: u32_of(e.total),
        active: u32_of(e.active),
        shared: u32_of(e.shared),
        layers: u32_of(e.layers),
        intermediate_size: u32_of(e.intermediate_size),
    });
    let sliding_window = m.sliding_window.map(|w| SlidingWindow { tokens: u32_of(w.tokens), layers: u32_of(w.layers) });
    ModelSpec {
        id: m.id.clone(),
        parameters: m.parameters,
        active_parameters: m.active_parameters,
        layers: u32_of(m.layers),
        hidden_size: u32_of(m.hidden_size),
        vocab_size: u32_of(m.vocab_size),
        attention,
        experts,
        sliding_window,
        mtp_layers: u32_of(m.mtp_layers),
        mtp_acceptance: m.mtp_acceptance,
        weights: precision(m.weights),
        checkpoints: m.checkpoints.iter().map(|(p, b)| Checkpoint { precision: precision(*p), bytes: b.0 }).collect(),
    }
}

/// What the model projects for one workload.
#[derive(Clone, Debug)]
pub struct WorkloadPlan {
    pub name: String,
    pub system: String,
    pub model: String,
    pub precision: Precision,
    pub gpus: u64,
    pub memory: MemoryFit,
    pub estimate: Result<Estimate, Infeasible>,
    /// The same workload without its SLO: the best it could do offline.
    pub offline: Option<Estimate>,
    /// When one replica does not fit: the fewest GPUs of this system that would hold one.
    pub gpus_to_fit: Option<u32>,
    /// The p10–p90 band of the estimate, and whether it extrapolates.
    pub band: Band,
    /// The serving mode of `estimate`: the one written, or the better of the two under the SLO.
    pub mode: Mode,
    /// Whether the blueprint wrote the mode.
    pub mode_pinned: bool,
    /// The pools, ratio and KV transfer when `mode` is disaggregated and feasible.
    pub disaggregated: Option<Disaggregated>,
    /// Why a written `serving mode="disaggregated"` cannot work, when it cannot for a reason other
    /// than the SLO (an SLO miss is `estimate`'s error, like the aggregated one's).
    pub disaggregated_error: Option<disaggregated::Infeasible>,
    /// Output tokens/s of the mode not chosen, when the search tried it and it was feasible.
    pub other_mode: Option<(Mode, f64)>,
    /// The frontier's height (tokens/s per GPU, any mode, TTFT unbounded) at the operating
    /// point's interactivity: how much the TTFT limit and the mode cost.
    pub frontier_at_operating_point: Option<f64>,
    /// Facility watts per GPU the frontier's per-MW figures use.
    pub watts_per_gpu: f64,
}

impl WorkloadPlan {
    /// GPUs of one replica, from the chosen configuration or else the smallest that fits.
    pub fn replica_gpus(&self) -> u32 {
        match &self.estimate {
            Ok(e) => e.parallelism.tensor.saturating_mul(e.parallelism.pipeline).saturating_mul(e.parallelism.expert),
            Err(_) => self.memory.gpus_per_replica,
        }
    }
}

/// The request of a workload: mean lengths, natural (variable) output lengths, its SLO.
pub fn request(w: &Workload) -> Request {
    let slo = match (&w.ttft, &w.tpot) {
        (None, None) => None,
        (ttft, tpot) => Some(Slo {
            ttft_s: ttft.as_ref().map(|t| t.value.0).unwrap_or(f64::INFINITY),
            tpot_s: tpot.as_ref().map(|t| t.value.0).unwrap_or(f64::INFINITY),
        }),
    };
    // Production traffic has variable output lengths: the coefficient of variation the
    // calibration used for natural-text benchmarks.
    Request {
        input_tokens: w.input_tokens.value as f64,
        output_tokens: w.output_tokens.value as f64,
        output_length_cv: 1.0,
        slo,
    }
}

/// Whether every site holding `system` has a compute fabric.
pub fn has_compute_fabric(factory: &Factory, system: &catalog::System) -> bool {
    factory.sites.iter().enumerate().filter(|(_, s)| s.gpu_systems().any(|(x, _)| x.id == system.id)).all(|(i, _)| {
        factory.fabrics.iter().any(|f| f.role == crate::ast::FabricRole::Compute && f.site.is_none_or(|s| s == i))
    })
}

/// NVLink domains the quote's frontier charts are computed on at most: per-GPU rates stop
/// depending on the deployment's size once a few domains are filled (DeepSeek-R1 on GB200 NVL72:
/// 7,096 tokens/s per GPU offline on 5,760 GPUs, 7,111 on 500,400), and the sweep's cost grows
/// with the splits a size allows.
pub const FRONTIER_DOMAINS: u32 = 64;

/// The throughput–interactivity frontier of workload `index` (both serving modes, TTFT
/// unbounded) on its system, for the quote's chart: at most [`FRONTIER_DOMAINS`] NVLink domains
/// of its GPUs, and the facility watts per GPU of `plan`. Empty when the workload has no system.
pub fn frontier(factory: &Factory, index: usize, plan: &WorkloadPlan) -> Vec<frontier_search::Point> {
    let Some(w) = factory.workloads.get(index) else { return Vec::new() };
    let (Some(system), Some(gpu)) = (w.system, w.gpu) else { return Vec::new() };
    let mut sys = system_spec(system, gpu);
    if !has_compute_fabric(factory, system) {
        sys.scale_out_bits_per_s_per_gpu = 1.0;
    }
    let model = model_spec(w.model);
    let req = request(w);
    let gpus = u32_of(w.gpus.value).min(sys.nvlink_domain.max(1).saturating_mul(FRONTIER_DOMAINS));
    let inputs = Inputs {
        system: &sys,
        model: &model,
        precision: precision(w.precision.value),
        request: &req,
        gpus,
        watts_per_gpu: plan.watts_per_gpu,
    };
    frontier_search::frontier(&inputs, &[Mode::Aggregated, Mode::Disaggregated], &Efficiency::fitted())
}

pub fn plan(factory: &Factory) -> Vec<WorkloadPlan> {
    let eff = Efficiency::fitted();
    factory
        .workloads
        .iter()
        .filter_map(|w| {
            let (system, gpu) = (w.system?, w.gpu?);
            let mut sys = system_spec(system, gpu);
            if !has_compute_fabric(factory, system) {
                // Without a compute fabric, systems cannot share a replica: leave the planner
                // only a token link between them, so it keeps every replica inside one system.
                sys.scale_out_bits_per_s_per_gpu = 1.0;
            }
            let model = model_spec(w.model);
            let req = request(w);
            let gpus = u32_of(w.gpus.value);
            let p = precision(w.precision.value);
            let memory = throughput::memory_fit(&sys, &model, p, &req, gpus);
            // Layouts come in steps (tensor groups within a domain, pipeline stages across
            // hosts), so the smallest count that fits is found by trying, not by dividing bytes.
            let gpus_to_fit = if memory.fits {
                None
            } else {
                let limit = gpus.saturating_mul(8).max(4096);
                (gpus.saturating_add(1)..=limit).find(|g| throughput::memory_fit(&sys, &model, p, &req, *g).fits)
            };
            let pinned = w.serving_mode.as_ref().map(|m| match m.value {
                ServingMode::Aggregated => Mode::Aggregated,
                ServingMode::Disaggregated => Mode::Disaggregated,
            });
            // Only a serving layer that deploys separate prefill and decode workers (Dynamo) can
            // run the pools, in every site that holds the workload's system.
            let deploys_pools = factory.sites.iter().filter(|s| s.holds(system)).all(|s| {
                s.software
                    .serving
                    .first()
                    .and_then(|x| x.version.product)
                    .is_some_and(|x| x.deployment.disaggregated_serving)
            });
            let served = match (deploys_pools, pinned) {
                (true, _) => serve(&sys, &model, p, &req, gpus, &eff, pinned),
                (false, None | Some(Mode::Aggregated)) => {
                    serve(&sys, &model, p, &req, gpus, &eff, Some(Mode::Aggregated))
                }
                (false, Some(Mode::Disaggregated)) => {
                    let fit = throughput::memory_fit(&sys, &model, p, &req, gpus);
                    Served {
                        estimate: Err(Infeasible {
                            limit: throughput::Limit::Memory,
                            best: fit.available_bytes,
                            target: fit.needed_bytes,
                        }),
                        mode: Mode::Disaggregated,
                        disaggregated: None,
                        disaggregated_error: Some(disaggregated::Infeasible::Engine),
                        other_mode: None,
                    }
                }
            };
            let estimate = served.estimate;
            let offline = if req.slo.is_some() {
                throughput::estimate(&sys, &model, p, &Request { slo: None, ..req.clone() }, gpus, &eff).ok()
            } else {
                None
            };
            // Facility watts per GPU at the site's design-day PUE (the first site with the system).
            let pue = factory
                .sites
                .iter()
                .find(|s| s.gpu_systems().any(|(x, _)| x.id == system.id))
                .map(|s| s.power.peak_pue)
                .unwrap_or(1.0);
            let watts_per_gpu = system.power_nominal.0 / system.gpu_count.max(1) as f64 * pue;
            let inputs = Inputs { system: &sys, model: &model, precision: p, request: &req, gpus, watts_per_gpu };
            let modes = [Mode::Aggregated, Mode::Disaggregated];
            let frontier_at_operating_point = estimate
                .as_ref()
                .ok()
                .and_then(|e| frontier_search::at_interactivity(&inputs, &modes, e.tpot_ms, &eff));
            Some(WorkloadPlan {
                name: w.name.value.clone(),
                system: system.id.clone(),
                model: w.model.id.clone(),
                precision: w.precision.value,
                gpus: w.gpus.value,
                memory,
                estimate,
                offline,
                gpus_to_fit,
                band: throughput::band(&gpu.id, &model),
                mode: served.mode,
                mode_pinned: pinned.is_some(),
                disaggregated: served.disaggregated,
                disaggregated_error: served.disaggregated_error,
                other_mode: served.other_mode,
                frontier_at_operating_point,
                watts_per_gpu,
            })
        })
        .collect()
}

/// What [`serve`] chose (the fields of [`WorkloadPlan`] of the same names).
pub struct Served {
    pub estimate: Result<Estimate, Infeasible>,
    pub mode: Mode,
    pub disaggregated: Option<Disaggregated>,
    pub disaggregated_error: Option<disaggregated::Infeasible>,
    pub other_mode: Option<(Mode, f64)>,
}

/// The best configuration in the `pinned` mode, or in the better of both modes: the one with the
/// most output tokens/s under the SLO (aggregated on a tie, the simpler deployment).
pub fn serve(
    sys: &SystemSpec,
    model: &ModelSpec,
    p: throughput::Precision,
    req: &Request,
    gpus: u32,
    eff: &Efficiency,
    pinned: Option<Mode>,
) -> Served {
    let aggregated = (pinned != Some(Mode::Disaggregated)).then(|| throughput::estimate(sys, model, p, req, gpus, eff));
    let split = (pinned != Some(Mode::Aggregated)).then(|| {
        let mut split = disaggregated::estimate(sys, model, p, req, gpus, eff);
        // A latency-bound result never exceeds the offline maximum of the same pools: the
        // disaggregated search is held to it as the aggregated one is.
        if let (Some(_), Ok(d)) = (req.slo, split.as_mut()) {
            let offline = Request { slo: None, ..req.clone() };
            if let Ok(o) = disaggregated::estimate(sys, model, p, &offline, gpus, eff) {
                let cap = o.estimate.tokens_per_second;
                if d.estimate.tokens_per_second > cap {
                    d.estimate.tokens_per_second = cap;
                    d.estimate.tokens_per_second_per_gpu = cap / f64::from(gpus.max(1));
                }
            }
        }
        split
    });
    let tps = |r: &Result<Estimate, Infeasible>| r.as_ref().map(|e| e.tokens_per_second).unwrap_or(0.0);
    match (aggregated, split) {
        (Some(a), Some(Ok(d))) if d.estimate.tokens_per_second > tps(&a) => Served {
            other_mode: a.as_ref().ok().map(|e| (Mode::Aggregated, e.tokens_per_second)),
            estimate: Ok(d.estimate.clone()),
            mode: Mode::Disaggregated,
            disaggregated: Some(d),
            disaggregated_error: None,
        },
        (Some(a), d) => Served {
            other_mode: d.and_then(|d| d.ok()).map(|d| (Mode::Disaggregated, d.estimate.tokens_per_second)),
            estimate: a,
            mode: Mode::Aggregated,
            disaggregated: None,
            disaggregated_error: None,
        },
        (None, Some(Ok(d))) => Served {
            estimate: Ok(d.estimate.clone()),
            mode: Mode::Disaggregated,
            disaggregated: Some(d),
            disaggregated_error: None,
            other_mode: None,
        },
        (None, Some(Err(e))) => {
            let (estimate, structural) = match e {
                disaggregated::Infeasible::Ttft { best, target } => {
                    (Infeasible { limit: throughput::Limit::Ttft, best, target }, None)
                }
                disaggregated::Infeasible::Tpot { best, target } => {
                    (Infeasible { limit: throughput::Limit::Tpot, best, target }, None)
                }
                disaggregated::Infeasible::TooFewGpus { .. }
                | disaggregated::Infeasible::Engine
                | disaggregated::Infeasible::PoolMemory { .. }
                | disaggregated::Infeasible::KvLink { .. } => {
                    let fit = throughput::memory_fit(sys, model, p, req, gpus);
                    (
                        Infeasible {
                            limit: throughput::Limit::Memory,
                            best: fit.available_bytes,
                            target: fit.needed_bytes,
                        },
                        Some(e),
                    )
                }
            };
            Served {
                estimate: Err(estimate),
                mode: Mode::Disaggregated,
                disaggregated: None,
                disaggregated_error: structural,
                other_mode: None,
            }
        }
        (None, None) => Served {
            estimate: throughput::estimate(sys, model, p, req, gpus, eff),
            mode: Mode::Aggregated,
            disaggregated: None,
            disaggregated_error: None,
            other_mode: None,
        },
    }
}
