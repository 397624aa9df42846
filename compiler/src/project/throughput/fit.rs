//! Fitting the efficiency factors on published results, and scoring the model against them.
//!
//! The optimiser is Nelder–Mead on bounded, logit-transformed factors, minimising the mean absolute
//! log error plus a weak pull towards the priors (so factors the data cannot see stay physical).
//! It is deterministic: fixed start, fixed simplex, fixed iteration budget, no randomness.

use super::efficiency::{Efficiency, PARAMETERS};
use super::spec::{ModelSpec, Precision, Request, SystemSpec};

/// One published result.
#[derive(Debug, Clone)]
pub struct CalibrationPoint {
    pub id: String,
    pub system: SystemSpec,
    pub model: ModelSpec,
    pub precision: Precision,
    pub request: Request,
    pub gpus: u32,
    /// Published output tokens/s of all `gpus`.
    pub measured_tokens_per_s: f64,
}

/// Log error `ln(predicted / measured)` of each point; an infeasible prediction counts as a
/// factor-of-ten miss.
pub fn log_errors(points: &[CalibrationPoint], eff: &Efficiency) -> Vec<f64> {
    points
        .iter()
        .map(|p| match super::estimate(&p.system, &p.model, p.precision, &p.request, p.gpus, eff) {
            Ok(e) if e.tokens_per_second > 0.0 && p.measured_tokens_per_s > 0.0 => {
                (e.tokens_per_second / p.measured_tokens_per_s).ln()
            }
            _ => -(10f64.ln()),
        })
        .collect()
}

/// Summary of relative errors `|predicted / measured − 1|`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ErrorStats {
    pub count: usize,
    pub median: f64,
    pub p90: f64,
    pub max: f64,
    /// Share of points within 50 %.
    pub within_50: f64,
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let n = sorted.len();
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
    sorted.get(rank - 1).copied().unwrap_or(0.0)
}

/// Median (mean of the middle two for an even count).
fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    let a = sorted.get((n - 1) / 2).copied().unwrap_or(0.0);
    let b = sorted.get(n / 2).copied().unwrap_or(0.0);
    (a + b) / 2.0
}

/// Relative-error statistics of log errors.
pub fn stats(log_errors: &[f64]) -> ErrorStats {
    let mut rel: Vec<f64> = log_errors.iter().map(|l| (l.exp() - 1.0).abs()).collect();
    rel.sort_by(f64::total_cmp);
    let within = rel.iter().filter(|r| **r <= 0.5).count();
    ErrorStats {
        count: rel.len(),
        median: median(&rel),
        p90: percentile(&rel, 0.9),
        max: rel.last().copied().unwrap_or(0.0),
        within_50: if rel.is_empty() { 0.0 } else { within as f64 / rel.len() as f64 },
    }
}

/// Weight of the pull towards the priors, per factor, in units of squared log ratio.
const PRIOR_WEIGHT: f64 = 0.002;
/// Nelder–Mead iterations (each is one or two model evaluations over all points).
const ITERATIONS: usize = 600;

fn to_unbounded(v: f64, lo: f64, hi: f64) -> f64 {
    let u = ((v - lo) / (hi - lo)).clamp(1e-6, 1.0 - 1e-6);
    (u / (1.0 - u)).ln()
}

fn to_bounded(x: f64, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) / (1.0 + (-x).exp())
}

fn decode(x: &[f64]) -> Efficiency {
    let v: Vec<f64> = PARAMETERS.iter().zip(x).map(|(&(_, lo, hi, _), &xi)| to_bounded(xi, lo, hi)).collect();
    Efficiency::from_slice(&v)
}

/// The objective: mean absolute log error plus the prior pull.
pub fn objective(points: &[CalibrationPoint], eff: &Efficiency) -> f64 {
    let errs = log_errors(points, eff);
    let n = errs.len().max(1) as f64;
    let fit: f64 = errs.iter().map(|e| e.abs()).sum::<f64>() / n;
    let prior: f64 =
        PARAMETERS.iter().zip(eff.to_vec()).map(|(&(_, _, _, p), v)| (v.max(1e-12) / p).ln().powi(2)).sum();
    fit + PRIOR_WEIGHT * prior
}

/// Fits the efficiency factors to `points`, starting from the priors.
pub fn fit(points: &[CalibrationPoint]) -> Efficiency {
    let start: Vec<f64> = PARAMETERS.iter().map(|&(_, lo, hi, p)| to_unbounded(p, lo, hi)).collect();
    let f = |x: &[f64]| objective(points, &decode(x));
    let x = nelder_mead(&f, &start, 0.6, ITERATIONS);
    // Round to four significant digits so the stored table is stable and readable.
    let v: Vec<f64> = decode(&x).to_vec().iter().map(|v| round_sig(*v, 4)).collect();
    Efficiency::from_slice(&v)
}

