//! Calibration of the throughput model against 98 published MLPerf and TensorRT-LLM results.
//!
//! `UPDATE_CALIBRATION=1 cargo test -p millwright --test throughput_calibration` re-fits the
//! efficiency factors, rewrites `src/project/throughput/fitted.rs` and the error tables of
//! `docs/throughput-model.md`. Without it, the tests fail when either is stale.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use millwright::project::throughput::fit::{self, BandFactors, CalibrationPoint, ErrorStats};
use millwright::project::throughput::{
    self as tp, Efficiency, ModelSpec, Precision, Request, Slo, SystemSpec, PARAMETERS,
};
use millwright::project::workloads;
use std::collections::BTreeMap;
use std::path::PathBuf;

const CSV: &str = include_str!("../compiler/data/calibration/throughput-calibration.csv");

/// One CSV row, as published.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    round: String,
    model: String,
    system: String,
    gpus: u32,
    precision: Precision,
    scenario: String,
    isl: f64,
    osl: f64,
    ttft_ms: Option<f64>,
    tpot_ms: Option<f64>,
    tokens_per_s: f64,
    /// Catalog id of the system's GPU (filled in from the catalog).
    gpu: String,
}

/// Splits one CSV line, honouring double-quoted fields.
fn split_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
    out
}

fn rows() -> Vec<Row> {
    let mut lines = CSV.lines();
    let header = split_line(lines.next().expect("header"));
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (id, round, model, system, gpus, precision, scenario) =
        (col("id"), col("round"), col("model"), col("system"), col("gpus"), col("precision"), col("scenario"));
    let (isl, osl, ttft, tpot, tps) = (col("isl"), col("osl"), col("ttft_ms"), col("tpot_ms"), col("tokens_per_s"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f = split_line(l);
            let text = |i: usize| f.get(i).cloned().unwrap_or_default();
            let num = |i: usize| text(i).parse::<f64>().ok();
            Row {
                id: text(id),
                round: text(round),
                model: text(model),
                system: text(system),
                gpus: text(gpus).parse().expect("gpus"),
                precision: match text(precision).as_str() {
                    "fp4" => Precision::Fp4,
                    "fp8" => Precision::Fp8,
                    "bf16" => Precision::Bf16,
                    other => panic!("precision {other}"),
                },
                scenario: text(scenario),
                isl: num(isl).expect("isl"),
                osl: num(osl).expect("osl"),
                ttft_ms: num(ttft),
                tpot_ms: num(tpot),
                tokens_per_s: num(tps).expect("tokens_per_s"),
                gpu: String::new(),
            }
        })
        .collect()
}

/// The calibration systems and models, from the catalog (the same parts blueprints use).
fn calibration_specs() -> (BTreeMap<String, SystemSpec>, BTreeMap<String, ModelSpec>) {
    let session = millwright::Session::new();
    let catalog = &session.catalog;
    let mut systems = BTreeMap::new();
    let mut models = BTreeMap::new();
    for r in rows() {
        let system = catalog.system(&r.system).expect("calibration system in the catalog");
        let gpu = &catalog[system.gpu];
        systems.insert(r.system.clone(), workloads::system_spec(system, gpu));
        let model = catalog.model(&r.model).expect("calibration model in the catalog");
        models.insert(r.model.clone(), workloads::model_spec(model));
    }
    (systems, models)
}

