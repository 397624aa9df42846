//! `millwright compare FILE --swap OLD=NEW [--format human|json]`: the same building with another
//! generation of systems, side by side.

use super::output::{self, Format};
use millwright::diag::render;
use millwright::Session;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The blueprint (`-` reads standard input)
    file: PathBuf,
    /// The swap, as OLD=NEW system ids (e.g. gb200-nvl72=gb300-nvl72)
    #[arg(long)]
    swap: String,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

fn factor(a: f64, b: f64) -> String {
    if a > 0.0 {
        format!("{:.2}×", b / a)
    } else {
        "–".to_string()
    }
}

pub fn run(args: Args) -> i32 {
    let Some((old, new)) = args.swap.split_once('=') else {
        output::usage_error("--swap takes OLD=NEW, like `--swap gb200-nvl72=gb300-nvl72`");
        return super::USAGE;
    };
    let mut session = Session::new();
    let bytes = match output::read_blueprint(&args.file, &mut session) {
        Ok(bytes) => bytes,
        Err(code) => return code,
    };
    let lowered = session.lower(&output::display_name(&args.file), &bytes);
    let Some(bp) = lowered.blueprint else {
        err!("{}", render::human(&lowered.diagnostics.sorted(), &session.sources, output::style()));
        return super::FAILED;
    };
    let c = match millwright::compare::compare(&session, &bp, old.trim(), new.trim()) {
        Ok(c) => c,
        Err(e) => {
            output::usage_error(&e.to_string());
            return super::USAGE;
        }
    };
    // No infinite or not-a-number value is ever printed (E1007).
    let factory_name = bp.factory.as_ref().map_or(millwright::source::Span::new(lowered.file, 0, 0), |f| f.name.span);
    if let Some(d) = millwright::render::finite::check(&c, &session.sources, factory_name) {
        err!("{}", render::human(&[d], &session.sources, output::style()));
        return super::FAILED;
    }
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&c).unwrap_or_default()),
        Format::Human => {
            let (a, b) = (&c.before.totals, &c.after.totals);
            outln!("{} → {} in the same building ({})", c.old, c.new, c.before.factory);
            outln!("{:<28} {:>16} {:>16} {:>8}", "", c.old, c.new, "factor");
            let row = |name: &str, x: f64, y: f64, fmt: &dyn Fn(f64) -> String| {
                outln!("{:<28} {:>16} {:>16} {:>8}", name, fmt(x), fmt(y), factor(x, y));
            };
            let int = |x: f64| millwright::format::group_thousands(x.round());
            let mwf = |x: f64| format!("{:.2} MW", x / 1e3);
            let racks = |v: &millwright::render::plan::PlanView| v.sites.iter().map(|s| s.racks).sum::<u64>() as f64;
            row("racks", racks(&c.before), racks(&c.after), &int);
            row("GPUs", a.gpus as f64, b.gpus as f64, &int);
            row("IT power", a.it_power_kw, b.it_power_kw, &mwf);
            row("facility power (peak PUE)", a.facility_power_kw, b.facility_power_kw, &mwf);
            row("output tokens/s", a.tokens_per_second, b.tokens_per_second, &int);
            row("tokens/s per GPU", a.tokens_per_second_per_gpu, b.tokens_per_second_per_gpu, &int);
            row("tokens/s per MW", a.tokens_per_second_per_mw, b.tokens_per_second_per_mw, &int);
            for (wa, wb) in c.before.workloads.iter().zip(&c.after.workloads) {
                row(&format!("  {} tokens/s", wa.name), wa.tokens_per_second, wb.tokens_per_second, &int);
            }
            if c.changes.is_empty() {
                outln!("\nnothing else had to change");
            } else {
                outln!("\nwhat had to change:");
                for ch in &c.changes {
                    outln!("  - {ch}");
                }
            }
            if !c.remaining_errors.is_empty() {
                outln!("\nthe adapted design still has errors:");
                for e in &c.remaining_errors {
                    outln!("  - {e}");
                }
            }
        }
    }
    // Like `check`: a design that still has errors is not a result to act on.
    if c.remaining_errors.is_empty() {
        super::OK
    } else {
        super::FAILED
    }
}