/// Rounds to `digits` significant digits.
pub fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// Nelder–Mead minimisation from `start` with an initial simplex of `step` along each axis.
pub fn nelder_mead(f: &dyn Fn(&[f64]) -> f64, start: &[f64], step: f64, iterations: usize) -> Vec<f64> {
    let n = start.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    simplex.push((start.to_vec(), f(start)));
    for i in 0..n {
        let mut x = start.to_vec();
        if let Some(xi) = x.get_mut(i) {
            *xi += step;
        }
        let fx = f(&x);
        simplex.push((x, fx));
    }
    let combine =
        |a: &[f64], b: &[f64], t: f64| -> Vec<f64> { a.iter().zip(b).map(|(ai, bi)| ai + t * (bi - ai)).collect() };
    for _ in 0..iterations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let Some((worst, f_worst)) = simplex.last().cloned() else {
            break;
        };
        let best_f = simplex.first().map_or(f64::INFINITY, |s| s.1);
        let second_worst_f = simplex.get(n.saturating_sub(1)).map_or(f64::INFINITY, |s| s.1);
        let mut centroid = vec![0.0; n];
        for (x, _) in simplex.iter().take(n) {
            for (c, xi) in centroid.iter_mut().zip(x) {
                *c += xi / n as f64;
            }
        }
        let reflected = combine(&centroid, &worst, -1.0);
        let f_r = f(&reflected);
        let replacement = if f_r < best_f {
            let expanded = combine(&centroid, &worst, -2.0);
            let f_e = f(&expanded);
            if f_e < f_r {
                Some((expanded, f_e))
            } else {
                Some((reflected, f_r))
            }
        } else if f_r < second_worst_f {
            Some((reflected, f_r))
        } else {
            let contracted = combine(&centroid, &worst, 0.5);
            let f_c = f(&contracted);
            if f_c < f_worst {
                Some((contracted, f_c))
            } else {
                None
            }
        };
        match replacement {
            Some(r) => {
                if let Some(last) = simplex.last_mut() {
                    *last = r;
                }
            }
            None => {
                // Shrink towards the best vertex.
                let Some(best) = simplex.first().map(|s| s.0.clone()) else {
                    break;
                };
                for v in simplex.iter_mut().skip(1) {
                    let x = combine(&best, &v.0, 0.5);
                    let fx = f(&x);
                    *v = (x, fx);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex.into_iter().next().map(|s| s.0).unwrap_or_else(|| start.to_vec())
}

/// A p10–p90 band as factors on an estimate: the true value lies between `low × estimate` and
/// `high × estimate` for 80 % of held-out results.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandFactors {
    pub low: f64,
    pub high: f64,
}

/// The bands the model's own held-out errors give, and what the fit saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bands {
    /// A model and a GPU that both have calibration rows: errors of pairings and scenario classes
    /// held out of the fit.
    pub calibrated: BandFactors,
    /// A model without calibration rows: errors of whole models held out.
    pub new_model: BandFactors,
    /// A GPU without calibration rows: errors of whole GPUs held out.
    pub new_gpu: BandFactors,
    /// Catalog ids of the models the fit saw.
    pub models: &'static [&'static str],
    /// Their shapes (layers, hidden size, routed experts): a model of the same shape under
    /// another id (Llama 3.1 70B and 3.3 70B) is as calibrated as they are.
    pub model_shapes: &'static [(u32, u32, u32)],
    /// Catalog ids of the GPUs the fit saw.
    pub gpus: &'static [&'static str],
}

/// The p10–p90 band of the truth given an estimate, from held-out log errors
/// `ln(predicted / measured)`: the truth is `estimate × exp(−error)`. Always contains the
/// estimate itself; rounded to four significant digits so the stored table is stable.
pub fn band_factors(held_out_log_errors: &[f64]) -> BandFactors {
    let mut e: Vec<f64> = held_out_log_errors.iter().copied().filter(|x| x.is_finite()).collect();
    e.sort_by(f64::total_cmp);
    if e.is_empty() {
        return BandFactors { low: 1.0, high: 1.0 };
    }
    let q10 = percentile(&e, 0.1);
    let q90 = percentile(&e, 0.9);
    BandFactors { low: round_sig((-q90).exp().min(1.0), 4), high: round_sig((-q10).exp().max(1.0), 4) }
}

/// Whether the band holds a result whose estimate missed by `log_error`.
pub fn band_contains(band: BandFactors, log_error: f64) -> bool {
    let truth_over_estimate = (-log_error).exp();
    truth_over_estimate >= band.low * (1.0 - 1e-9) && truth_over_estimate <= band.high * (1.0 + 1e-9)
}

/// Share of held-out points inside a band built without their group: for each group, the band
/// comes from the other groups' held-out errors only, so no point judges a band it helped make.
pub fn band_coverage(groups: &[Vec<f64>]) -> f64 {
    let mut inside = 0usize;
    let mut total = 0usize;
    for (i, g) in groups.iter().enumerate() {
        let others: Vec<f64> =
            groups.iter().enumerate().filter(|(j, _)| *j != i).flat_map(|(_, o)| o.iter().copied()).collect();
        let band = band_factors(&others);
        inside += g.iter().filter(|e| band_contains(band, **e)).count();
        total += g.len();
    }
    if total == 0 {
        0.0
    } else {
        inside as f64 / total as f64
    }
}