fn points() -> Vec<(Row, CalibrationPoint)> {
    let (systems, models) = calibration_specs();
    let session = millwright::Session::new();
    rows()
        .into_iter()
        .map(|mut r| {
            let catalog_system = session.catalog.system(&r.system).expect("calibration system in the catalog");
            r.gpu = session.catalog[catalog_system.gpu].id.clone();
            let system = systems.get(&r.system).expect("system").clone();
            let model = models.get(&r.model).expect("model").clone();
            let slo = match (r.ttft_ms, r.tpot_ms) {
                (Some(ttft), Some(tpot)) => Some(Slo { ttft_s: ttft / 1e3, tpot_s: tpot / 1e3 }),
                _ => None,
            };
            let p = CalibrationPoint {
                id: r.id.clone(),
                system,
                model,
                precision: r.precision,
                request: Request {
                    input_tokens: r.isl,
                    output_tokens: r.osl,
                    // TensorRT-LLM runs use fixed lengths; MLPerf datasets are natural text, whose
                    // output lengths are taken as exponential-like (cv 1) for every benchmark.
                    output_length_cv: if r.round.starts_with("trtllm") { 0.0 } else { 1.0 },
                    slo,
                },
                gpus: r.gpus,
                measured_tokens_per_s: r.tokens_per_s,
            };
            (r, p)
        })
        .collect()
}

fn class(model: &ModelSpec) -> &'static str {
    if model.is_fine_grained_moe() {
        "fine-grained MoE"
    } else if model.is_moe() {
        "coarse MoE"
    } else {
        "dense"
    }
}

fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

fn stats_line(name: &str, s: &ErrorStats) -> String {
    format!("| {name} | {} | {} | {} | {} | {} |", s.count, pct(s.median), pct(s.p90), pct(s.max), pct(s.within_50))
}

type Selector = Box<dyn Fn(&Row, &CalibrationPoint) -> bool>;

/// Summary table (overall, by class, by source family) of log errors.
fn summary(pairs: &[(Row, CalibrationPoint)], errs: &[f64]) -> String {
    let mut out =
        String::from("| set | points | median abs. error | p90 | max | within 50 % |\n|---|---|---|---|---|---|\n");
    let select = |f: &dyn Fn(&Row, &CalibrationPoint) -> bool| -> Vec<f64> {
        pairs.iter().zip(errs).filter(|((r, p), _)| f(r, p)).map(|(_, e)| *e).collect()
    };
    let groups: Vec<(&str, Selector)> = vec![
        ("all", Box::new(|_, _| true)),
        ("dense", Box::new(|_, p| class(&p.model) == "dense")),
        ("coarse MoE (Mixtral)", Box::new(|_, p| class(&p.model) == "coarse MoE")),
        ("fine-grained MoE", Box::new(|_, p| class(&p.model) == "fine-grained MoE")),
        ("MLPerf offline", Box::new(|r, _| r.round.starts_with('v') && r.scenario == "offline")),
        ("MLPerf server/interactive", Box::new(|r, _| r.scenario != "offline")),
        ("TensorRT-LLM", Box::new(|r, _| r.round.starts_with("trtllm"))),
    ];
    for (name, f) in groups {
        out.push_str(&stats_line(name, &fit::stats(&select(&*f))));
        out.push('\n');
    }
    out
}

