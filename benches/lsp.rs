//! `cargo bench --bench lsp`: what an editor waits for from `millwright lsp`, measured on the
//! library calls the server makes (`ide::Ide`): diagnostics after a one-character edit (a full
//! re-analysis of the file with the catalog kept), hover and completion, on the Rhine example and
//! on the 10,000-rack blueprint written rack by rack (about 1.3 MB), with the peak memory of the
//! process holding both open. Budgets are those of docs/editors.md; figures go to
//! docs/performance.md.
//!
//! Arguments: `--quick` for fewer iterations.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

#[path = "generate.rs"]
mod generate;

use millwright::ide::Ide;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    let times = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    median(times)
}

fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn ms(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.0} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = if quick { 5 } else { 21 };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let rhine = std::fs::read_to_string(root.join("examples/rhine/factory.kdl")).unwrap();
    let written = generate::written_out_factory(10_000);
    let mut ide = Ide::new();
    let mut kept = Vec::new();
    println!("| blueprint | size | diagnostics after a one-character edit | hover | completion |");
    println!("|---|---|---|---|---|");
    for (name, text, needle) in [("rhine", &rhine, "rack \""), ("written-10000", &written, "rack \"")] {
        let at = text.find(needle).unwrap() + needle.len();
        // The edit: a space typed before the first rack's part id, then removed again, so every
        // run analyses a text that differs from the one before by one character and both check
        // in full (an unknown part id would stop at resolve and time less).
        let edited = format!("{} {}", &text[..at - 1], &text[at - 1..]);
        let mut flip = false;
        let edit = time(runs, || {
            flip = !flip;
            let t = if flip { &edited } else { text };
            black_box(ide.analyze("bench.kdl", t));
        });
        let analysis = ide.analyze("bench.kdl", text);
        assert!(ide.hover(&analysis, at + 2).is_some(), "a hover on the part id");
        assert!(!ide.complete(&analysis.names, text, at + 2).is_empty(), "candidates for the part id");
        let hover = time(runs * 10, || {
            black_box(ide.hover(&analysis, at + 2));
        });
        let complete = time(runs * 10, || {
            black_box(ide.complete(&analysis.names, text, at + 2));
        });
        println!("| {name} | {:.0} KB | {} | {} | {} |", text.len() as f64 / 1e3, ms(edit), ms(hover), ms(complete));
        kept.push(analysis);
    }
    if let Some(mib) = peak_mib() {
        println!("\npeak memory with both open: {mib:.0} MiB");
    }
    black_box(kept);
}
