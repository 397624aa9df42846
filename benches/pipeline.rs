//! `cargo bench --bench pipeline`: times each stage of the compiler on generated blueprints and
//! measures peak memory, against the budgets in docs/performance.md.
//!
//! Stages: `session` (the embedded catalog), `parse` (limits and KDL), `read` (UTF-8, parse and
//! lowering to the blueprint: `Session::lower`), `analyze`
//! (resolve, projections, checks: everything `plan` and `build` render), `plan` (the plan view
//! as JSON), `build` (analyze, the build view and every target rendered in memory, as
//! `millwright build` does before it writes), and `check` (a whole `millwright check` run,
//! session included). `kdl-crate` times the `kdl` crate's parser on the same text, for
//! comparison; it is not part of the pipeline. Each scenario's peak memory is measured in a
//! child process of its own, so that scenarios do not inherit each other's high-water mark.
//!
//! Arguments: an optional substring to select scenarios; `--quick` for fewer iterations.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

#[path = "generate.rs"]
mod generate;

use millwright::diag::Diagnostics;
use millwright::{syntax, Session};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A generated blueprint and the budgets it must meet.
struct Scenario {
    name: &'static str,
    what: &'static str,
    make: fn() -> String,
    /// Budget for a whole `check` run, if any.
    check_budget: Option<Duration>,
    /// Budget for session + read + analyze + build (rendered in memory), if any.
    plan_budget: Option<Duration>,
    /// Budget for peak resident memory, in MiB.
    memory_budget_mib: Option<u64>,
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "counted-100k",
            what: "100,080 GPUs, 1,390 NVL72 racks with counts",
            make: || generate::counted_factory(1),
            check_budget: None,
            plan_budget: None,
            memory_budget_mib: None,
        },
        Scenario {
            name: "counted-500k",
            what: "500,400 GPUs, 6,950 NVL72 racks with counts",
            make: || generate::counted_factory(5),
            check_budget: None,
            plan_budget: None,
            memory_budget_mib: None,
        },
        Scenario {
            name: "counted-1m",
            what: "1,000,800 GPUs, 13,900 NVL72 racks with counts",
            make: || generate::counted_factory(10),
            check_budget: None,
            plan_budget: Some(Duration::from_secs(1)),
            memory_budget_mib: Some(500),
        },
        Scenario {
            name: "written-2500",
            what: "2,500 racks written one by one",
            make: || generate::written_out_factory(2_500),
            check_budget: None,
            plan_budget: None,
            memory_budget_mib: None,
        },
        Scenario {
            name: "written-5000",
            what: "5,000 racks written one by one",
            make: || generate::written_out_factory(5_000),
            check_budget: None,
            plan_budget: None,
            memory_budget_mib: None,
        },
        Scenario {
            name: "written-10000",
            what: "10,000 racks written one by one (the 1 MB blueprint)",
            make: || generate::written_out_factory(10_000),
            check_budget: Some(Duration::from_millis(500)),
            plan_budget: None,
            memory_budget_mib: None,
        },
    ]
}