/// Per-point table.
fn point_table(pairs: &[(Row, CalibrationPoint)], eff: &Efficiency) -> String {
    let mut out = String::from(
        "| id | measured tok/s | predicted tok/s | error | split (TP×PP×EP, DP) | batch | TPOT ms | bound |\n|---|---|---|---|---|---|---|---|\n",
    );
    for (r, p) in pairs {
        let line = match tp::estimate(&p.system, &p.model, p.precision, &p.request, p.gpus, eff) {
            Ok(e) => format!(
                "| {} | {:.0} | {:.0} | {:+.1} % | {}×{}×{}, {}{} | {:.0} | {:.1} | {} |",
                r.id,
                r.tokens_per_s,
                e.tokens_per_second,
                100.0 * (e.tokens_per_second / r.tokens_per_s - 1.0),
                e.parallelism.tensor,
                e.parallelism.pipeline,
                e.parallelism.expert,
                e.parallelism.data,
                if e.speculative { " +MTP" } else { "" },
                e.batch,
                e.tpot_ms,
                e.bound.name()
            ),
            Err(x) => format!("| {} | {:.0} | infeasible: {x} | | | | | |", r.id, r.tokens_per_s),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn fitted_source(eff: &Efficiency, bands: &BandTable) -> String {
    let mut s = String::from(
        "//! Efficiency factors fitted on `compiler/data/calibration/throughput-calibration.csv`.\n\
         //!\n\
         //! Generated by `UPDATE_CALIBRATION=1 cargo test -p millwright --test throughput_calibration`;\n\
         //! the calibration test re-runs the fit and fails when these numbers are stale.\n\
         \n\
         use super::efficiency::Efficiency;\n\
         use super::fit::{BandFactors, Bands};\n\
         \n\
         pub const FITTED: Efficiency = Efficiency {\n",
    );
    for ((name, _, _, _), v) in PARAMETERS.iter().zip(eff.to_vec()) {
        s.push_str(&format!("    {name}: {v:e},\n"));
    }
    s.push_str("};\n");
    let factors = |b: &BandFactors| format!("BandFactors {{ low: {:e}, high: {:e} }}", b.low, b.high);
    let list = |v: &[String]| v.iter().map(|x| format!("\"{x}\"")).collect::<Vec<_>>().join(", ");
    s.push_str(&format!(
        "\n/// p10–p90 bands from the held-out errors of the leave-one-group-out refits.\n\
         pub const BANDS: Bands = Bands {{\n    calibrated: {},\n    new_model: {},\n    new_gpu: {},\n    models: &[{}],\n    model_shapes: &[{}],\n    gpus: &[{}],\n}};\n",
        factors(&bands.calibrated),
        factors(&bands.new_model),
        factors(&bands.new_gpu),
        list(&bands.models),
        bands.shapes.iter().map(|(a, b, c)| format!("({a}, {b}, {c})")).collect::<Vec<_>>().join(", "),
        list(&bands.gpus)
    ));
    s
}

fn repo_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn updating() -> bool {
    std::env::var("UPDATE_CALIBRATION").is_ok_and(|v| v == "1")
}

/// Replaces the text between `<!-- begin NAME -->` and `<!-- end NAME -->` in the doc.
fn splice(doc: &str, name: &str, body: &str) -> String {
    let begin = format!("<!-- begin {name} -->\n");
    let end = format!("<!-- end {name} -->");
    let (Some(b), Some(e)) = (doc.find(&begin), doc.find(&end)) else {
        panic!("docs/throughput-model.md lacks the {name} markers");
    };
    format!("{}{}{}{}", &doc[..b + begin.len()], body, "", &doc[e..])
}

fn check_doc_section(name: &str, body: &str) {
    let path = repo_path("../docs/throughput-model.md");
    let doc = std::fs::read_to_string(&path).expect("read docs/throughput-model.md");
    let new = splice(&doc, name, body);
    if updating() {
        std::fs::write(&path, new).expect("write doc");
    } else {
        assert!(new == doc, "docs/throughput-model.md section `{name}` is stale: run with UPDATE_CALIBRATION=1");
    }
}

/// The factors the docs describe: the stored ones, or a fresh fit when updating (so one run
/// rewrites `fitted.rs` and the docs consistently).
fn current_efficiency(cal: &[CalibrationPoint]) -> Efficiency {
    if updating() {
        fit::fit(cal)
    } else {
        Efficiency::fitted()
    }
}

fn factors_table(eff: &Efficiency) -> String {
    let mut out = String::from("| factor | fitted | prior | bounds |\n|---|---|---|---|\n");
    for ((name, lo, hi, prior), v) in PARAMETERS.iter().zip(eff.to_vec()) {
        out.push_str(&format!("| `{name}` | {v} | {prior} | {lo} – {hi} |\n"));
    }
    out
}

#[test]
fn calibration_median_error_within_15_percent() {
    let pairs = points();
    assert_eq!(pairs.len(), 98);
    let cal: Vec<CalibrationPoint> = pairs.iter().map(|(_, p)| p.clone()).collect();
    let eff = current_efficiency(&cal);
    let errs = fit::log_errors(&cal, &eff);
    let s = fit::stats(&errs);
    println!("{}", summary(&pairs, &errs));
    println!("{}", point_table(&pairs, &eff));
    assert!(s.median <= 0.15, "median |error| {:.1} % > 15 %", 100.0 * s.median);
    check_doc_section("factors", &factors_table(&eff));
    check_doc_section("summary", &summary(&pairs, &errs));
    check_doc_section("points", &point_table(&pairs, &eff));
}

/// One group held out of the fit: its name, the indices of its points and their log errors
/// under the fit made without them.
struct HeldOut {
    name: String,
    points: Vec<usize>,
    errors: Vec<f64>,
}

/// Every leave-one-group-out evaluation, by what is held out.
struct Holdout {
    by_model: Vec<HeldOut>,
    by_gpu: Vec<HeldOut>,
    /// Each (model, GPU) pairing held out: the model and the GPU stay known.
    by_pairing: Vec<HeldOut>,
    /// Offline, server and interactive held out in turn.
    by_scenario: Vec<HeldOut>,
    by_source: Vec<HeldOut>,
}

fn scenario_class(r: &Row) -> &str {
    r.scenario.as_str()
}

fn hold_out(pairs: &[(Row, CalibrationPoint)], key: &dyn Fn(&Row) -> String) -> Vec<HeldOut> {
    let mut keys: Vec<String> = pairs.iter().map(|(r, _)| key(r)).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            let train: Vec<CalibrationPoint> =
                pairs.iter().filter(|(r, _)| key(r) != k).map(|(_, p)| p.clone()).collect();
            let points: Vec<usize> = (0..pairs.len()).filter(|i| key(&pairs[*i].0) == k).collect();
            let test: Vec<CalibrationPoint> = points.iter().map(|i| pairs[*i].1.clone()).collect();
            let errors = fit::log_errors(&test, &fit::fit(&train));
            HeldOut { name: k, points, errors }
        })
        .collect()
}

/// The refits are shared by the tests that need them (about forty fits).
fn holdout(pairs: &[(Row, CalibrationPoint)]) -> &'static Holdout {
    static HOLDOUT: std::sync::OnceLock<Holdout> = std::sync::OnceLock::new();
    HOLDOUT.get_or_init(|| compute_holdout(pairs))
}

