//! The search for the best serving configuration: splits, batch and speculative decoding.

use super::efficiency::Efficiency;
use super::spec::{ModelSpec, Precision, Request, SystemSpec, Z99};
use super::step_time::{Split, Tick, Workload, MTP_DRAFT_TOKENS};
use super::{Binding, Bound, Estimate, Infeasible, Limit, MemoryFit, Parallelism};

/// Offline runs pick the smallest batch within this fraction of the best throughput: past the
/// knee, a bigger batch only lengthens every request's latency.
const KNEE: f64 = 0.99;
/// Pipeline depths tried.
const MAX_PIPELINE: u32 = 16;

/// Every split of at most `gpus` GPUs the hardware allows: tensor parallelism inside the NVLink
/// domain, expert parallelism inside it or across it (wide EP over the scale-out network),
/// pipeline parallelism anywhere. Ordered by GPUs, then tensor, then expert, so ties go to the
/// smallest replica.
pub fn splits(system: &SystemSpec, model: &ModelSpec, gpus: u32) -> Vec<Split> {
    let domain = system.nvlink_domain.max(1);
    let heads = model.attention.heads().max(1);
    let powers = |limit: u32| {
        let mut v = Vec::new();
        let mut x = 1u32;
        while x <= limit {
            v.push(x);
            x = x.saturating_mul(2);
            if x == 0 {
                break;
            }
        }
        v
    };
    let tensors: Vec<u32> =
        powers(domain.min(heads).min(gpus)).into_iter().filter(|t| domain.is_multiple_of(*t)).collect();
    let mut experts = vec![1u32];
    if let Some(e) = &model.experts {
        for x in powers(e.total.min(gpus)) {
            if x > 1 {
                experts.push(x);
            }
        }
        // Whole NVLink domains (72 on NVL72) and multiples of them: wide EP with redundant
        // expert slots when the count does not divide evenly.
        // Every multiple up to 1,024 GPUs, then steps of about a tenth: the options grow with
        // the logarithm of the workload, not with it.
        let listed = |m: u32| m.is_power_of_two() && m <= e.total.min(gpus);
        let mut m = domain;
        while m <= gpus && domain > 1 {
            if !listed(m) {
                experts.push(m);
            }
            let step = if m < 1024 { domain } else { (m / 10 / domain).max(1).saturating_mul(domain) };
            m = m.saturating_add(step);
        }
        // Whole fractions of the workload (one to eight replicas) stay options at any size.
        for k in 1..=8u32 {
            let m = gpus / k / domain.max(1) * domain;
            if domain > 1 && m >= domain && !listed(m) {
                experts.push(m);
            }
        }
        experts.sort_unstable();
        experts.dedup();
    }
    let mut out = Vec::new();
    for &t in &tensors {
        for &e in &experts {
            let te = t.saturating_mul(e);
            if te == 0 || te > gpus {
                continue;
            }
            // Expert groups wider than the domain must hold whole tensor groups per domain.
            if te > domain && !domain.is_multiple_of(t) {
                continue;
            }
            for p in 1..=MAX_PIPELINE {
                let g = te.saturating_mul(p);
                if g > gpus {
                    break;
                }
                // Pipeline stages go across hosts, once tensor and expert groups fill one: inside
                // a host, tensor parallelism does the same job without pipeline bubbles.
                if p > 1 && te < system.host_gpus.max(1).min(gpus) {
                    continue;
                }
                out.push(Split { tensor: t, pipeline: p, expert: e });
            }
        }
    }
    out.sort_by_key(|s| (s.gpus(), s.tensor, s.expert, s.pipeline));
    out
}

/// Replicas of `replica` GPUs that fit `gpus` GPUs when no replica may straddle two NVLink domains:
/// a 72-GPU NVL72 rack holds two 32-GPU replicas, not 2.25, so 5,760 GPUs hold 160 of them, not 180.
/// Replicas larger than a domain take whole domains.
pub fn placeable_replicas(system: &SystemSpec, gpus: u32, replica: u32) -> u32 {
    let replica = replica.max(1);
    let domain = system.nvlink_domain.max(1);
    if replica > domain {
        let domains_each = replica.div_ceil(domain);
        return (gpus / domain) / domains_each;
    }
    (gpus / domain) * (domain / replica) + (gpus % domain) / replica
}

