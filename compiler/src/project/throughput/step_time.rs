//! Step time of one serving configuration: memory per GPU, decode step time, prefill time.
//!
//! Everything is per GPU of the busiest rank, for a replica of `tensor × expert × pipeline` GPUs
//! running `batch` sequences. See `docs/throughput-model.md` for the equations.

use super::efficiency::{Efficiency, COMM_EFFICIENCY, SCALE_OUT_LATENCY_S, SCALE_UP_LATENCY_S};
use super::spec::{Attention, GpuSpec, ModelSpec, Precision, Request, SystemSpec};

/// Fraction of each GPU's memory kept back for activations, CUDA graphs / workspaces and the
/// engine's free-memory margin (engines leave about 5–10 %).
pub const RUNTIME_RESERVE: f64 = 0.08;
/// Draft tokens one MTP module proposes per step.
pub const MTP_DRAFT_TOKENS: f64 = 1.0;
/// Tokens a prefill is cut into (a chunk re-reads the weights once).
pub const PREFILL_CHUNK_TOKENS: f64 = 8192.0;

/// Weight bytes of one replica, by part.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WeightBytes {
    /// Attention, dense MLPs, shared experts, norms: read every step by every rank.
    pub dense: f64,
    /// Routed experts: a step reads the ones its tokens select.
    pub routed: f64,
    /// Input embedding and output head.
    pub embedding: f64,
}

impl WeightBytes {
    pub fn total(&self) -> f64 {
        self.dense + self.routed + self.embedding
    }
}

/// The checkpoint's weights at `precision`. Quantised MoE releases quantise the routed experts and
/// keep attention and shared layers at 8 bits or more (DeepSeek-R1 NVFP4, GPT-OSS MXFP4); every
/// release keeps embeddings at 16 bits. A published checkpoint size, when known, fixes the total.
pub fn weight_bytes(model: &ModelSpec, precision: Precision) -> WeightBytes {
    let routed_params = model.routed_parameters();
    let embedding_params = model.embedding_parameters().min(model.parameters);
    let dense_params = (model.parameters - routed_params - embedding_params).max(0.0);
    let dense_width = if model.is_moe() && precision == Precision::Fp4 {
        Precision::Fp8.bytes_per_weight()
    } else {
        precision.bytes_per_weight()
    };
    let mut w = WeightBytes {
        dense: dense_params * dense_width,
        routed: routed_params * precision.bytes_per_weight(),
        embedding: embedding_params * Precision::Bf16.bytes_per_weight(),
    };
    let published = model.checkpoints.iter().find(|c| c.precision == precision).map(|c| c.bytes);
    if let Some(size) = published {
        if model.is_moe() {
            w.routed = (size - w.dense - w.embedding).max(0.0);
        } else {
            w.dense = (size - w.embedding).max(0.0);
        }
    }
    w
}

/// Bytes per KV-cache element: FP8 where the weights run natively in 8 bits or less (every
/// calibration result does this), 16-bit where the activations are 16-bit (BF16 models and
/// weight-only formats).
pub fn kv_element_bytes(gpu: &GpuSpec, precision: Precision) -> f64 {
    if precision != Precision::Bf16 && gpu.has_native(precision) {
        1.0
    } else {
        2.0
    }
}

/// KV-cache elements per token and layer.
fn kv_elements_per_layer(attention: &Attention) -> f64 {
    match attention {
        Attention::Gqa { kv_heads, head_dim, .. } => 2.0 * f64::from(*kv_heads) * f64::from(*head_dim),
        Attention::Mla { kv_lora_rank, rope_head_dim, .. } => f64::from(*kv_lora_rank) + f64::from(*rope_head_dim),
    }
}

/// Full-attention and sliding-window layer counts, and the window.
fn layer_split(model: &ModelSpec) -> (f64, f64, f64) {
    let layers = f64::from(model.layers);
    match &model.sliding_window {
        Some(sw) => {
            let sliding = f64::from(sw.layers).min(layers);
            (layers - sliding, sliding, f64::from(sw.tokens))
        }
        None => (layers, 0.0, f64::INFINITY),
    }
}