/// The stages, in pipeline order, each timed on its own.
const STAGES: &[&str] = &["session", "parse", "kdl-crate", "read", "analyze", "plan", "build", "check"];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(iterations: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm-up
    median(
        (0..iterations)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn run_stage(stage: &str, text: &str) {
    match stage {
        "session" => {
            black_box(Session::new());
        }
        "parse" => {
            let mut diags = Diagnostics::new();
            let decoded = syntax::decode(text.as_bytes()).unwrap();
            black_box(syntax::parse(millwright::source::FileId(0), &decoded, &syntax::Limits::default(), &mut diags));
        }
        "kdl-crate" => {
            // For comparison only: the `kdl` crate's parser on the same text (not in the pipeline).
            black_box(kdl::KdlDocument::parse_v2(text).is_ok());
        }
        "check" => {
            let mut session = Session::new();
            black_box(session.check("bench.kdl", text.as_bytes()));
        }
        _ => {}
    }
}

/// Median time of each stage on `text`.
fn stage_times(text: &str, iterations: usize) -> Vec<(&'static str, Duration)> {
    let mut out = Vec::new();
    let mut session = Session::new();
    let lowered = session.lower("bench.kdl", text.as_bytes());
    assert!(!lowered.diagnostics.has_errors(), "the generated blueprint has errors");
    let blueprint = lowered.blueprint.expect("the generated blueprint lowers");
    for &stage in STAGES {
        let t = match stage {
            "read" => time(iterations, || {
                let mut s = Session::with_catalog_files(Vec::<(String, &str)>::new());
                black_box(s.lower("bench.kdl", text.as_bytes()).blueprint.is_some());
            }),
            "analyze" => time(iterations, || {
                let mut d = Diagnostics::new();
                black_box(session.analyze(&blueprint, &mut d).is_some());
            }),
            "plan" => time(iterations, || {
                let mut d = Diagnostics::new();
                let analysis = session.analyze(&blueprint, &mut d).expect("analysis");
                let view = millwright::render::plan::view(&analysis.factory, &analysis.plan);
                black_box(serde_json::to_string(&view).unwrap().len());
            }),
            "build" => time(iterations, || {
                let mut d = Diagnostics::new();
                let analysis = session.analyze(&blueprint, &mut d).expect("analysis");
                black_box(build_in_memory(&session, &analysis));
            }),
            other => time(iterations, || run_stage(other, text)),
        };
        out.push((stage, t));
    }
    out
}

/// What `millwright build` renders, kept in memory: the build view and every target's files.
/// Returns the number of bytes rendered.
fn build_in_memory(session: &Session, analysis: &millwright::Analysis) -> usize {
    let view = millwright::render::view::build(&analysis.factory, &analysis.plan, &session.catalog);
    let mut sources = millwright::source::SourceMap::new();
    let targets = millwright::render::target::targets(&mut sources, &mut Diagnostics::new());
    let files = millwright::render::target::render(&view, &targets).expect("targets render");
    files.iter().map(|(_, bytes)| bytes.len()).sum()
}

/// Peak resident memory of this process, in KiB (Linux; 0 elsewhere).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// In a child process: one full run (session, check, plan JSON) of a scenario; prints peak KiB.
fn child(name: &str) {
    let scenario = scenarios().into_iter().find(|s| s.name == name).expect("scenario");
    let text = (scenario.make)();
    let mut session = Session::new();
    let lowered = session.lower("bench.kdl", text.as_bytes());
    let mut diags = Diagnostics::new();
    if let Some(bp) = &lowered.blueprint {
        if let Some(a) = session.analyze(bp, &mut diags) {
            let view = millwright::render::plan::view(&a.factory, &a.plan);
            black_box(serde_json::to_string(&view).unwrap().len());
            black_box(build_in_memory(&session, &a));
        }
    }
    println!("{}", peak_kib());
}

fn peak_in_child(name: &str) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let out = std::process::Command::new(exe).env("MILLWRIGHT_BENCH_CHILD", name).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    if let Ok(name) = std::env::var("MILLWRIGHT_BENCH_CHILD") {
        child(&name);
        return;
    }
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let quick = args.iter().any(|a| a == "--quick");
    let filter = args.iter().find(|a| !a.starts_with("--")).cloned().unwrap_or_default();
    let iterations = if quick { 3 } else { 11 };
    let mut over = 0;
    for s in scenarios().into_iter().filter(|s| s.name.contains(&filter)) {
        let text = (s.make)();
        let bytes = text.len();
        println!("\n{} — {} ({:.2} MB)", s.name, s.what, bytes as f64 / 1e6);
        let times = stage_times(&text, iterations);
        for (stage, t) in &times {
            let rate = if *stage == "parse" || *stage == "kdl-crate" {
                format!("  ({:.1} MB/s)", bytes as f64 / 1e6 / t.as_secs_f64())
            } else {
                String::new()
            };
            println!("  {stage:<8} {:>10}{rate}", ms(*t));
        }
        let get = |name: &str| times.iter().find(|(n, _)| *n == name).map(|(_, t)| *t).unwrap_or_default();
        let pipeline = get("session") + get("read") + get("build");
        println!("  {:<8} {:>10}  (session + read + analyze + build in memory)", "pipeline", ms(pipeline));
        let peak = peak_in_child(s.name);
        if let Some(kib) = peak {
            println!(
                "  {:<8} {:>7.1} MiB  (peak resident, one full run in a fresh process)",
                "memory",
                kib as f64 / 1024.0
            );
        }
        let mut verdict = |what: &str, ok: bool, detail: String| {
            println!("  budget   {what}: {detail} {}", if ok { "ok" } else { "OVER BUDGET" });
            if !ok {
                over += 1;
            }
        };
        if let Some(b) = s.check_budget {
            verdict("check", get("check") <= b, format!("{} ≤ {}", ms(get("check")), ms(b)));
        }
        if let Some(b) = s.plan_budget {
            verdict("pipeline", pipeline <= b, format!("{} ≤ {}", ms(pipeline), ms(b)));
        }
        if let (Some(b), Some(kib)) = (s.memory_budget_mib, peak) {
            verdict("memory", kib / 1024 <= b, format!("{:.1} MiB ≤ {b} MiB", kib as f64 / 1024.0));
        }
    }
    if over > 0 {
        println!("\n{over} budget(s) exceeded");
        std::process::exit(1);
    }
}
