//! Disaggregated serving: prefill and decode on separate GPU pools, the KV cache moved between them.
//!
//! NVIDIA Dynamo's disaggregated graphs (and SGLang's and vLLM's prefill/decode split) run prompts
//! on prefill workers and generation on decode workers, so a decode step never waits for a prompt:
//! TPOT is the bare decode step, and each pool takes the parallelism that suits its phase. The price
//! is the KV cache of every prompt crossing from one pool to the other, on NVLink when both pools
//! share a scale-up domain, else on the compute fabric between systems. This module searches the
//! prefill:decode ratio and both pools' splits with the kernel's own step timing (`step_time`), so
//! it agrees with the aggregated search on every shared term. Pure arithmetic, bounded work: pools
//! are counted in whole NVLink domains, never per GPU.

use super::efficiency::{Efficiency, COMM_EFFICIENCY, SCALE_OUT_LATENCY_S, SCALE_UP_LATENCY_S};
use super::search::{placeable_replicas, splits};
use super::spec::{ModelSpec, Precision, Request, SystemSpec};
use super::step_time::{kv_bytes, Split, Workload, MTP_DRAFT_TOKENS, PREFILL_CHUNK_TOKENS};
use super::{Bound, Estimate, Parallelism};

/// Offline decode picks the smallest batch within this fraction of the best throughput, as the
/// aggregated search does.
const KNEE: f64 = 0.99;
/// Highest utilisation a prefill pool is planned at: a queue at 100 % never drains.
const MAX_PREFILL_UTILISATION: f64 = 0.95;

/// How a workload is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Every replica runs both prefill and decode (continuous batching with chunked prefill).
    Aggregated,
    /// Separate prefill and decode pools, the KV cache moved between them.
    Disaggregated,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Aggregated => "aggregated",
            Mode::Disaggregated => "disaggregated",
        }
    }
}

/// The link the KV cache crosses from a prefill to a decode worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KvLink {
    /// Both pools share each NVLink (scale-up) domain.
    NvLink,
    /// The pools sit in different domains: the KV cache crosses the compute fabric.
    ComputeFabric,
}

impl KvLink {
    pub fn name(self) -> &'static str {
        match self {
            KvLink::NvLink => "NVLink",
            KvLink::ComputeFabric => "compute fabric",
        }
    }
}

/// What limits a disaggregated deployment's request rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Binding {
    /// The prefill pool's rate (at the utilisation the TTFT limit allows).
    Prefill,
    /// The decode pool's rate (at the batch the TPOT limit allows).
    Decode,
    /// The bandwidth of the link the KV cache crosses.
    KvTransfer,
}

impl Binding {
    pub fn name(self) -> &'static str {
        match self {
            Binding::Prefill => "prefill pool",
            Binding::Decode => "decode pool",
            Binding::KvTransfer => "KV-cache transfer",
        }
    }
}

/// One pool of a disaggregated deployment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pool {
    /// GPUs of the pool's replicas.
    pub gpus: u32,
    /// Split of one replica; `data` is the pool's replica count.
    pub parallelism: Parallelism,
    /// Concurrent sequences per replica (prompts in flight for prefill, 1 when it runs one at a time).
    pub batch: f64,
    /// Fraction of the pool's capacity the deployment uses.
    pub utilisation: f64,
}

/// The best disaggregated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Disaggregated {
    /// The totals as the aggregated search reports them: tokens/s of all GPUs, and the decode
    /// pool's split, replicas, batch, TTFT and TPOT.
    pub estimate: Estimate,
    pub prefill: Pool,
    pub decode: Pool,
    pub kv_link: KvLink,
    /// KV-cache bytes one prompt moves (input tokens × the model's KV bytes per token and layer × layers).
    pub kv_bytes_per_request: f64,
    /// KV-cache bytes/s the deployment moves.
    pub kv_bytes_per_second: f64,
    /// What the link carries at most for the prefill pool, bytes/s.
    pub kv_link_bytes_per_second: f64,
    /// Requests/s of the whole deployment.
    pub requests_per_second: f64,
    pub binding: Binding,
    /// NVLink domains the pools occupy, and GPUs per domain: both layouts lay the pools out in
    /// whole domains (both pools in every one, or each pool in domains of its own).
    pub domains: u32,
    pub domain_gpus: u32,
}