fn compute_holdout(pairs: &[(Row, CalibrationPoint)]) -> Holdout {
    Holdout {
        by_model: hold_out(pairs, &|r| r.model.clone()),
        by_gpu: hold_out(pairs, &|r| r.gpu.clone()),
        by_pairing: hold_out(pairs, &|r| format!("{} on {}", r.model, r.gpu)),
        by_scenario: hold_out(pairs, &|r| scenario_class(r).to_string()),
        by_source: hold_out(pairs, &|r| if r.round.starts_with('v') { "MLPerf".into() } else { "TensorRT-LLM".into() }),
    }
}

fn errors_of(groups: &[HeldOut]) -> Vec<f64> {
    groups.iter().flat_map(|g| g.errors.iter().copied()).collect()
}

/// The stored bands and what the fit saw.
struct BandTable {
    calibrated: BandFactors,
    new_model: BandFactors,
    new_gpu: BandFactors,
    models: Vec<String>,
    shapes: Vec<(u32, u32, u32)>,
    gpus: Vec<String>,
}

fn band_table(pairs: &[(Row, CalibrationPoint)], h: &Holdout) -> BandTable {
    let calibrated = errors_of(&h.by_pairing);
    let mut models: Vec<String> = pairs.iter().map(|(r, _)| r.model.clone()).collect();
    models.sort();
    models.dedup();
    let mut gpus: Vec<String> = pairs.iter().map(|(r, _)| r.gpu.clone()).collect();
    gpus.sort();
    gpus.dedup();
    let mut shapes: Vec<(u32, u32, u32)> = pairs.iter().map(|(_, p)| tp::model_shape(&p.model)).collect();
    shapes.sort_unstable();
    shapes.dedup();
    BandTable {
        shapes,
        calibrated: fit::band_factors(&calibrated),
        new_model: fit::band_factors(&errors_of(&h.by_model)),
        new_gpu: fit::band_factors(&errors_of(&h.by_gpu)),
        models,
        gpus,
    }
}

