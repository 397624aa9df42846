//! The fitted efficiency factors: what fraction of its peaks real serving software reaches.
//!
//! A handful of physically meaningful numbers, fitted once on the calibration set (see `fit`) and
//! stored in `fitted.rs`. Nothing here is per model or per GPU: compute and bandwidth fractions are
//! per vendor (the kernel and serving stack), the rest are properties of the serving method.

use super::spec::Vendor;

/// Efficiency factors of the throughput model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Efficiency {
    /// Fraction of the dense FP8/BF16 tensor peak reached by serving GEMMs, NVIDIA stack.
    pub compute_nvidia: f64,
    /// The same on the AMD stack.
    pub compute_amd: f64,
    /// Reached fraction of the native FP4 peak relative to the FP8/BF16 fraction: FP4 GEMMs add
    /// scale handling and are shorter, so they sit further below their peak.
    pub fp4_compute: f64,
    /// Fraction of HBM bandwidth reached by decode (weight and KV-cache reads), NVIDIA stack.
    pub bandwidth_nvidia: f64,
    /// The same on the AMD stack.
    pub bandwidth_amd: f64,
    /// Fixed time per layer per decode step: kernel launches, synchronisation, small kernels
    /// (norms, rotary, routing) that no roofline sees. Seconds.
    pub layer_latency_s: f64,
    /// Growth of the expert-parallel load imbalance with EP width: the busiest rank carries
    /// `1 + moe_imbalance · ln(ep)` times the mean expert work (routing is skewed, and the skew
    /// concentrates on fewer experts per rank as EP widens).
    pub moe_imbalance: f64,
    /// Speed of routed-expert grouped GEMMs relative to dense GEMMs of the same FLOPs (many small,
    /// ragged matrices, plus routing, permutation and the all-to-all's kernels).
    pub expert_gemm: f64,
    /// Ratio of the 99th-percentile latency to its mean under Poisson arrivals, applied to TTFT and
    /// TPOT when a latency limit is given; it also captures steps that carry a prefill chunk.
    pub latency_tail: f64,
    /// Speed of decode attention relative to the GEMMs' fraction of peak: decode attention
    /// multiplies each query against its own sequence's cache (small, ragged products, plus
    /// softmax and paging), so it sits further below the tensor peak. MLA in absorbed form is
    /// the heaviest case: about 140 kFLOP per cached token and layer for DeepSeek-R1's 128 heads.
    pub decode_attention: f64,
    /// Sequences one attention rank decodes per step at most: engines cap it (CUDA-graph batch
    /// sizes, `max_batch_size`, `max_num_tokens`) because past it latency grows for little gain.
    pub max_batch_per_rank: f64,
}

/// Fraction of a link's bandwidth collectives reach. Not fitted: the calibration set has too few
/// communication-bound points to tell it from the other factors.
pub const COMM_EFFICIENCY: f64 = 0.7;
/// Latency of one collective step over NVLink / Infinity Fabric, seconds.
pub const SCALE_UP_LATENCY_S: f64 = 10e-6;
/// Latency of one collective step over the scale-out network (RDMA), seconds.
pub const SCALE_OUT_LATENCY_S: f64 = 25e-6;

/// Name, lower bound, upper bound and prior (starting point) of each fitted factor, in the order of
/// [`Efficiency::to_vec`]. Priors come from measured fractions of peak (GEMM 60–70 % of FP8 peak on
/// H100/GB200, 44 % on MI300X; HBM 85–93 % on NVIDIA, 75–80 % on MI300X) before serving overheads.
pub const PARAMETERS: [(&str, f64, f64, f64); 11] = [
    ("compute_nvidia", 0.05, 0.9, 0.5),
    ("compute_amd", 0.05, 0.9, 0.35),
    ("fp4_compute", 0.2, 1.0, 0.7),
    ("bandwidth_nvidia", 0.2, 0.95, 0.75),
    ("bandwidth_amd", 0.2, 0.95, 0.6),
    ("layer_latency_s", 1e-6, 400e-6, 30e-6),
    ("moe_imbalance", 0.0, 1.5, 0.2),
    ("expert_gemm", 0.05, 1.0, 0.5),
    ("latency_tail", 1.0, 4.0, 1.5),
    ("max_batch_per_rank", 32.0, 4096.0, 512.0),
    ("decode_attention", 0.1, 1.0, 0.6),
];

impl Efficiency {
    pub fn compute(&self, vendor: Vendor) -> f64 {
        match vendor {
            Vendor::Nvidia => self.compute_nvidia,
            Vendor::Amd => self.compute_amd,
        }
    }

    pub fn bandwidth(&self, vendor: Vendor) -> f64 {
        match vendor {
            Vendor::Nvidia => self.bandwidth_nvidia,
            Vendor::Amd => self.bandwidth_amd,
        }
    }

    /// The factors in [`PARAMETERS`] order.
    pub fn to_vec(&self) -> [f64; 11] {
        [
            self.compute_nvidia,
            self.compute_amd,
            self.fp4_compute,
            self.bandwidth_nvidia,
            self.bandwidth_amd,
            self.layer_latency_s,
            self.moe_imbalance,
            self.expert_gemm,
            self.latency_tail,
            self.max_batch_per_rank,
            self.decode_attention,
        ]
    }

    /// Inverse of [`Efficiency::to_vec`]; missing entries take the prior.
    pub fn from_slice(v: &[f64]) -> Efficiency {
        let get = |i: usize| v.get(i).copied().or_else(|| PARAMETERS.get(i).map(|p| p.3)).unwrap_or(0.0);
        Efficiency {
            compute_nvidia: get(0),
            compute_amd: get(1),
            fp4_compute: get(2),
            bandwidth_nvidia: get(3),
            bandwidth_amd: get(4),
            layer_latency_s: get(5),
            moe_imbalance: get(6),
            expert_gemm: get(7),
            latency_tail: get(8),
            max_batch_per_rank: get(9),
            decode_attention: get(10),
        }
    }

    /// The priors: where the fit starts.
    pub fn prior() -> Efficiency {
        let priors: Vec<f64> = PARAMETERS.iter().map(|p| p.3).collect();
        Efficiency::from_slice(&priors)
    }

    /// The factors fitted on the calibration set (regenerated by the calibration test).
    pub fn fitted() -> Efficiency {
        super::fitted::FITTED
    }
}

impl Default for Efficiency {
    fn default() -> Self {
        Efficiency::fitted()
    }
}
