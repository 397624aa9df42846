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
    let drawn = blueprint.as_ref().and_then(|bp| session.analyze(bp, &mut diags)).map(|a| {
        let g = millwright::graph::build(&a.factory, &a.plan, args.expand);
        match args.format {
            GraphFormat::Dot => millwright::graph::dot(&g),
            GraphFormat::Mermaid => millwright::graph::mermaid(&g),
        }
    });
    err!("{}", render::human(&diags.sorted(), &session.sources, output::style()));
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