/// Share of held-out points inside their band, each group judged by a band built from the
/// other groups' errors: (calibrated, new model, new GPU, all).
fn coverages(h: &Holdout) -> (f64, f64, f64, f64) {
    let errs = |g: &[HeldOut]| g.iter().map(|x| x.errors.clone()).collect::<Vec<_>>();
    let calibrated = errs(&h.by_pairing);
    let (c, m, g) =
        (fit::band_coverage(&calibrated), fit::band_coverage(&errs(&h.by_model)), fit::band_coverage(&errs(&h.by_gpu)));
    let n = |v: &[Vec<f64>]| v.iter().map(Vec::len).sum::<usize>() as f64;
    let (nc, nm, ng) = (n(&calibrated), n(&errs(&h.by_model)), n(&errs(&h.by_gpu)));
    (c, m, g, (c * nc + m * nm + g * ng) / (nc + nm + ng).max(1.0))
}

#[test]
fn fitted_factors_are_current() {
    let pairs = points();
    let cal: Vec<CalibrationPoint> = pairs.iter().map(|(_, p)| p.clone()).collect();
    let fresh = fit::fit(&cal);
    let path = repo_path("src/project/throughput/fitted.rs");
    if updating() {
        let bands = band_table(&pairs, holdout(&pairs));
        std::fs::write(&path, fitted_source(&fresh, &bands)).expect("write fitted.rs");
        return;
    }
    let stored = Efficiency::fitted();
    for ((name, _, _, _), (a, b)) in PARAMETERS.iter().zip(stored.to_vec().into_iter().zip(fresh.to_vec())) {
        assert!(
            // Stored to four significant digits; allow a last-digit difference between platforms.
            (a - b).abs() <= 2e-3 * a.abs().max(b.abs()).max(1e-12),
            "fitted factor {name} is stale ({a} stored, {b} fitted): run with UPDATE_CALIBRATION=1"
        );
    }
    // The bands come from about forty refits, so they are recomputed when updating; here the
    // stored ones must name exactly the calibration's models and GPUs and contain the estimate.
    let stored_bands = tp::band_table();
    let mut models: Vec<String> = pairs.iter().map(|(r, _)| r.model.clone()).collect();
    models.sort();
    models.dedup();
    let mut gpus: Vec<String> = pairs.iter().map(|(r, _)| r.gpu.clone()).collect();
    gpus.sort();
    gpus.dedup();
    assert_eq!(stored_bands.models.iter().map(|s| s.to_string()).collect::<Vec<_>>(), models, "stale: update");
    assert_eq!(stored_bands.gpus.iter().map(|s| s.to_string()).collect::<Vec<_>>(), gpus, "stale: update");
    let mut shapes: Vec<(u32, u32, u32)> = pairs.iter().map(|(_, p)| tp::model_shape(&p.model)).collect();
    shapes.sort_unstable();
    shapes.dedup();
    assert_eq!(stored_bands.model_shapes.to_vec(), shapes, "stale: update");
    for b in [stored_bands.calibrated, stored_bands.new_model, stored_bands.new_gpu] {
        assert!(b.low > 0.0 && b.low <= 1.0 && b.high >= 1.0, "band {b:?} does not contain its estimate");
    }
}

fn median_pct(errs: &[f64]) -> String {
    if errs.is_empty() {
        return "–".into();
    }
    pct(fit::stats(errs).median)
}