/// Memory fit of one replica: the smallest split that holds the weights and one request.
pub fn memory_fit(
    system: &SystemSpec,
    model: &ModelSpec,
    precision: Precision,
    request: &Request,
    gpus: u32,
) -> MemoryFit {
    let w = Workload::new(system, model, precision, request);
    let needed_per_request = w.kv_capacity_per_seq;
    let available = system.gpu.memory_bytes * f64::from(gpus);
    let weights = w.weights.total();
    let smallest = splits(system, model, gpus).into_iter().find(|s| w.max_batch(*s) >= 1.0);
    let (gpus_per_replica, parallelism) = match smallest {
        Some(s) => (
            s.gpus(),
            Some(Parallelism {
                tensor: s.tensor,
                pipeline: s.pipeline,
                expert: s.expert,
                data: gpus / s.gpus().max(1),
            }),
        ),
        None => (0, None),
    };
    let reserve = system.gpu.memory_bytes * super::step_time::RUNTIME_RESERVE * f64::from(gpus_per_replica.max(1));
    MemoryFit {
        fits: smallest.is_some(),
        gpus_per_replica,
        parallelism,
        weight_bytes: weights,
        dense_weight_bytes: w.weights.dense + w.weights.embedding,
        routed_weight_bytes: w.weights.routed,
        kv_bytes_per_request: needed_per_request,
        reserve_bytes: reserve,
        needed_bytes: weights + needed_per_request + reserve,
        available_bytes: available,
    }
}

/// One evaluated operating point.
#[derive(Debug, Clone, Copy)]
struct Point {
    split: Split,
    batch: f64,
    mtp: bool,
    tokens_per_s: f64,
    /// Mean time per output token at this batch.
    tpot: f64,
    /// Mean time to first token on an idle rank: the prompt's prefill plus one step.
    ttft: f64,
    tick: Tick,
    prefill_share: f64,
    /// Tokens each sequence gains per step (1, or more with accepted MTP drafts).
    accepted: f64,
    binding: Binding,
}

/// Throughput and latency of a replica running `batch` sequences.
fn evaluate(w: &Workload, s: Split, batch: f64, mtp: bool, eff: &Efficiency) -> Point {
    let pp = f64::from(s.pipeline.max(1));
    let acceptance = w.model.mtp_acceptance.clamp(0.0, 1.0);
    let (verified, accepted) =
        if mtp { (1.0 + MTP_DRAFT_TOKENS, 1.0 + acceptance * MTP_DRAFT_TOKENS) } else { (1.0, 1.0) };
    let micro = (batch / pp).max(1.0 / pp);
    let tick = w.decode_tick(s, micro, verified, eff);
    let step = pp * tick.total();
    let prefill = w.prefill(s, eff);
    // Little's law in steady state: every step, batch × accepted / osl requests finish and as
    // many prompts must be prefilled; their work lengthens the step every sequence waits for.
    let prefill_share = batch * accepted / w.output_tokens * prefill.busy;
    let tpot = (step + prefill_share) / accepted;
    Point {
        split: s,
        batch,
        mtp,
        tokens_per_s: batch / tpot.max(1e-12),
        tpot,
        ttft: prefill.ttft + step,
        tick,
        prefill_share,
        accepted,
        binding: Binding::Compute,
    }
}

/// The 99th-percentile latencies of a replica serving Poisson arrivals at a mean of `batch`
/// sequences in flight, and whether its KV cache holds the p99 in-flight count.
#[derive(Debug, Clone, Copy)]
struct Tail {
    tpot: f64,
    ttft: f64,
    fits: bool,
}

/// p99 latencies at mean batch `mean.batch` (see `docs/throughput-model.md`, "Scenarios"):
/// - the in-flight count of an M/G/∞ system is Poisson, and long-tailed output lengths add the
///   variance of the context each sequence carries. Requests go to the least-loaded of the
///   workload's `R` replicas (as Dynamo's and vLLM's routers send them), so the whole workload
///   fluctuates as one pool spread over its replicas: the p99 step runs
///   `B + z·√(B·(1 + cv²) / R)` sequences, and with them the prefill chunks of as many arrivals;
/// - a new prompt queues behind the prefills already waiting: with prefill utilisation ρ, the
///   waiting time of a queue with Poisson arrivals has an exponential tail, whose p99 is
///   `ttft_prefill · ln(100ρ) / (1 − ρ)` for exponential service; prefill times of prompts of
///   a given mean length vary far less, and Kingman's `(c_a² + c_s²) / 2` with `c_s = 0`
///   halves it;
/// - `latency_tail` is the fitted residual (scheduling jitter, stragglers) on the step and
///   prefill times, not on the queueing wait, which is already a p99.
fn tail(w: &Workload, mean: &Point, max_batch: f64, cv: f64, replicas: u32, eff: &Efficiency) -> Tail {
    let b = mean.batch;
    let peak_batch = b + Z99 * (b * (1.0 + cv * cv) / f64::from(replicas.max(1))).sqrt();
    let fits = b <= 1.0 || peak_batch <= max_batch;
    let peak = evaluate(w, mean.split, peak_batch.min(max_batch.max(1.0)), mean.mtp, eff);
    let busy = (mean.tpot * mean.accepted).max(1e-12);
    let rho = (mean.prefill_share / busy).clamp(0.0, 1.0);
    let step = peak.tpot * peak.accepted - peak.prefill_share;
    let prefill_ttft = (mean.ttft - (mean.tpot * mean.accepted - mean.prefill_share)).max(0.0);
    let wait = if rho >= 0.99 { f64::INFINITY } else { 0.5 * prefill_ttft * (100.0 * rho).ln().max(0.0) / (1.0 - rho) };
    Tail { tpot: eff.latency_tail * peak.tpot, ttft: eff.latency_tail * (prefill_ttft + step.max(0.0)) + wait, fits }
}

