//! `millwright plan FILE [--format human|json]`: the numbers behind every check. Prints them even
//! when checks fail, and exits like `check`.

use super::output::{self, Format};
use millwright::diag::render;
use millwright::Session;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The blueprint (`-` reads standard input)
    file: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

pub fn run(args: Args) -> i32 {
    let mut session = Session::new();
    let bytes = match output::read_blueprint(&args.file, &mut session) {
        Ok(bytes) => bytes,
        Err(code) => return code,
    };
    let (blueprint, mut diags) = session.read(&output::display_name(&args.file), &bytes);
    let analysis = blueprint.as_ref().and_then(|bp| session.analyze(bp, &mut diags));
    let mut view = analysis.as_ref().map(|a| millwright::render::plan::view(&a.factory, &a.plan));
    // No infinite or not-a-number value is ever printed: it becomes an E1007 instead of the plan.
    if let (Some(v), Some(a)) = (&view, &analysis) {
        if let Some(d) = millwright::render::finite::check(v, &session.sources, a.factory.name.span) {
            diags.push(d);
            view = None;
        }
    }
    let sorted = diags.sorted();
    err!("{}", render::human(&sorted, &session.sources, output::style()));
    match (&view, args.format) {
        (Some(v), Format::Json) => outln!("{}", serde_json::to_string_pretty(v).unwrap_or_default()),
        (Some(v), Format::Human) => out!("{}", millwright::render::plan::human(v)),
        (None, _) if analysis.is_some() => errln!("no plan: a result is not a finite number"),
        (None, _) => errln!("no plan: the blueprint could not be read"),
    }
    if diags.has_errors() {
        errln!("plan: {}", render::summary(diags.errors(), diags.warnings()));
        super::FAILED
    } else {
        super::OK
    }
}
