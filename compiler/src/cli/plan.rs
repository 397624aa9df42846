//! `millwright plan FILE [--format human|json]`: the numbers behind every check. Prints them even
//! when checks fail, and exits like `check`.

use super::output::{self, Format};
use millwright::diag::render;
use millwright::Session;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The blueprint
    file: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

pub fn run(args: Args) -> i32 {
    let mut session = Session::new();
    let Some(bytes) = output::read_or_report(&args.file) else {
        return super::USAGE;
    };
    let (blueprint, mut diags) = session.read(&args.file.display().to_string(), &bytes);
    let view = blueprint
        .as_ref()
        .and_then(|bp| session.analyze(bp, &mut diags))
        .map(|a| millwright::render::plan::view(&a.factory, &a.plan));
    let sorted = diags.sorted();
    eprint!("{}", render::human(&sorted, &session.sources, output::style()));
    match (&view, args.format) {
        (Some(v), Format::Json) => outln!("{}", serde_json::to_string_pretty(v).unwrap_or_default()),
        (Some(v), Format::Human) => out!("{}", millwright::render::plan::human(v)),
        (None, _) => eprintln!("no plan: the blueprint could not be read"),
    }
    if diags.has_errors() {
        eprintln!("plan: {}", render::summary(diags.errors(), diags.warnings()));
        super::FAILED
    } else {
        super::OK
    }
}