/// Leave-one-group-out: refit without a whole model (or GPU, or pairing, or scenario class, or
/// source) and score the held-out points. The same refits make the error bands. About forty
/// fits, so it runs when the calibration is being updated (`UPDATE_CALIBRATION=1`), which
/// rewrites its tables in the docs.
#[test]
fn leave_one_group_out() {
    if !updating() {
        return;
    }
    let pairs = points();
    let h = holdout(&pairs);
    let mut table = String::from(
        "| held out | points | median abs. error (held out) | p90 | max | within 50 % | median abs. error (in-sample fit) |\n|---|---|---|---|---|---|---|\n",
    );
    let all: Vec<CalibrationPoint> = pairs.iter().map(|(_, p)| p.clone()).collect();
    let in_sample = fit::log_errors(&all, &current_efficiency(&all));
    let kinds: [(&str, &Vec<HeldOut>); 4] =
        [("model", &h.by_model), ("GPU", &h.by_gpu), ("scenario", &h.by_scenario), ("source", &h.by_source)];
    for (kind, groups) in kinds {
        for g in groups.iter() {
            let s = fit::stats(&g.errors);
            let ins: Vec<f64> = g.points.iter().map(|i| in_sample[*i]).collect();
            table.push_str(&format!(
                "| {kind} {} | {} | {} | {} | {} | {} | {} |\n",
                g.name,
                s.count,
                pct(s.median),
                pct(s.p90),
                pct(s.max),
                pct(s.within_50),
                pct(fit::stats(&ins).median)
            ));
        }
    }
    let s = fit::stats(&errors_of(&h.by_pairing));
    table.push_str(&format!(
        "| each model–GPU pairing ({} groups) | {} | {} | {} | {} | {} | {} |\n",
        h.by_pairing.len(),
        s.count,
        pct(s.median),
        pct(s.p90),
        pct(s.max),
        pct(s.within_50),
        pct(fit::stats(&in_sample).median)
    ));
    check_doc_section("holdout", &table);

    // Per class: in-sample, and held out by model, by GPU and by scenario class.
    let of = |groups: &[HeldOut], sel: &dyn Fn(&Row, &CalibrationPoint) -> bool| -> Vec<f64> {
        groups
            .iter()
            .flat_map(|g| g.points.iter().zip(&g.errors))
            .filter(|(i, _)| sel(&pairs[**i].0, &pairs[**i].1))
            .map(|(_, e)| *e)
            .collect()
    };
    let classes: Vec<(&str, Selector)> = vec![
        ("dense", Box::new(|_, p| !p.model.is_moe())),
        ("MoE", Box::new(|_, p| p.model.is_moe())),
        ("offline", Box::new(|r, _| r.scenario == "offline")),
        ("server", Box::new(|r, _| r.scenario == "server")),
        ("interactive", Box::new(|r, _| r.scenario == "interactive")),
        ("NVIDIA", Box::new(|_, p| p.system.gpu.architecture.vendor() == tp::Vendor::Nvidia)),
        ("AMD", Box::new(|_, p| p.system.gpu.architecture.vendor() == tp::Vendor::Amd)),
        ("all", Box::new(|_, _| true)),
    ];
    let mut by_class = String::from(
        "| class | points | in-sample | held out by model | held out by GPU | held out by scenario class |\n|---|---|---|---|---|---|\n",
    );
    for (name, sel) in &classes {
        let ins: Vec<f64> = pairs.iter().zip(&in_sample).filter(|((r, p), _)| sel(r, p)).map(|(_, e)| *e).collect();
        by_class.push_str(&format!(
            "| {name} | {} | {} | {} | {} | {} |\n",
            ins.len(),
            median_pct(&ins),
            median_pct(&of(&h.by_model, &**sel)),
            median_pct(&of(&h.by_gpu, &**sel)),
            median_pct(&of(&h.by_scenario, &**sel))
        ));
    }
    check_doc_section("classes", &by_class);

    let bands = band_table(&pairs, h);
    let (c, m, g, all_cov) = coverages(h);
    let band_line =
        |name: &str, b: &BandFactors, cov: f64| format!("| {name} | ×{:.2} – ×{:.2} | {} |\n", b.low, b.high, pct(cov));
    let mut bands_doc = String::from("| projection | p10 – p90 of the truth, as factors on the estimate | held-out points inside (band built without their group) |\n|---|---|---|\n");
    bands_doc.push_str(&band_line("model and GPU calibrated", &bands.calibrated, c));
    bands_doc.push_str(&band_line("model without calibration rows", &bands.new_model, m));
    bands_doc.push_str(&band_line("GPU without calibration rows", &bands.new_gpu, g));
    bands_doc.push_str(&format!("| all held-out points | | {} |\n", pct(all_cov)));
    check_doc_section("bands", &bands_doc);
    assert!(all_cov >= 0.7, "the bands hold only {} of held-out points", pct(all_cov));
}