/// Best point of one split: the knee batch offline, the largest batch meeting the SLO otherwise.
/// `Err` carries the best (p99) TTFT and TPOT reachable when even a batch of one misses.
fn best_for_split(
    w: &Workload,
    s: Split,
    mtp: bool,
    request: &Request,
    replicas: u32,
    eff: &Efficiency,
) -> Option<Result<Point, (f64, f64)>> {
    let ranks = f64::from(s.expert.max(1)) * f64::from(s.pipeline.max(1));
    let kv_batch = w.max_batch(s);
    let engine_batch = (eff.max_batch_per_rank * ranks).floor();
    let max_batch = kv_batch.min(engine_batch);
    if max_batch < 1.0 {
        return None;
    }
    // The cap that stops the batch at `max_batch`: the KV cache, or the engine's batch limit.
    let cap = if kv_batch <= engine_batch { Binding::Memory } else { Binding::Compute };
    let top = evaluate(w, s, max_batch, mtp, eff);
    match request.slo {
        None => {
            let target = KNEE * top.tokens_per_s;
            let b = bisect(1.0, max_batch, |b| evaluate(w, s, b, mtp, eff).tokens_per_s >= target);
            let binding = if b >= max_batch.floor() { cap } else { Binding::Compute };
            Some(Ok(Point { binding, ..evaluate(w, s, b, mtp, eff) }))
        }
        Some(slo) => {
            let cv = request.output_length_cv.max(0.0);
            // The first limit a batch of `b` breaks, if any.
            let broken = |b: f64| -> Option<Binding> {
                let mean = evaluate(w, s, b, mtp, eff);
                let t = tail(w, &mean, max_batch, cv, replicas, eff);
                if t.tpot > slo.tpot_s {
                    Some(Binding::Tpot)
                } else if t.ttft > slo.ttft_s {
                    Some(Binding::Ttft)
                } else if !t.fits {
                    Some(cap)
                } else {
                    None
                }
            };
            let one = evaluate(w, s, 1.0, mtp, eff);
            let one_tail = tail(w, &one, max_batch, cv, replicas, eff);
            if one_tail.tpot > slo.tpot_s || one_tail.ttft > slo.ttft_s {
                return Some(Err((one_tail.ttft, one_tail.tpot)));
            }
            // Latency and the p99 in-flight count grow with the batch: find the largest batch
            // that still meets every limit, and name the one the next batch would break.
            let b = bisect_last(1.0, max_batch, |b| broken(b).is_none());
            let binding = if b >= max_batch.floor() { cap } else { broken(b + 1.0).unwrap_or(cap) };
            Some(Ok(Point { binding, ..evaluate(w, s, b, mtp, eff) }))
        }
    }
}