/// Tokens of context the attention layers hold (or read) for a sequence of `context` tokens,
/// summed over layers: sliding-window layers stop at the window.
fn context_layer_tokens(model: &ModelSpec, context: f64) -> f64 {
    let (full, sliding, window) = layer_split(model);
    full * context + sliding * context.min(window)
}

/// KV-cache bytes of one sequence of `context` tokens.
pub fn kv_bytes(model: &ModelSpec, gpu: &GpuSpec, precision: Precision, context: f64) -> f64 {
    kv_elements_per_layer(&model.attention) * kv_element_bytes(gpu, precision) * context_layer_tokens(model, context)
}

/// Attention FLOPs of one query token against `context_layer_tokens` (already summed over
/// layers). Decode uses MLA in its absorbed form (scores and values over the latent); prefill uses
/// the expanded heads.
fn attention_flops(attention: &Attention, layer_tokens: f64, decode: bool) -> f64 {
    match attention {
        Attention::Gqa { heads, head_dim, .. } => 4.0 * f64::from(*heads) * f64::from(*head_dim) * layer_tokens,
        Attention::Mla { heads, kv_lora_rank, rope_head_dim, nope_head_dim, v_head_dim } => {
            let h = f64::from(*heads);
            let per_context_token = if decode {
                2.0 * (f64::from(*kv_lora_rank) + f64::from(*rope_head_dim)) + 2.0 * f64::from(*kv_lora_rank)
            } else {
                2.0 * (f64::from(*nope_head_dim) + f64::from(*rope_head_dim)) + 2.0 * f64::from(*v_head_dim)
            };
            h * per_context_token * layer_tokens
        }
    }
}

/// How a replica is split. `data` (replicas) is filled in by the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Split {
    pub tensor: u32,
    pub pipeline: u32,
    pub expert: u32,
}

impl Split {
    pub fn gpus(&self) -> u32 {
        self.tensor.saturating_mul(self.pipeline).saturating_mul(self.expert)
    }
}

/// Quantities that depend on the model, system, precision and request but not on the split.
#[derive(Debug, Clone)]
pub struct Workload<'a> {
    pub system: &'a SystemSpec,
    pub model: &'a ModelSpec,
    pub precision: Precision,
    pub weights: WeightBytes,
    /// KV bytes one sequence holds (input + output for fixed lengths).
    pub kv_capacity_per_seq: f64,
    /// KV bytes a decode step reads per sequence, at the time-weighted mean context.
    pub kv_read_per_seq: f64,
    /// Linear-layer FLOPs per token outside the routed experts.
    pub dense_flops_per_token: f64,
    /// Routed-expert FLOPs per token.
    pub routed_flops_per_token: f64,
    /// Attention FLOPs per decoded token at the mean context.
    pub attention_flops_decode: f64,
    /// Attention FLOPs of one whole prompt (causal).
    pub attention_flops_prefill: f64,
    pub input_tokens: f64,
    pub output_tokens: f64,
}