impl Disaggregated {
    /// Prefill GPUs per decode GPU.
    pub fn ratio(&self) -> f64 {
        f64::from(self.prefill.gpus) / f64::from(self.decode.gpus.max(1))
    }
}

/// Why no disaggregated configuration works.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Infeasible {
    /// Fewer GPUs than two pools need: `best` GPUs given, `target` the fewest that hold one
    /// prefill and one decode replica.
    TooFewGpus { gpus: u32, needed: u32 },
    /// No pool split holds the weights and one request: bytes per GPU needed and available.
    PoolMemory { needed: f64, available: f64 },
    /// The KV transfer the pools need exceeds the link even at the best ratio: the KV bytes/s a
    /// single decode replica's rate needs and what the link carries, bytes/s.
    KvLink { needed: f64, available: f64, link: KvLink },
    /// The serving engine of the workload's sites deploys no separate prefill and decode workers
    /// (only Dynamo does, of the catalog's engines).
    Engine,
    /// The p99 TTFT (prefill + KV transfer + one decode step) cannot go below `best` s.
    Ttft { best: f64, target: f64 },
    /// The p99 TPOT of the decode pool cannot go below `best` s.
    Tpot { best: f64, target: f64 },
}

impl std::fmt::Display for Infeasible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Infeasible::TooFewGpus { gpus, needed } => write!(
                f,
                "a prefill and a decode pool need at least {needed} GPUs (two of the smallest replica that holds the model), and there are {gpus}"
            ),
            Infeasible::PoolMemory { needed, available } => write!(
                f,
                "no pool split holds the weights and one request: {:.0} GB per GPU needed, {:.0} GB usable",
                needed / 1e9,
                available / 1e9
            ),
            Infeasible::KvLink { needed, available, link } if *available < 1.0 => write!(
                f,
                "moving the KV cache needs {:.2} GB/s per prefill replica over the {}, and none links the pools' systems",
                needed / 1e9,
                link.name()
            ),
            Infeasible::KvLink { needed, available, link } => write!(
                f,
                "moving the KV cache needs {:.2} GB/s per prefill replica over the {}, which carries {:.2} GB/s",
                needed / 1e9,
                link.name(),
                available / 1e9
            ),
            Infeasible::Engine => {
                write!(f, "the serving engine deploys no separate prefill and decode workers")
            }
            Infeasible::Ttft { best, target } => write!(
                f,
                "p99 time to first token (prefill, KV transfer and a decode step) cannot go below {:.0} ms; the limit is {:.0} ms",
                best * 1e3,
                target * 1e3
            ),
            Infeasible::Tpot { best, target } => write!(
                f,
                "p99 time per output token of the decode pool cannot go below {:.1} ms; the limit is {:.1} ms",
                best * 1e3,
                target * 1e3
            ),
        }
    }
}

/// A pool's candidate split and its rates.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    split: Split,
    /// Requests/s of one replica at full utilisation.
    rate: f64,
    /// For prefill: TTFT of an idle replica, s. For decode: the decode step, s.
    latency: f64,
    /// For decode: batch, TPOT (mean), speculative.
    batch: f64,
    tpot: f64,
    mtp: bool,
    bound: Bound,
}

/// Per-GPU link bandwidth, bytes/s one direction, reached by a bulk transfer.
fn link_bandwidth(system: &SystemSpec, link: KvLink) -> f64 {
    match link {
        KvLink::NvLink => system.gpu.scale_up_bandwidth_bytes_per_s / 2.0 * COMM_EFFICIENCY,
        KvLink::ComputeFabric => system.scale_out_bits_per_s_per_gpu / 8.0 * COMM_EFFICIENCY,
    }
}

fn link_latency(link: KvLink) -> f64 {
    match link {
        KvLink::NvLink => SCALE_UP_LATENCY_S,
        KvLink::ComputeFabric => SCALE_OUT_LATENCY_S,
    }
}

