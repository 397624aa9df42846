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
//! Every scenario also prints how many times faster the whole `check` is than the `kdl` crate's
//! bare parse, and the memory one `check` adds per input byte (peak resident in a child process
//! minus what it held before the check); the 9 MB blueprint has budgets for both.
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
    /// The stages timed (all of [`STAGES`] when empty).
    stages: &'static [&'static str],
    /// `check` must be at least this many times faster than the `kdl` crate's bare parse.
    check_vs_kdl_crate: Option<f64>,
    /// Budget for the memory a `check` adds, in bytes per input byte (measured in a child).
    check_bytes_per_byte: Option<f64>,
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
            stages: &[],
            check_vs_kdl_crate: None,
            check_bytes_per_byte: None,
        },
        Scenario {
            name: "counted-500k",
            what: "500,400 GPUs, 6,950 NVL72 racks with counts",
            make: || generate::counted_factory(5),
            check_budget: None,
            plan_budget: None,
            memory_budget_mib: None,
            stages: &[],
            check_vs_kdl_crate: None,
            check_bytes_per_byte: None,
        },
        Scenario {
            name: "counted-1m",
            what: "1,000,800 GPUs, 13,900 NVL72 racks with counts",
            make: || generate::counted_factory(10),
            check_budget: None,
            plan_budget: Some(Duration::from_secs(1)),
            memory_budget_mib: Some(500),
            stages: &[],
            check_vs_kdl_crate: None,
            check_bytes_per_byte: None,
        },
        Scenario {
            name: "written-2500",
            what: "2,500 racks written one by one",
            make: || generate::written_out_factory(2_500),
            check_budget: None,
            plan_budget: None,
            memory_budget_mib: None,
            stages: &[],
            check_vs_kdl_crate: None,
            check_bytes_per_byte: None,
        },
        Scenario {
            name: "written-5000",
            what: "5,000 racks written one by one",
            make: || generate::written_out_factory(5_000),
            check_budget: None,
            plan_budget: None,
            memory_budget_mib: None,
            stages: &[],
            check_vs_kdl_crate: None,
            check_bytes_per_byte: None,
        },
        Scenario {
            name: "written-10000",
            what: "10,000 racks written one by one (the 1 MB blueprint)",
            make: || generate::written_out_factory(10_000),
            check_budget: Some(Duration::from_millis(500)),
            plan_budget: None,
            memory_budget_mib: None,
            stages: &[],
            check_vs_kdl_crate: None,
            check_bytes_per_byte: None,
        },
        Scenario {
            name: "written-35000",
            what: "35,000 racks written one by one",
            make: || generate::written_out_factory(35_000),
            check_budget: None,
            plan_budget: None,
            memory_budget_mib: None,
            stages: LARGE_STAGES,
            check_vs_kdl_crate: None,
            check_bytes_per_byte: None,
        },
        Scenario {
            name: "written-70000",
            what: "70,000 racks written one by one (the 9 MB blueprint)",
            make: || generate::written_out_factory(70_000),
            check_budget: None,
            plan_budget: None,
            memory_budget_mib: None,
            stages: LARGE_STAGES,
            check_vs_kdl_crate: Some(10.0),
            check_bytes_per_byte: Some(25.0),
        },
    ]
}

/// What is timed on the largest written-out blueprints: reading and checking them, against the
/// `kdl` crate's parse (building their targets is measured on the smaller ones).
const LARGE_STAGES: &[&str] = &["session", "parse", "kdl-crate", "read", "check"];

/// The stages, in pipeline order, each timed on its own.
const STAGES: &[&str] = &["session", "parse", "kdl-crate", "read", "analyze", "plan", "build", "check"];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The median and the fastest of `iterations` runs (after a warm-up).
fn time(iterations: usize, mut f: impl FnMut()) -> Timing {
    f(); // warm-up
    let runs: Vec<Duration> = (0..iterations)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    Timing { fastest: runs.iter().min().copied().unwrap_or_default(), median: median(runs) }
}

