//! Command definitions and dispatch. Each subcommand lives in its own file.

/// `println!` to stdout that ignores a closed pipe (`millwright plan … | head`) instead of panicking,
/// and exits 2 on any other write error (`> /dev/full`).
macro_rules! outln {
    ($($t:tt)*) => {
        $crate::cli::output::print_stdout(&format!($($t)*))
    };
}

/// `print!` to stdout that ignores a closed pipe.
macro_rules! out {
    ($($t:tt)*) => {
        $crate::cli::output::write_stdout(&format!($($t)*))
    };
}

/// `eprintln!` that exits 2 instead of panicking when stderr cannot be written (`2> /dev/full`).
macro_rules! errln {
    ($($t:tt)*) => {
        $crate::cli::output::write_stderr(&format!("{}\n", format_args!($($t)*)))
    };
}

/// `eprint!` that exits 2 instead of panicking when stderr cannot be written.
macro_rules! err {
    ($($t:tt)*) => {
        $crate::cli::output::write_stderr(&format!($($t)*))
    };
}

mod build;
mod catalog;
mod check;
mod compare;
mod estimate;
mod explain;
mod format;
mod frontier;
mod graph;
mod lsp;
mod outdir;
mod output;
mod plan;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "millwright",
    version,
    about = "A compiler for AI-factory blueprints: check, plan and build GPU data centres"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Coloured diagnostics: auto (on a terminal, unless NO_COLOR is set), always or never
    #[arg(long, value_enum, global = true, default_value = "auto")]
    color: output::ColorChoice,
}

#[derive(Subcommand)]
enum Command {
    /// Check blueprints against the language and the design rules
    Check(check::Args),
    /// Render the build targets (Terraform, Kubernetes, …) into an output folder
    Build(build::Args),
    /// Print what the checks computed: power, heat, fabrics, workloads and totals
    Plan(plan::Args),
    /// Draw the factory's constraint graph (DOT or Mermaid)
    Graph(graph::Args),
    /// The same building with another generation of systems, side by side
    Compare(compare::Args),
    /// Project token throughput of a model on a system
    Estimate(estimate::Args),
    /// The throughput–interactivity frontier of a model on a system
    Frontier(frontier::Args),
    /// Print the documentation page of a diagnostic code
    Explain(explain::Args),
    /// Format blueprints in place (or check that they are formatted)
    Fmt(format::Args),
    /// Browse the parts catalog
    #[command(subcommand)]
    Catalog(catalog::Command),
    /// Run the language server (LSP over standard input and output) for editors
    Lsp(lsp::Args),
}

/// Exit code for success.
pub const OK: i32 = 0;
/// Exit code when the input has errors.
pub const FAILED: i32 = 1;
/// Exit code for usage or I/O problems.
pub const USAGE: i32 = 2;

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { USAGE } else { OK };
            let _ = e.print();
            return code;
        }
    };
    output::set_color(cli.color);
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Build(args) => build::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Estimate(args) => estimate::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Frontier(args) => frontier::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Fmt(args) => format::run(args),
        Command::Catalog(cmd) => catalog::run(cmd),
        Command::Lsp(args) => lsp::run(args),
    }
}