/// Prefill of one replica running prompts back to back: its work is math (the kernel's
/// throughput view of a prefill) overlapped with one weight read per chunk of prompt tokens.
fn prefill_candidate(w: &Workload, s: Split, eff: &Efficiency) -> Option<Candidate> {
    if w.max_batch(s) < 1.0 {
        return None;
    }
    let p = w.prefill(s, eff);
    let bandwidth = w.system.gpu.memory_bandwidth_bytes_per_s * eff.bandwidth(w.system.gpu.architecture.vendor());
    let reads = w.input_tokens / PREFILL_CHUNK_TOKENS * w.weights_per_gpu(s) / bandwidth.max(1.0);
    let busy = p.busy.max(reads).max(1e-12);
    let bound = if reads > p.busy { Bound::MemoryBandwidth } else { Bound::Compute };
    Some(Candidate { split: s, rate: 1.0 / busy, latency: p.ttft, batch: 1.0, tpot: 0.0, mtp: false, bound })
}

/// Decode of one replica with no prefill in its steps: the kernel's decode tick at `batch`.
fn decode_at(w: &Workload, s: Split, batch: f64, mtp: bool, eff: &Efficiency) -> (f64, f64, Bound) {
    let pp = f64::from(s.pipeline.max(1));
    let (verified, accepted) = if mtp {
        (1.0 + MTP_DRAFT_TOKENS, 1.0 + w.model.mtp_acceptance.clamp(0.0, 1.0) * MTP_DRAFT_TOKENS)
    } else {
        (1.0, 1.0)
    };
    let tick = w.decode_tick(s, (batch / pp).max(1.0 / pp), verified, eff);
    let step = pp * tick.total();
    let tpot = (step / accepted).max(1e-12);
    let parts = [
        (Bound::MemoryBandwidth, if tick.memory >= tick.compute { tick.memory } else { 0.0 }),
        (Bound::Compute, if tick.compute > tick.memory { tick.compute } else { 0.0 }),
        (Bound::Communication, tick.comm),
        (Bound::Latency, tick.latency),
    ];
    let bound = parts.iter().fold((Bound::MemoryBandwidth, f64::MIN), |a, &(b, v)| if v > a.1 { (b, v) } else { a }).0;
    (step, tpot, bound)
}

/// Best decode point of one split: the knee batch offline, the largest batch meeting the TPOT
/// limit otherwise. `Err` carries the p99 TPOT of a batch of one when even that misses.
fn decode_candidate(
    w: &Workload,
    s: Split,
    mtp: bool,
    tpot_limit: Option<f64>,
    eff: &Efficiency,
) -> Option<Result<Candidate, f64>> {
    let ranks = f64::from(s.expert.max(1)) * f64::from(s.pipeline.max(1));
    let max_batch = w.max_batch(s).min((eff.max_batch_per_rank * ranks).floor());
    if max_batch < 1.0 {
        return None;
    }
    let rate = |b: f64| b / decode_at(w, s, b, mtp, eff).1;
    let batch = match tpot_limit {
        None => {
            let target = KNEE * rate(max_batch);
            super::search::bisect(1.0, max_batch, |b| rate(b) >= target)
        }
        Some(limit) => {
            let meets = |b: f64| eff.latency_tail * decode_at(w, s, b, mtp, eff).1 <= limit;
            if !meets(1.0) {
                return Some(Err(eff.latency_tail * decode_at(w, s, 1.0, mtp, eff).1));
            }
            super::search::bisect_last(1.0, max_batch, meets)
        }
    };
    let (step, tpot, bound) = decode_at(w, s, batch, mtp, eff);
    Some(Ok(Candidate { split: s, rate: batch / tpot / w.output_tokens, latency: step, batch, tpot, mtp, bound }))
}

