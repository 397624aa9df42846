//! The search for the best serving configuration: splits, batch and speculative decoding.

use super::efficiency::Efficiency;
use super::spec::{ModelSpec, Precision, Request, SystemSpec};
use super::step_time::{Split, Tick, Workload, MTP_ACCEPTANCE, MTP_DRAFT_TOKENS};
use super::{Bound, Estimate, Infeasible, Limit, MemoryFit, Parallelism};

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
    tpot: f64,
    ttft: f64,
    tick: Tick,
    prefill_share: f64,
}

/// Throughput and latency of a replica running `batch` sequences.
fn evaluate(w: &Workload, s: Split, batch: f64, mtp: bool, eff: &Efficiency) -> Point {
    let pp = f64::from(s.pipeline.max(1));
    let (verified, accepted) =
        if mtp { (1.0 + MTP_DRAFT_TOKENS, 1.0 + MTP_ACCEPTANCE * MTP_DRAFT_TOKENS) } else { (1.0, 1.0) };
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
    }
}

/// Best point of one split: the knee batch offline, the largest batch meeting the SLO otherwise.
/// `Err` carries the best (p99) TTFT and TPOT reachable when even a batch of one misses.
fn best_for_split(
    w: &Workload,
    s: Split,
    mtp: bool,
    request: &Request,
    eff: &Efficiency,
) -> Option<Result<Point, (f64, f64)>> {
    let ranks = f64::from(s.expert.max(1)) * f64::from(s.pipeline.max(1));
    let max_batch = w.max_batch(s).min((eff.max_batch_per_rank * ranks).floor());
    if max_batch < 1.0 {
        return None;
    }
    let top = evaluate(w, s, max_batch, mtp, eff);
    match request.slo {
        None => {
            let target = KNEE * top.tokens_per_s;
            let b = bisect(1.0, max_batch, |b| evaluate(w, s, b, mtp, eff).tokens_per_s >= target);
            Some(Ok(evaluate(w, s, b, mtp, eff)))
        }
        Some(slo) => {
            let tail = eff.latency_tail;
            let meets = |p: &Point| tail * p.tpot <= slo.tpot_s && tail * p.ttft <= slo.ttft_s;
            let one = evaluate(w, s, 1.0, mtp, eff);
            if !meets(&one) {
                return Some(Err((tail * one.ttft, tail * one.tpot)));
            }
            if meets(&top) {
                return Some(Ok(top));
            }
            // Latency grows with the batch; find the largest batch that still meets the SLO.
            let b = bisect_last(1.0, max_batch, |b| meets(&evaluate(w, s, b, mtp, eff)));
            Some(Ok(evaluate(w, s, b, mtp, eff)))
        }
    }
}

/// Smallest integer batch in [lo, hi] for which `ok` holds, given `ok(hi)`.
fn bisect(lo: f64, hi: f64, ok: impl Fn(f64) -> bool) -> f64 {
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
fn bisect_last(lo: f64, hi: f64, ok: impl Fn(f64) -> bool) -> f64 {
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
            match best_for_split(&w, s, mtp, request, eff) {
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
    })
}