/// A stage's times. The tables show medians; the speed-up over the `kdl` crate compares the
/// fastest runs of both, the ones least disturbed by other work on a shared machine.
#[derive(Clone, Copy, Default)]
struct Timing {
    median: Duration,
    fastest: Duration,
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

/// Median time of each stage of `stages` on `text`.
fn stage_times(text: &str, iterations: usize, stages: &[&'static str]) -> Vec<(&'static str, Timing)> {
    let mut out = Vec::new();
    let mut session = Session::new();
    let lowered = session.lower("bench.kdl", text.as_bytes());
    assert!(!lowered.diagnostics.has_errors(), "the generated blueprint has errors");
    let blueprint = lowered.blueprint.expect("the generated blueprint lowers");
    for &stage in STAGES.iter().filter(|s| stages.is_empty() || stages.contains(s)) {
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

/// A memory figure of this process from `/proc/self/status`, in KiB (Linux; 0 elsewhere).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// Peak resident memory of this process, in KiB.
fn peak_kib() -> u64 {
    status_kib("VmHWM:")
}

/// In a child process: one `check` of a scenario; prints the peak resident memory and what the
/// process held before the check started (the generated text and the session), in KiB. The
/// difference is what `check` needs. (The workspace forbids unsafe code, so there is no counting
/// allocator; resident memory counts everything the allocator keeps, so it is the stricter figure.)
fn check_child(name: &str) {
    let scenario = scenarios().into_iter().find(|s| s.name == name).expect("scenario");
    let text = (scenario.make)();
    let mut session = Session::new();
    let before = status_kib("VmRSS:");
    black_box(session.check("bench.kdl", text.as_bytes()));
    println!("{} {}", peak_kib(), before);
}

fn check_memory_in_child(name: &str) -> Option<(u64, u64)> {
    let exe = std::env::current_exe().ok()?;
    let out = std::process::Command::new(exe).env("MILLWRIGHT_BENCH_CHECK_CHILD", name).output().ok()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut numbers = stdout.split_whitespace().filter_map(|n| n.parse().ok());
    Some((numbers.next()?, numbers.next()?))
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
    if let Ok(name) = std::env::var("MILLWRIGHT_BENCH_CHECK_CHILD") {
        check_child(&name);
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
        // The `kdl` crate takes seconds on the largest files: fewer runs there.
        let runs = if bytes > 4_000_000 { iterations.min(3) } else { iterations };
        let times = stage_times(&text, runs, s.stages);
        for (stage, t) in &times {
            let rate = if *stage == "parse" || *stage == "kdl-crate" {
                format!("  ({:.1} MB/s)", bytes as f64 / 1e6 / t.median.as_secs_f64())
            } else {
                String::new()
            };
            println!("  {stage:<8} {:>10}  (fastest {}){rate}", ms(t.median), ms(t.fastest));
        }
        let timing = |name: &str| times.iter().find(|(n, _)| *n == name).map(|(_, t)| *t).unwrap_or_default();
        let get = |name: &str| timing(name).median;
        if s.stages.is_empty() || s.stages.contains(&"build") {
            let pipeline = get("session") + get("read") + get("build");
            println!("  {:<8} {:>10}  (session + read + analyze + build in memory)", "pipeline", ms(pipeline));
        }
        let ratio = timing("kdl-crate").fastest.as_secs_f64() / timing("check").fastest.as_secs_f64().max(1e-9);
        let median_ratio = get("kdl-crate").as_secs_f64() / get("check").as_secs_f64().max(1e-9);
        println!(
            "  {:<8} {:>9.1}×  (the kdl crate's bare parse ÷ the whole check, fastest runs; {median_ratio:.1}× by medians)",
            "speedup", ratio
        );
        let check_memory = check_memory_in_child(s.name).map(|(peak, before)| {
            let per_byte = peak.saturating_sub(before) as f64 * 1024.0 / bytes as f64;
            println!(
                "  {:<8} {:>7.1} MiB  (peak resident of one check, {:.1} MiB before it: {per_byte:.1} bytes per input byte)",
                "check",
                peak as f64 / 1024.0,
                before as f64 / 1024.0
            );
            per_byte
        });
        let peak = if s.stages.is_empty() { peak_in_child(s.name) } else { None };
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
            let pipeline = get("session") + get("read") + get("build");
            verdict("pipeline", pipeline <= b, format!("{} ≤ {}", ms(pipeline), ms(b)));
        }
        if let Some(b) = s.check_vs_kdl_crate {
            verdict("speedup", ratio >= b, format!("check {ratio:.1}× faster than the kdl crate's parse ≥ {b}×"));
        }
        if let (Some(b), Some(per_byte)) = (s.check_bytes_per_byte, check_memory) {
            verdict("memory", per_byte <= b, format!("check {per_byte:.1} bytes per input byte ≤ {b}"));
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