/// Keeps the candidates worth pairing: for each replica size that fits one NVLink domain (where
/// the size decides how pools pack into the domain), the best by rate per GPU and the fastest;
/// across all sizes, those no other beats on both rate per GPU and latency. The pairing below is
/// then quadratic in a short list, not in every split.
fn prune(c: Vec<Candidate>, domain: u32) -> Vec<Candidate> {
    let per_gpu = |x: &Candidate| x.rate / f64::from(x.split.gpus().max(1));
    let key = |x: &Candidate| (x.split.gpus(), x.split.tensor, x.split.expert, x.split.pipeline, x.mtp);
    let mut sorted = c;
    sorted.sort_by(|a, b| {
        per_gpu(b).total_cmp(&per_gpu(a)).then(a.latency.total_cmp(&b.latency)).then(key(a).cmp(&key(b)))
    });
    let mut out: Vec<Candidate> = Vec::new();
    // Pareto front over every size: sorted by falling rate per GPU, keep each that is faster.
    let mut fastest = f64::INFINITY;
    for x in &sorted {
        if x.latency < fastest {
            fastest = x.latency;
            out.push(*x);
        }
    }
    let mut sizes: Vec<u32> = sorted.iter().map(|x| x.split.gpus()).filter(|g| *g <= domain).collect();
    sizes.sort_unstable();
    sizes.dedup();
    for g in sizes {
        let of_size = || sorted.iter().filter(move |x| x.split.gpus() == g);
        let best_rate = of_size().next();
        let quickest = of_size().min_by(|a, b| a.latency.total_cmp(&b.latency));
        for x in [best_rate, quickest].into_iter().flatten() {
            if !out.iter().any(|o| key(o) == key(x)) {
                out.push(*x);
            }
        }
    }
    out.sort_by_key(key);
    out
}

/// One evaluated pairing.
#[derive(Debug, Clone, Copy)]
struct Pairing {
    prefill: Candidate,
    decode: Candidate,
    prefill_replicas: u32,
    decode_replicas: u32,
    prefill_gpus: u32,
    decode_gpus: u32,
    link: KvLink,
    link_capacity: f64,
    requests_per_second: f64,
    ttft: f64,
    binding: Binding,
}

/// The highest prefill utilisation at which the p99 TTFT still meets `limit`: an M/D/1 queue in
/// front of each prefill replica waits `u / (2 (1 − u))` service times on average.
fn prefill_utilisation(service: f64, fixed: f64, limit: Option<f64>, tail: f64) -> Option<f64> {
    match limit {
        None => Some(MAX_PREFILL_UTILISATION),
        Some(limit) => {
            let wait = limit / tail - fixed;
            if wait < 0.0 {
                return None;
            }
            Some((2.0 * wait / (service + 2.0 * wait)).min(MAX_PREFILL_UTILISATION))
        }
    }
}