#[test]
fn every_calibration_point_fits_in_memory() {
    for (r, p) in points() {
        let f = tp::memory_fit(&p.system, &p.model, p.precision, &p.request, p.gpus);
        assert!(f.fits, "{}: one replica does not fit: {f:?}", r.id);
    }
}

/// Over every system × model × precision of the catalog that fits one system: a latency limit
/// (MLPerf's server and interactive limits for chat models) never lifts a projection above the
/// offline one of the same GPUs.
#[test]
fn server_and_interactive_never_exceed_offline_over_the_catalog() {
    let session = millwright::Session::new();
    let catalog = &session.catalog;
    let mut checked = 0;
    for system_id in catalog.ids_of_kind("system") {
        let system = catalog.system(system_id).unwrap();
        let sys = workloads::system_spec(system, &catalog[system.gpu]);
        let gpus = u32::try_from(system.gpu_count).unwrap();
        for model_id in catalog.ids_of_kind("model") {
            let model = workloads::model_spec(catalog.model(model_id).unwrap());
            for precision in [Precision::Fp4, Precision::Fp8, Precision::Bf16] {
                let offline_request =
                    Request { input_tokens: 1024.0, output_tokens: 1024.0, output_length_cv: 1.0, slo: None };
                let eff = Efficiency::fitted();
                let Ok(offline) = tp::estimate(&sys, &model, precision, &offline_request, gpus, &eff) else {
                    continue;
                };
                for (ttft, tpot) in [(2.0, 0.2), (2.0, 0.08), (0.45, 0.04)] {
                    let request = Request { slo: Some(Slo { ttft_s: ttft, tpot_s: tpot }), ..offline_request.clone() };
                    if let Ok(served) = tp::estimate(&sys, &model, precision, &request, gpus, &eff) {
                        assert!(
                            served.tokens_per_second <= offline.tokens_per_second * (1.0 + 1e-12),
                            "{model_id} {} on {system_id} at {tpot} s TPOT: {} > offline {}",
                            precision.name(),
                            served.tokens_per_second,
                            offline.tokens_per_second
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} served projections checked");
}

/// The case: DeepSeek-R1 on a GB200 NVL72 rack under MLPerf's server limits, scored
/// against the v5.1 result.
#[test]
fn deepseek_r1_server_on_nvl72_sits_at_or_below_offline() {
    let pairs = points();
    let find = |id: &str| pairs.iter().find(|(r, _)| r.id == id).map(|(_, p)| p.clone()).unwrap();
    let server = find("cal-v5.1-deepseek-r1-gb200-nvl72-g72-server");
    let offline = find("cal-v5.1-deepseek-r1-gb200-nvl72-g72-offline");
    let eff = Efficiency::fitted();
    let s = tp::estimate(&server.system, &server.model, server.precision, &server.request, server.gpus, &eff).unwrap();
    let o =
        tp::estimate(&offline.system, &offline.model, offline.precision, &offline.request, offline.gpus, &eff).unwrap();
    assert!(s.tokens_per_second <= o.tokens_per_second);
    println!(
        "DeepSeek-R1 NVL72 server: {:.0} tok/s/GPU predicted, {:.0} measured ({:+.1} %), limited by {}",
        s.tokens_per_second_per_gpu,
        server.measured_tokens_per_s / 72.0,
        100.0 * (s.tokens_per_second / server.measured_tokens_per_s - 1.0),
        s.binding.name()
    );
}
