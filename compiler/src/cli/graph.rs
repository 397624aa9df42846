//! `millwright graph FILE [--format dot|mermaid] [--expand]`: draws the constraint graph.

use super::output;
use millwright::diag::render;
use millwright::Session;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(clap::Args)]
pub struct Args {
    /// The blueprint (`-` reads standard input)
    file: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value = "dot")]
    format: GraphFormat,
    /// One node per rack instead of one per group (up to 5,000 racks)
    #[arg(long)]
    expand: bool,
}

pub fn run(args: Args) -> i32 {
    let mut session = Session::new();
    let bytes = match output::read_blueprint(&args.file, &mut session) {
        Ok(bytes) => bytes,
        Err(code) => return code,
    };
    let (blueprint, mut diags) = session.read(&output::display_name(&args.file), &bytes);
    let mut too_many = None;
    let drawn = blueprint.as_ref().and_then(|bp| session.analyze(bp, &mut diags)).and_then(|a| {
        let racks: u64 = a.plan.sites.iter().map(|s| s.racks).sum();
        if args.expand && racks > millwright::graph::MAX_EXPANDED_RACKS {
            too_many = Some(racks);
            return None;
        }
        let g = millwright::graph::build(&a.factory, &a.plan, args.expand);
        Some(match args.format {
            GraphFormat::Dot => millwright::graph::dot(&g),
            GraphFormat::Mermaid => millwright::graph::mermaid(&g),
        })
    });
    err!("{}", render::human(&diags.sorted(), &session.sources, output::style()));
    if let Some(racks) = too_many {
        let fmt = millwright::format::group_thousands;
        errln!(
            "error: `--expand` draws at most {} racks one by one, and this factory has {}; drop `--expand` for the grouped graph",
            fmt(millwright::graph::MAX_EXPANDED_RACKS as f64),
            fmt(racks as f64)
        );
        return super::FAILED;
    }
    match drawn {
        Some(text) => {
            out!("{text}");
            if diags.has_errors() {
                super::FAILED
            } else {
                super::OK
            }
        }
        None => super::FAILED,
    }
}