/// Searches the ratio and both pools' splits. `Err` names the reason no configuration works.
pub fn estimate(
    system: &SystemSpec,
    model: &ModelSpec,
    precision: Precision,
    request: &Request,
    gpus: u32,
    eff: &Efficiency,
) -> Result<Disaggregated, Infeasible> {
    let w = Workload::new(system, model, precision, request);
    let domain = system.nvlink_domain.max(1).min(gpus.max(1));
    let all = splits(system, model, gpus);
    let tpot_limit = request.slo.map(|s| s.tpot_s).filter(|t| t.is_finite());
    let ttft_limit = request.slo.map(|s| s.ttft_s).filter(|t| t.is_finite());
    let mtp_options: &[bool] = if model.mtp_layers > 0 && request.slo.is_some() { &[false, true] } else { &[false] };

    let mut prefills = Vec::new();
    let mut decodes = Vec::new();
    let mut best_tpot = f64::INFINITY;
    for &s in &all {
        // Each pool is at most half the GPUs: the other pool needs the rest.
        if s.gpus() > gpus / 2 && s.gpus() > domain / 2 {
            continue;
        }
        if let Some(c) = prefill_candidate(&w, s, eff) {
            prefills.push(c);
        }
        for &mtp in mtp_options {
            match decode_candidate(&w, s, mtp, tpot_limit, eff) {
                Some(Ok(c)) => decodes.push(c),
                Some(Err(t)) => best_tpot = best_tpot.min(t),
                None => {}
            }
        }
    }
    let smallest_fit = all.iter().find(|s| w.max_batch(**s) >= 1.0).map(|s| s.gpus());
    if prefills.is_empty() {
        return Err(match smallest_fit {
            Some(g) => Infeasible::TooFewGpus { gpus, needed: g.saturating_mul(2) },
            None => Infeasible::PoolMemory {
                needed: w.weights_per_gpu(Split { tensor: 1, pipeline: 1, expert: 1 }) / f64::from(gpus.max(1)),
                available: w.usable_per_gpu(),
            },
        });
    }
    if decodes.is_empty() {
        if let Some(t) = tpot_limit.filter(|_| best_tpot.is_finite()) {
            return Err(Infeasible::Tpot { best: best_tpot, target: t });
        }
        return Err(Infeasible::TooFewGpus { gpus, needed: smallest_fit.unwrap_or(0).saturating_mul(2) });
    }
    let prefills = prune(prefills, domain);
    let decodes = prune(decodes, domain);
    let kv = kv_bytes(model, &system.gpu, precision, w.input_tokens);

    let mut best: Option<Pairing> = None;
    let mut best_ttft = f64::INFINITY;
    let mut link_shortfall: Option<(f64, f64, KvLink)> = None;
    let mut consider = |p: Pairing| {
        if best.as_ref().is_none_or(|b| p.requests_per_second > b.requests_per_second * (1.0 + 1e-9)) {
            best = Some(p);
        }
    };
    for pc in &prefills {
        for dc in &decodes {
            for link in [KvLink::NvLink, KvLink::ComputeFabric] {
                let gp = pc.split.gpus();
                let gd = dc.split.gpus();
                let bandwidth = link_bandwidth(system, link);
                let transfer = kv / (bandwidth * f64::from(gp)).max(1e-9) + link_latency(link);
                let fixed = pc.latency + transfer + dc.latency;
                let Some(u) = prefill_utilisation(1.0 / pc.rate, fixed, ttft_limit, eff.latency_tail) else {
                    best_ttft = best_ttft.min(eff.latency_tail * fixed);
                    continue;
                };
                let ttft = fixed + u / (2.0 * (1.0 - u)) / pc.rate;
                let layouts = match link {
                    KvLink::NvLink => colocated(gpus, domain, gp, gd),
                    KvLink::ComputeFabric => separate(system, gpus, domain, gp, gd, pc.rate * u, dc.rate),
                };
                for (np, nd) in layouts {
                    if np == 0 || nd == 0 {
                        continue;
                    }
                    let prefill_rate = f64::from(np) * pc.rate * u;
                    let decode_rate = f64::from(nd) * dc.rate;
                    let link_capacity = bandwidth * f64::from(np.saturating_mul(gp));
                    let link_rate = link_capacity / kv.max(1.0);
                    let rate = prefill_rate.min(decode_rate).min(link_rate);
                    if link_rate < prefill_rate.min(decode_rate) && link_rate < dc.rate {
                        let needed = dc.rate * kv;
                        if link_shortfall.is_none_or(|(n, _, _)| needed < n) {
                            link_shortfall = Some((needed, link_capacity / f64::from(np.max(1)), link));
                        }
                    }
                    let binding = if rate == link_rate && link_rate < prefill_rate.min(decode_rate) {
                        Binding::KvTransfer
                    } else if prefill_rate < decode_rate {
                        Binding::Prefill
                    } else {
                        Binding::Decode
                    };
                    consider(Pairing {
                        prefill: *pc,
                        decode: *dc,
                        prefill_replicas: np,
                        decode_replicas: nd,
                        prefill_gpus: np.saturating_mul(gp),
                        decode_gpus: nd.saturating_mul(gd),
                        link,
                        link_capacity,
                        requests_per_second: rate,
                        ttft,
                        binding,
                    });
                }
            }
        }
    }
    let Some(p) = best else {
        if let Some(t) = ttft_limit.filter(|_| best_ttft.is_finite()) {
            return Err(Infeasible::Ttft { best: best_ttft, target: t });
        }
        return Err(Infeasible::TooFewGpus { gpus, needed: smallest_fit.unwrap_or(0).saturating_mul(2) });
    };
    // A pairing limited by its link to less than one decode replica's rate moves almost nothing:
    // the link cannot carry disaggregated serving.
    if p.binding == Binding::KvTransfer && p.requests_per_second < p.decode.rate {
        if let Some((needed, available, link)) = link_shortfall {
            return Err(Infeasible::KvLink { needed, available, link });
        }
    }
    let tokens = p.requests_per_second * w.output_tokens;
    let decode_used = (p.requests_per_second / (f64::from(p.decode_replicas) * p.decode.rate)).min(1.0);
    let prefill_used = (p.requests_per_second / (f64::from(p.prefill_replicas) * p.prefill.rate)).min(1.0);
    Ok(Disaggregated {
        estimate: Estimate {
            system: system.id.clone(),
            model: model.id.clone(),
            precision,
            gpus,
            tokens_per_second: tokens,
            tokens_per_second_per_gpu: tokens / f64::from(gpus.max(1)),
            replicas: p.decode_replicas,
            parallelism: Parallelism {
                tensor: p.decode.split.tensor,
                pipeline: p.decode.split.pipeline,
                expert: p.decode.split.expert,
                data: p.decode_replicas,
            },
            batch: p.decode.batch,
            ttft_ms: p.ttft * 1e3,
            tpot_ms: p.decode.tpot * 1e3,
            bound: match p.binding {
                Binding::Prefill => p.prefill.bound,
                Binding::Decode => p.decode.bound,
                Binding::KvTransfer => Bound::Communication,
            },
            speculative: p.decode.mtp,
            // The kernel's binding names of the pool that limits: a pool held to its latency
            // limit binds on it, else on its throughput.
            binding: match p.binding {
                Binding::Prefill if ttft_limit.is_some() => super::Binding::Ttft,
                Binding::Decode if tpot_limit.is_some() => super::Binding::Tpot,
                Binding::Prefill | Binding::Decode | Binding::KvTransfer => super::Binding::Compute,
            },
        },
        prefill: Pool {
            gpus: p.prefill_gpus,
            parallelism: Parallelism {
                tensor: p.prefill.split.tensor,
                pipeline: p.prefill.split.pipeline,
                expert: p.prefill.split.expert,
                data: p.prefill_replicas,
            },
            batch: 1.0,
            utilisation: prefill_used,
        },
        decode: Pool {
            gpus: p.decode_gpus,
            parallelism: Parallelism {
                tensor: p.decode.split.tensor,
                pipeline: p.decode.split.pipeline,
                expert: p.decode.split.expert,
                data: p.decode_replicas,
            },
            batch: p.decode.batch,
            utilisation: decode_used,
        },
        kv_link: p.link,
        kv_bytes_per_request: kv,
        kv_bytes_per_second: p.requests_per_second * kv,
        kv_link_bytes_per_second: p.link_capacity,
        requests_per_second: p.requests_per_second,
        binding: p.binding,
        domains: gpus / domain.max(1),
        domain_gpus: domain,
    })
}

