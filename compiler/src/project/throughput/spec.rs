//! Plain inputs of the throughput model: GPU, system, model, precision and request.
//!
//! Every quantity is an `f64` in SI units (bytes, bytes/s, FLOP/s, seconds) or a plain count, so an
//! adapter from the catalog's decoded parts is a field-by-field copy.

/// GPU architecture family. It selects nothing by itself: peaks come from [`GpuSpec`], and the
/// fitted efficiencies are per vendor (the software stack), so a new GPU of a known vendor needs
/// no new parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Architecture {
    Ampere,
    Hopper,
    Blackwell,
    BlackwellUltra,
    Rubin,
    Cdna3,
    Cdna4,
}

/// Who writes the kernels and the serving stack; efficiencies are fitted per vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    Nvidia,
    Amd,
}

impl Architecture {
    pub fn vendor(self) -> Vendor {
        match self {
            Architecture::Ampere
            | Architecture::Hopper
            | Architecture::Blackwell
            | Architecture::BlackwellUltra
            | Architecture::Rubin => Vendor::Nvidia,
            Architecture::Cdna3 | Architecture::Cdna4 => Vendor::Amd,
        }
    }
}

/// Weight format of the served checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precision {
    Fp4,
    Fp8,
    Bf16,
}

impl Precision {
    /// Stored bytes per weight. FP4 checkpoints (NVFP4, MXFP4) add one 8-bit scale per block of
    /// 16 or 32 weights; 4.5 bits covers both within 3 %.
    pub fn bytes_per_weight(self) -> f64 {
        match self {
            Precision::Fp4 => 0.5625,
            Precision::Fp8 => 1.0,
            Precision::Bf16 => 2.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Precision::Fp4 => "fp4",
            Precision::Fp8 => "fp8",
            Precision::Bf16 => "bf16",
        }
    }
}

/// One GPU. Peaks are dense (no sparsity).
#[derive(Debug, Clone, PartialEq)]
pub struct GpuSpec {
    pub architecture: Architecture,
    pub memory_bytes: f64,
    pub memory_bandwidth_bytes_per_s: f64,
    pub bf16_flops: f64,
    /// `None` where the GPU has no FP8 tensor cores (then FP8 weights are weight-only).
    pub fp8_flops: Option<f64>,
    /// `None` where the GPU has no FP4 tensor cores (then FP4 weights are weight-only).
    pub fp4_flops: Option<f64>,
    /// NVLink / Infinity Fabric bandwidth per GPU, both directions together.
    pub scale_up_bandwidth_bytes_per_s: f64,
}

impl GpuSpec {
    /// The tensor rate a GEMM with weights of `precision` runs at. Native formats run at their
    /// own rate. Without native support the weights are dequantised in the kernel and multiplied
    /// with 16-bit activations (W4A16 / W8A16, as Marlin and Triton MXFP4 kernels do on Hopper),
    /// so the math runs at the BF16 rate while the reads stay narrow.
    pub fn gemm_flops(&self, precision: Precision) -> f64 {
        let native = match precision {
            Precision::Fp4 => self.fp4_flops,
            Precision::Fp8 => self.fp8_flops,
            Precision::Bf16 => Some(self.bf16_flops),
        };
        native.unwrap_or(self.bf16_flops)
    }

    pub fn has_native(&self, precision: Precision) -> bool {
        match precision {
            Precision::Fp4 => self.fp4_flops.is_some(),
            Precision::Fp8 => self.fp8_flops.is_some(),
            Precision::Bf16 => true,
        }
    }
}

/// A system: a server or a rack-scale system of identical GPUs.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemSpec {
    pub id: String,
    pub gpu: GpuSpec,
    pub gpus_per_system: u32,
    /// GPUs that share one scale-up (NVLink) domain: 8 on a HGX node, 72 on an NVL72 rack.
    pub nvlink_domain: u32,
    /// GPUs per host (Kubernetes node).
    pub host_gpus: u32,
    /// East-west RDMA bandwidth per GPU, bits/s, one direction.
    pub scale_out_bits_per_s_per_gpu: f64,
}