impl<'a> Workload<'a> {
    pub fn new(system: &'a SystemSpec, model: &'a ModelSpec, precision: Precision, request: &Request) -> Workload<'a> {
        let gpu = &system.gpu;
        let isl = request.input_tokens.max(1.0);
        let osl = request.output_tokens.max(1.0);
        let spread = 1.0 + request.output_length_cv.max(0.0).powi(2);
        // Time-weighted context of the sequences in a decode batch (see `Request`).
        let mean_context = isl + osl * spread / 2.0;
        // What a sequence holds, with half a mean output of headroom for growth: the whole
        // output when lengths are fixed (engines reserve it up front).
        let capacity_context = mean_context + osl / 2.0;
        let routed_active = model.active_routed_parameters();
        let dense_active = (model.active_parameters - routed_active).max(0.0);
        // A causal prompt of n tokens: token i attends to i tokens (or the window), so the
        // summed context is n²/2 on full layers and about n·min(w, n/2) on sliding ones.
        let (full, sliding, window) = layer_split(model);
        let prefill_layer_tokens = full * isl * isl / 2.0 + sliding * isl * window.min(isl / 2.0);
        Workload {
            system,
            model,
            precision,
            weights: weight_bytes(model, precision),
            kv_capacity_per_seq: kv_bytes(model, gpu, precision, capacity_context),
            kv_read_per_seq: kv_bytes(model, gpu, precision, mean_context),
            dense_flops_per_token: 2.0 * dense_active,
            routed_flops_per_token: 2.0 * routed_active,
            attention_flops_decode: attention_flops(&model.attention, context_layer_tokens(model, mean_context), true),
            attention_flops_prefill: attention_flops(&model.attention, prefill_layer_tokens, false),
            input_tokens: isl,
            output_tokens: osl,
        }
    }

    fn gpu(&self) -> &GpuSpec {
        &self.system.gpu
    }

    /// GPUs over which one sequence's KV cache is spread within a tensor-parallel group: KV heads
    /// split across TP ranks up to the KV-head count; an MLA latent is one head, so it is
    /// replicated on every TP rank (why DeepSeek serving uses attention data parallelism).
    fn kv_split(&self, tensor: u32) -> f64 {
        match &self.model.attention {
            Attention::Gqa { kv_heads, .. } => f64::from(tensor.min((*kv_heads).max(1))),
            Attention::Mla { .. } => 1.0,
        }
    }

    /// Weight bytes on each GPU: dense parts split over tensor and pipeline ranks (replicated over
    /// attention-data-parallel expert ranks), routed experts over all GPUs of a stage.
    pub fn weights_per_gpu(&self, s: Split) -> f64 {
        let tp = f64::from(s.tensor.max(1));
        let pp = f64::from(s.pipeline.max(1));
        let ep = f64::from(s.expert.max(1));
        (self.weights.dense + self.weights.embedding) / (tp * pp) + self.weights.routed / (tp * ep * pp)
    }

    /// Usable memory per GPU for weights and KV cache.
    pub fn usable_per_gpu(&self) -> f64 {
        self.gpu().memory_bytes * (1.0 - RUNTIME_RESERVE)
    }

    /// The largest batch (sequences per replica) whose KV cache fits next to the weights.
    pub fn max_batch(&self, s: Split) -> f64 {
        let free = self.usable_per_gpu() - self.weights_per_gpu(s);
        if free <= 0.0 || self.kv_capacity_per_seq <= 0.0 {
            return 0.0;
        }
        let spread = f64::from(s.pipeline.max(1)) * f64::from(s.expert.max(1)) * self.kv_split(s.tensor.max(1));
        (free * spread / self.kv_capacity_per_seq).floor()
    }

    /// Tensor rate of the linear layers, before efficiency.
    fn gemm_peak(&self, eff: &Efficiency) -> f64 {
        let gpu = self.gpu();
        let native_fp4 = self.precision == Precision::Fp4 && gpu.has_native(Precision::Fp4);
        let factor = if native_fp4 { eff.fp4_compute } else { 1.0 };
        gpu.gemm_flops(self.precision) * factor * eff.compute(gpu.architecture.vendor())
    }

    /// Attention runs at the FP8 rate where the KV cache is FP8, else BF16.
    fn attention_peak(&self, eff: &Efficiency) -> f64 {
        let gpu = self.gpu();
        let rate = if kv_element_bytes(gpu, self.precision) < 2.0 {
            gpu.fp8_flops.unwrap_or(gpu.bf16_flops)
        } else {
            gpu.bf16_flops
        };
        rate * eff.compute(gpu.architecture.vendor())
    }

    fn bandwidth(&self, eff: &Efficiency) -> f64 {
        let gpu = self.gpu();
        gpu.memory_bandwidth_bytes_per_s * eff.bandwidth(gpu.architecture.vendor())
    }

    /// Load of the busiest expert rank relative to the mean.
    fn imbalance(&self, s: Split, eff: &Efficiency) -> f64 {
        if self.model.is_moe() && s.expert > 1 {
            1.0 + eff.moe_imbalance * f64::from(s.expert).ln()
        } else {
            1.0
        }
    }

    /// Seconds to move `bytes` per GPU through an all-to-all or ring among `group` GPUs, and the
    /// latency of one step; the part of the group outside the NVLink domain goes over scale-out.
    fn link(&self, group: u32, bytes: f64) -> (f64, f64) {
        let domain = self.system.nvlink_domain.max(1);
        let up = self.gpu().scale_up_bandwidth_bytes_per_s / 2.0 * COMM_EFFICIENCY;
        if group <= domain {
            return (bytes / up.max(1.0), SCALE_UP_LATENCY_S);
        }
        let off = 1.0 - f64::from(domain) / f64::from(group);
        let out = self.system.scale_out_bits_per_s_per_gpu / 8.0 * COMM_EFFICIENCY;
        let t = bytes * (1.0 - off) / up.max(1.0) + bytes * off / out.max(1.0);
        (t, SCALE_OUT_LATENCY_S)
    }

    /// One decode tick of one pipeline stage for a micro-batch of `micro` sequences each
    /// verifying `tokens_per_seq` tokens. Returns the time split by what it is spent on.
    pub fn decode_tick(&self, s: Split, micro: f64, tokens_per_seq: f64, eff: &Efficiency) -> Tick {
        let tp = f64::from(s.tensor.max(1));
        let pp = f64::from(s.pipeline.max(1));
        let ep = f64::from(s.expert.max(1));
        let imb = self.imbalance(s, eff);
        let tokens = micro * tokens_per_seq;
        let rank_tokens = tokens / ep;
        let rank_seqs = micro / ep;
        let layers = f64::from(self.model.layers);
        // An MTP draft module is about one more layer of every kind.
        let mtp_scale = if tokens_per_seq > 1.0 { 1.0 + 1.0 / layers.max(1.0) } else { 1.0 };

        // Routed experts a micro-batch touches: each of E experts is missed by all `tokens`
        // top-k draws with probability (1 - k/E)^tokens.
        let touched = match &self.model.experts {
            Some(e) if e.total > 0 => {
                let miss = 1.0 - f64::from(e.active) / f64::from(e.total);
                1.0 - miss.max(0.0).powf(tokens)
            }
            _ => 1.0,
        };
        let lm_head = self.weights.embedding / 2.0;
        let bytes = ((self.weights.dense + lm_head) / (tp * pp) + self.weights.routed * touched * imb / (tp * ep * pp))
            * mtp_scale
            + rank_seqs * self.kv_read_per_seq / (pp * self.kv_split(s.tensor));
        let memory = bytes / self.bandwidth(eff).max(1.0);

        let gemm = (self.dense_flops_per_token * rank_tokens / (tp * pp)
            + self.routed_flops_per_token * tokens * imb / (tp * ep * pp) / eff.expert_gemm)
            * mtp_scale;
        let attn = self.attention_flops_decode * rank_tokens / (tp * pp);
        let compute =
            gemm / self.gemm_peak(eff).max(1.0) + attn / (self.attention_peak(eff) * eff.decode_attention).max(1.0);

        let comm = self.comm_time(s, rank_tokens, tokens, true) * mtp_scale;
        let latency = layers / pp * eff.layer_latency_s * mtp_scale;
        Tick { memory, compute, comm, latency }
    }

    /// Communication of one stage for `rank_tokens` tokens per attention rank (`stage_tokens` in
    /// the stage): tensor-parallel all-reduces, the expert all-to-all and the pipeline hand-off.
    fn comm_time(&self, s: Split, rank_tokens: f64, stage_tokens: f64, with_latency: bool) -> f64 {
        let tp = f64::from(s.tensor.max(1));
        let pp = f64::from(s.pipeline.max(1));
        let ep = f64::from(s.expert.max(1));
        let hidden = f64::from(self.model.hidden_size);
        let layers = f64::from(self.model.layers) / pp;
        let lat = |l: f64| if with_latency { l } else { 0.0 };
        let mut t = 0.0;
        if s.tensor > 1 {
            // Two ring all-reduces of 16-bit activations per layer.
            let bytes = 2.0 * (tp - 1.0) / tp * rank_tokens * hidden * 2.0;
            let (bw, l) = self.link(s.tensor, bytes);
            t += layers * 2.0 * (bw + lat(l));
        }
        if let (Some(e), true) = (&self.model.experts, s.expert > 1) {
            // Dispatch in FP8 (1 byte) and combine in BF16 (2 bytes) to the k chosen experts, of
            // which (ep-1)/ep live elsewhere.
            let moe_layers = f64::from(e.layers) / pp;
            let bytes = rank_tokens * f64::from(e.active) * hidden * 3.0 * (ep - 1.0) / ep;
            let (bw, l) = self.link(s.tensor.saturating_mul(s.expert), bytes);
            t += moe_layers * (bw + 2.0 * lat(l));
        }
        if s.pipeline > 1 {
            let bytes = stage_tokens * hidden * 2.0 / tp;
            let (bw, l) = self.link(s.gpus(), bytes);
            t += bw + lat(l);
        }
        t
    }

    /// Seconds of replica time one request's prefill costs when prefills are spread over every
    /// rank (the throughput view), and the time-to-first-token of one prompt on one rank.
    pub fn prefill(&self, s: Split, eff: &Efficiency) -> Prefill {
        let tp = f64::from(s.tensor.max(1));
        let pp = f64::from(s.pipeline.max(1));
        let ep = f64::from(s.expert.max(1));
        let g = tp * pp * ep;
        let isl = self.input_tokens;
        let imb = self.imbalance(s, eff);
        let gemm_dense = self.dense_flops_per_token * isl;
        let gemm_routed = self.routed_flops_per_token * isl * imb / eff.expert_gemm;
        let gemm_peak = self.gemm_peak(eff).max(1.0);
        let attn_peak = self.attention_peak(eff).max(1.0);
        let chunks = (isl / PREFILL_CHUNK_TOKENS).ceil().max(1.0);
        let weight_reads = chunks * self.weights_per_gpu(s) / self.bandwidth(eff).max(1.0);
        // Throughput view: all g GPUs share the prompt's work. Its chunks ride in decode steps
        // that read the weights anyway, so only math and activation traffic are added.
        let busy = (gemm_dense + gemm_routed) / (g * gemm_peak)
            + self.attention_flops_prefill / (g * attn_peak)
            + self.comm_time(s, isl / ep, isl, false);
        // Latency view: the prompt's dense and attention work on its own rank (tp × pp GPUs),
        // routed work over the whole stage, layer by layer through the pipeline.
        let ttft = gemm_dense / (tp * pp * gemm_peak)
            + gemm_routed / (g * gemm_peak)
            + self.attention_flops_prefill / (tp * pp * attn_peak)
            + self.comm_time(s, isl, isl, true)
            + weight_reads * pp
            + f64::from(self.model.layers) * eff.layer_latency_s * chunks;
        Prefill { busy, ttft }
    }
}

/// Time of one decode tick, by what it is spent on.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Tick {
    pub memory: f64,
    pub compute: f64,
    pub comm: f64,
    pub latency: f64,
}

impl Tick {
    /// Memory traffic and math overlap; communication and fixed per-layer costs do not.
    pub fn total(&self) -> f64 {
        self.memory.max(self.compute) + self.comm + self.latency
    }
}

/// Prefill cost of one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prefill {
    /// Replica-seconds of work, spread over all its GPUs.
    pub busy: f64,
    /// Time to first token of a prompt on an otherwise idle rank.
    pub ttft: f64,
}