/// Prefill and decode replicas per domain when both pools share every NVLink domain: each domain
/// holds `np` prefill and `nd` decode replicas, and every domain is laid out alike. Returns the
/// totals of each packing worth trying (at most one per prefill count).
fn colocated(gpus: u32, domain: u32, gp: u32, gd: u32) -> Vec<(u32, u32)> {
    if gp.saturating_add(gd) > domain || gp == 0 || gd == 0 {
        return Vec::new();
    }
    let domains = gpus / domain;
    (1..=domain / gp)
        .filter_map(|np| {
            let nd = (domain - np * gp) / gd;
            (nd > 0).then_some((np.saturating_mul(domains), nd.saturating_mul(domains)))
        })
        .collect()
}

/// Prefill and decode replicas when the pools take whole NVLink domains of their own: the ratio of
/// domains that balances the pools' rates, rounded both ways. Constant work at any size.
fn separate(
    system: &SystemSpec,
    gpus: u32,
    domain: u32,
    gp: u32,
    gd: u32,
    prefill_rate: f64,
    decode_rate: f64,
) -> Vec<(u32, u32)> {
    let domains = gpus / domain;
    if domains < 2 {
        return Vec::new();
    }
    let per = |k: u32, g: u32| placeable_replicas(system, k.saturating_mul(domain), g);
    // Requests/s of one domain of each pool (replicas wider than a domain take several).
    let span = |g: u32| g.div_ceil(domain).max(1);
    let p_dom = prefill_rate * f64::from(per(span(gp), gp)) / f64::from(span(gp));
    let d_dom = decode_rate * f64::from(per(span(gd), gd)) / f64::from(span(gd));
    if p_dom <= 0.0 || d_dom <= 0.0 {
        return Vec::new();
    }
    let balanced = f64::from(domains) * d_dom / (p_dom + d_dom);
    let base = balanced.floor().max(1.0).min(f64::from(domains - 1)) as u32;
    let mut out = Vec::new();
    for k in [base.saturating_sub(1), base, base.saturating_add(1), base.saturating_add(2)] {
        if k >= 1 && k < domains {
            out.push((per(k, gp), per(domains - k, gd)));
        }
    }
    out
}
