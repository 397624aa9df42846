//! The throughput–interactivity frontier: the most output tokens/s per GPU at each tokens/s per user.
//!
//! The curve SemiAnalysis InferenceMAX publishes and NVIDIA plots for AI-factory revenue. It is
//! traced with the searches themselves: for a sweep of TPOT limits (geometric, from the lowest p99
//! TPOT any configuration reaches to the offline one), the aggregated search (`estimate`) and the
//! disaggregated one (`disaggregated::estimate`) each return their best configuration over
//! parallelism, batch and speculative decoding; the points no other point beats on both axes are
//! the frontier. TTFT is left unbounded and reported per point. A fixed number of searches per
//! mode, so the work grows with the searches' own (logarithmic) split lists, not with the GPUs.

use super::disaggregated::{self, Mode};
use super::efficiency::Efficiency;
use super::spec::{ModelSpec, Precision, Request, Slo, SystemSpec};
use super::{Estimate, Limit, Parallelism};

/// TPOT limits swept per mode between the fastest reachable and the offline point.
const STEPS: u32 = 32;

/// One configuration on (or considered for) the frontier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub tokens_per_second_per_gpu: f64,
    /// 1000 / TPOT (mean), the rate one user sees.
    pub tokens_per_second_per_user: f64,
    /// Output tokens/s per MW of the power given per GPU.
    pub tokens_per_second_per_mw: f64,
    pub ttft_ms: f64,
    pub tpot_ms: f64,
    pub mode: Mode,
    /// Split of the (decode) replicas; `data` is their count.
    pub parallelism: Parallelism,
    /// Concurrent sequences per (decode) replica.
    pub batch: f64,
}

/// Everything the frontier is computed for.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub system: &'a SystemSpec,
    pub model: &'a ModelSpec,
    pub precision: Precision,
    /// Token lengths; its SLO is ignored (the sweep sets the TPOT limit, TTFT stays unbounded).
    pub request: &'a Request,
    pub gpus: u32,
    /// Facility watts drawn per GPU (the system's power over its GPUs, times the PUE).
    pub watts_per_gpu: f64,
}

fn with_tpot(request: &Request, tpot_s: Option<f64>) -> Request {
    Request { slo: tpot_s.map(|t| Slo { ttft_s: f64::INFINITY, tpot_s: t }), ..request.clone() }
}

/// The best configuration of `mode` under a p99 TPOT limit (`None`: offline).
pub fn best(inputs: &Inputs, mode: Mode, tpot_s: Option<f64>, eff: &Efficiency) -> Option<Estimate> {
    let r = with_tpot(inputs.request, tpot_s);
    match mode {
        Mode::Aggregated => super::estimate(inputs.system, inputs.model, inputs.precision, &r, inputs.gpus, eff).ok(),
        Mode::Disaggregated => {
            disaggregated::estimate(inputs.system, inputs.model, inputs.precision, &r, inputs.gpus, eff)
                .ok()
                .map(|d| d.estimate)
        }
    }
}

/// The lowest p99 TPOT `mode` reaches, seconds.
fn fastest(inputs: &Inputs, mode: Mode, eff: &Efficiency) -> Option<f64> {
    let r = with_tpot(inputs.request, Some(1e-12));
    let best = match mode {
        Mode::Aggregated => {
            match super::estimate(inputs.system, inputs.model, inputs.precision, &r, inputs.gpus, eff) {
                Err(e) if e.limit == Limit::Tpot => Some(e.best),
                Err(_) | Ok(_) => None,
            }
        }
        Mode::Disaggregated => {
            match disaggregated::estimate(inputs.system, inputs.model, inputs.precision, &r, inputs.gpus, eff) {
                Err(disaggregated::Infeasible::Tpot { best, .. }) => Some(best),
                Err(_) | Ok(_) => None,
            }
        }
    };
    best.filter(|b| b.is_finite() && *b > 0.0)
}

fn point(e: &Estimate, mode: Mode, watts_per_gpu: f64) -> Option<Point> {
    let p = Point {
        tokens_per_second_per_gpu: e.tokens_per_second_per_gpu,
        tokens_per_second_per_user: 1e3 / e.tpot_ms,
        tokens_per_second_per_mw: if watts_per_gpu > 0.0 {
            e.tokens_per_second_per_gpu / watts_per_gpu * 1e6
        } else {
            0.0
        },
        ttft_ms: e.ttft_ms,
        tpot_ms: e.tpot_ms,
        mode,
        parallelism: e.parallelism,
        batch: e.batch,
    };
    let finite = [p.tokens_per_second_per_gpu, p.tokens_per_second_per_user, p.tokens_per_second_per_mw, p.ttft_ms]
        .iter()
        .all(|x| x.is_finite());
    (finite && p.tokens_per_second_per_gpu > 0.0).then_some(p)
}

/// Every point the sweep considers for `mode`, dominated or not.
fn sweep(inputs: &Inputs, mode: Mode, eff: &Efficiency) -> Vec<Point> {
    let mut out = Vec::new();
    let Some(offline) = best(inputs, mode, None, eff) else {
        return out;
    };
    out.extend(point(&offline, mode, inputs.watts_per_gpu));
    let Some(lo) = fastest(inputs, mode, eff) else {
        return out;
    };
    // The offline point's p99 TPOT bounds the sweep above: looser limits change nothing.
    let hi = (eff.latency_tail * offline.tpot_ms / 1e3).max(lo * 1.01);
    let ratio = (hi / lo).powf(1.0 / f64::from(STEPS));
    for k in 0..=STEPS {
        let limit = lo * ratio.powi(k as i32) * (1.0 + 1e-9);
        if let Some(e) = best(inputs, mode, Some(limit), eff) {
            out.extend(point(&e, mode, inputs.watts_per_gpu));
        }
    }
    out
}

/// The points no other point beats on both tokens/s per GPU and tokens/s per user, sorted by
/// rising interactivity (so falling throughput). Ties keep the first in mode order.
pub fn pareto(mut points: Vec<Point>) -> Vec<Point> {
    points.sort_by(|a, b| {
        b.tokens_per_second_per_user
            .total_cmp(&a.tokens_per_second_per_user)
            .then(b.tokens_per_second_per_gpu.total_cmp(&a.tokens_per_second_per_gpu))
    });
    let mut kept: Vec<Point> = Vec::new();
    let mut best = f64::NEG_INFINITY;
    for p in points {
        if p.tokens_per_second_per_gpu > best {
            best = p.tokens_per_second_per_gpu;
            kept.push(p);
        }
    }
    kept.reverse();
    kept
}

/// The frontier over both serving modes (or only the `modes` given).
pub fn frontier(inputs: &Inputs, modes: &[Mode], eff: &Efficiency) -> Vec<Point> {
    pareto(modes.iter().flat_map(|m| sweep(inputs, *m, eff)).collect())
}

/// The most tokens/s per GPU any configuration of `modes` reaches at a mean TPOT of at most
/// `tpot_ms` (TTFT unbounded): the frontier's height at an operating point's interactivity.
pub fn at_interactivity(inputs: &Inputs, modes: &[Mode], tpot_ms: f64, eff: &Efficiency) -> Option<f64> {
    // The searches bound the p99; the mean at the limit is the p99 over the tail factor.
    let limit = eff.latency_tail * tpot_ms / 1e3 * (1.0 + 1e-9);
    modes
        .iter()
        .filter_map(|m| best(inputs, *m, Some(limit), eff))
        .map(|e| e.tokens_per_second_per_gpu)
        .fold(None, |acc: Option<f64>, x| Some(acc.map_or(x, |a| a.max(x))))
}