/// Smallest integer batch in [lo, hi] for which `ok` holds, given `ok(hi)`.
pub(super) fn bisect(lo: f64, hi: f64, ok: impl Fn(f64) -> bool) -> f64 {
    let (mut lo, mut hi) = (lo.floor(), hi.floor());
    if ok(lo) {
        return lo;
    }
    while hi - lo > 1.0 {
        let mid = ((lo + hi) / 2.0).floor();
        if ok(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// Largest integer batch in [lo, hi] for which `ok` holds, given `ok(lo)`.
pub(super) fn bisect_last(lo: f64, hi: f64, ok: impl Fn(f64) -> bool) -> f64 {
    let (mut lo, mut hi) = (lo.floor(), hi.floor());
    while hi - lo > 1.0 {
        let mid = ((lo + hi) / 2.0).floor();
        if ok(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    if ok(hi) {
        hi
    } else {
        lo
    }
}

fn bound_of(p: &Point) -> Bound {
    let pp = f64::from(p.split.pipeline.max(1));
    let t = &p.tick;
    let memory = if t.memory >= t.compute { t.memory * pp } else { 0.0 };
    let compute = if t.compute > t.memory { t.compute * pp } else { 0.0 } + p.prefill_share;
    let parts = [
        (Bound::MemoryBandwidth, memory),
        (Bound::Compute, compute),
        (Bound::Communication, t.comm * pp),
        (Bound::Latency, t.latency * pp),
    ];
    parts.iter().fold((Bound::MemoryBandwidth, f64::MIN), |acc, &(b, v)| if v > acc.1 { (b, v) } else { acc }).0
}

/// The best serving configuration of `gpus` GPUs. See [`super::estimate`].
pub fn estimate(
    system: &SystemSpec,
    model: &ModelSpec,
    precision: Precision,
    request: &Request,
    gpus: u32,
    eff: &Efficiency,
) -> Result<Estimate, Infeasible> {
    let w = Workload::new(system, model, precision, request);
    // Speculative decoding trades math for latency: maximum-throughput (offline) runs already
    // saturate the math at their batch and leave it off, as the published offline recipes do.
    let mtp_options: &[bool] = if model.mtp_layers > 0 && request.slo.is_some() { &[false, true] } else { &[false] };
    let mut best: Option<(f64, Point)> = None;
    let mut best_ttft = f64::INFINITY;
    let mut best_tpot = f64::INFINITY;
    let mut any_fit = false;
    for s in splits(system, model, gpus) {
        let replicas = placeable_replicas(system, gpus, s.gpus());
        if replicas == 0 {
            continue;
        }
        for &mtp in mtp_options {
            match best_for_split(&w, s, mtp, request, replicas, eff) {
                None => {}
                Some(Err((ttft, tpot))) => {
                    any_fit = true;
                    best_ttft = best_ttft.min(ttft);
                    best_tpot = best_tpot.min(tpot);
                }
                Some(Ok(p)) => {
                    any_fit = true;
                    let total = p.tokens_per_s * f64::from(replicas);
                    if best.as_ref().is_none_or(|(t, _)| total > *t * (1.0 + 1e-9)) {
                        best = Some((total, p));
                    }
                }
            }
        }
    }
    let Some((total, p)) = best else {
        if !any_fit {
            let fit = memory_fit(system, model, precision, request, gpus);
            return Err(Infeasible { limit: Limit::Memory, best: fit.available_bytes, target: fit.needed_bytes });
        }
        return Err(match request.slo {
            Some(slo) if best_ttft > slo.ttft_s => {
                Infeasible { limit: Limit::Ttft, best: best_ttft, target: slo.ttft_s }
            }
            Some(slo) => Infeasible { limit: Limit::Tpot, best: best_tpot, target: slo.tpot_s },
            None => Infeasible { limit: Limit::Memory, best: 0.0, target: 0.0 },
        });
    };
    let replicas = placeable_replicas(system, gpus, p.split.gpus());
    // A latency limit can only take throughput away: the same GPUs run offline at least as
    // fast (speculative decoding, tried only under a limit, cannot lift a result above the
    // offline maximum either). The offline search is the ceiling, and when it binds, the
    // result is the hardware's throughput, not a latency limit.
    let (total, binding) = match request.slo {
        Some(_) => {
            let offline = estimate(system, model, precision, &Request { slo: None, ..request.clone() }, gpus, eff)
                .map(|e| e.tokens_per_second)
                .unwrap_or(f64::INFINITY);
            if total >= offline {
                (offline, Binding::Compute)
            } else {
                (total, p.binding)
            }
        }
        None => (total, p.binding),
    };
    Ok(Estimate {
        system: system.id.clone(),
        model: model.id.clone(),
        precision,
        gpus,
        tokens_per_second: total,
        tokens_per_second_per_gpu: total / f64::from(gpus.max(1)),
        replicas,
        parallelism: Parallelism {
            tensor: p.split.tensor,
            pipeline: p.split.pipeline,
            expert: p.split.expert,
            data: replicas,
        },
        batch: p.batch,
        ttft_ms: p.ttft * 1e3,
        tpot_ms: p.tpot * 1e3,
        bound: bound_of(&p),
        speculative: p.mtp,
        binding,
    })
}