/// Attention layout.
#[derive(Debug, Clone, PartialEq)]
pub enum Attention {
    /// Multi-head / grouped-query attention: K and V of `kv_heads` heads of `head_dim` are cached.
    Gqa { heads: u32, kv_heads: u32, head_dim: u32 },
    /// Multi-head latent attention (DeepSeek): one compressed latent of `kv_lora_rank` plus a shared
    /// rotary key of `rope_head_dim` is cached per token and layer, whatever the head count.
    Mla {
        heads: u32,
        kv_lora_rank: u32,
        rope_head_dim: u32,
        /// Query/key head dim without the rotary part.
        nope_head_dim: u32,
        v_head_dim: u32,
    },
}

impl Attention {
    pub fn heads(&self) -> u32 {
        match self {
            Attention::Gqa { heads, .. } | Attention::Mla { heads, .. } => *heads,
        }
    }
}

/// Routed experts of a mixture-of-experts model.
#[derive(Debug, Clone, PartialEq)]
pub struct Experts {
    /// Routed experts per MoE layer.
    pub total: u32,
    /// Routed experts each token selects (top-k).
    pub active: u32,
    /// Always-on shared experts per MoE layer (counted with the dense part).
    pub shared: u32,
    /// Layers that are MoE layers.
    pub layers: u32,
    /// Intermediate size of one expert's gated MLP.
    pub intermediate_size: u32,
}

/// Layers whose attention sees only the last `tokens` tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct SlidingWindow {
    pub tokens: u32,
    pub layers: u32,
}

/// A published checkpoint and its size on disk, which the memory model trusts over a count of
/// parameters × bytes (quantised releases keep some layers in higher precision).
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub precision: Precision,
    pub bytes: f64,
}

/// A transformer decoder.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    pub id: String,
    pub parameters: f64,
    /// Parameters a token passes through (excluding the embedding lookup).
    pub active_parameters: f64,
    pub layers: u32,
    pub hidden_size: u32,
    pub vocab_size: u32,
    pub attention: Attention,
    pub experts: Option<Experts>,
    pub sliding_window: Option<SlidingWindow>,
    /// Multi-token-prediction modules usable as speculative draft layers (DeepSeek: 1).
    pub mtp_layers: u32,
    /// Share of MTP draft tokens the model accepts (from the catalog, where it is sourced).
    pub mtp_acceptance: f64,
    /// The format the model was published in.
    pub weights: Precision,
    pub checkpoints: Vec<Checkpoint>,
}

impl ModelSpec {
    /// Parameters of the routed experts (zero for a dense model).
    pub fn routed_parameters(&self) -> f64 {
        self.experts.as_ref().map_or(0.0, |e| {
            f64::from(e.layers)
                * f64::from(e.total)
                * 3.0
                * f64::from(self.hidden_size)
                * f64::from(e.intermediate_size)
        })
    }

    /// Routed-expert parameters one token passes through.
    pub fn active_routed_parameters(&self) -> f64 {
        self.experts
            .as_ref()
            .map_or(0.0, |e| self.routed_parameters() * f64::from(e.active) / f64::from(e.total.max(1)))
    }

    /// Input embedding plus output head (untied), kept at 16 bits by every quantised release.
    pub fn embedding_parameters(&self) -> f64 {
        2.0 * f64::from(self.vocab_size) * f64::from(self.hidden_size)
    }

    /// Fine-grained MoE: many small experts (DeepSeek-R1, GPT-OSS, Qwen3), as against a handful
    /// of large ones (Mixtral).
    pub fn is_fine_grained_moe(&self) -> bool {
        self.experts.as_ref().is_some_and(|e| e.total >= 64)
    }

    pub fn is_moe(&self) -> bool {
        self.experts.is_some()
    }
}

/// What is asked of the deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Mean prompt tokens per request.
    pub input_tokens: f64,
    /// Mean generated tokens per request.
    pub output_tokens: f64,
    /// Coefficient of variation of the output lengths: 0 for fixed-length synthetic runs, about
    /// 1 for natural chat and reasoning traffic. A sequence spends time in the batch in
    /// proportion to its length, so the context a decode step sees on average is
    /// `input + output · (1 + cv²) / 2`: long-tailed reasoning outputs cost more KV cache and
    /// attention than their mean suggests.
    pub output_length_cv: f64,
    /// Latency limits (99th percentile); `None` is offline: maximum throughput.
    pub slo: Option<Slo>,
}

/// Standard normal quantile of the 99th percentile.
pub const Z99: f64 = 2.326;

/// 99th-percentile latency limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slo {
    pub ttft_s: f64,
    pub tpot_s: f64,
}
