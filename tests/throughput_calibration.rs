//! Calibration of the throughput model against 98 published MLPerf and TensorRT-LLM results.
//!
//! `UPDATE_CALIBRATION=1 cargo test -p millwright --test throughput_calibration` re-fits the
//! efficiency factors, rewrites `src/project/throughput/fitted.rs` and the error tables of
//! `docs/throughput-model.md`. Without it, the tests fail when either is stale.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use millwright::project::throughput::fit::{self, CalibrationPoint, ErrorStats};
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
    rows()
        .into_iter()
        .map(|r| {
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

fn fitted_source(eff: &Efficiency) -> String {
    let mut s = String::from(
        "//! Efficiency factors fitted on `compiler/data/calibration/throughput-calibration.csv`.\n\
         //!\n\
         //! Generated by `UPDATE_CALIBRATION=1 cargo test -p millwright --test throughput_calibration`;\n\
         //! the calibration test re-runs the fit and fails when these numbers are stale.\n\
         \n\
         use super::efficiency::Efficiency;\n\
         \n\
         pub const FITTED: Efficiency = Efficiency {\n",
    );
    for ((name, _, _, _), v) in PARAMETERS.iter().zip(eff.to_vec()) {
        s.push_str(&format!("    {name}: {v:e},\n"));
    }
    s.push_str("};\n");
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

#[test]
fn fitted_factors_are_current() {
    let cal: Vec<CalibrationPoint> = points().into_iter().map(|(_, p)| p).collect();
    let fresh = fit::fit(&cal);
    let path = repo_path("src/project/throughput/fitted.rs");
    let source = fitted_source(&fresh);
    if updating() {
        std::fs::write(&path, &source).expect("write fitted.rs");
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
}

/// Leave-one-group-out: refit without a whole model (or GPU, or source) and score the held-out
/// points. It refits sixteen times, so it runs when the calibration is being updated
/// (`UPDATE_CALIBRATION=1`), which rewrites its table in the docs.
#[test]
fn leave_one_group_out() {
    if !updating() {
        return;
    }
    let pairs = points();
    type Held = Box<dyn Fn(&Row) -> bool>;
    let mut groups: Vec<(String, Held)> = Vec::new();
    let mut models: Vec<String> = pairs.iter().map(|(r, _)| r.model.clone()).collect();
    models.dedup();
    models.sort();
    models.dedup();
    for m in models {
        let key = m.clone();
        groups.push((format!("model {m}"), Box::new(move |r: &Row| r.model == key)));
    }
    let mut systems: Vec<String> = pairs.iter().map(|(r, _)| r.system.clone()).collect();
    systems.sort();
    systems.dedup();
    for s in systems {
        let key = s.clone();
        groups.push((format!("system {s}"), Box::new(move |r: &Row| r.system == key)));
    }
    groups.push(("source MLPerf".into(), Box::new(|r: &Row| r.round.starts_with('v'))));
    groups.push(("source TensorRT-LLM".into(), Box::new(|r: &Row| r.round.starts_with("trtllm"))));
    let mut table = String::from(
        "| held out | points | median abs. error (held out) | p90 | max | within 50 % | median abs. error (in-sample fit) |\n|---|---|---|---|---|---|---|\n",
    );
    let all: Vec<CalibrationPoint> = pairs.iter().map(|(_, p)| p.clone()).collect();
    let in_sample = fit::log_errors(&all, &current_efficiency(&all));
    for (name, held) in &groups {
        let train: Vec<CalibrationPoint> = pairs.iter().filter(|(r, _)| !held(r)).map(|(_, p)| p.clone()).collect();
        let test: Vec<CalibrationPoint> = pairs.iter().filter(|(r, _)| held(r)).map(|(_, p)| p.clone()).collect();
        let eff = fit::fit(&train);
        let s = fit::stats(&fit::log_errors(&test, &eff));
        let ins: Vec<f64> = pairs.iter().zip(&in_sample).filter(|((r, _), _)| held(r)).map(|(_, e)| *e).collect();
        let line = format!(
            "| {name} | {} | {} | {} | {} | {} | {} |\n",
            s.count,
            pct(s.median),
            pct(s.p90),
            pct(s.max),
            pct(s.within_50),
            pct(fit::stats(&ins).median)
        );
        print!("{line}");
        table.push_str(&line);
    }
    check_doc_section("holdout", &table);
}

#[test]
fn every_calibration_point_fits_in_memory() {
    for (r, p) in points() {
        let f = tp::memory_fit(&p.system, &p.model, p.precision, &p.request, p.gpus);
        assert!(f.fits, "{}: one replica does not fit: {f:?}", r.id);
    }
}
