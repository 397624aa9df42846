//! `millwright check FILE… [--format human|json|sarif] [--docs-url URL]`.

use super::output::{self, CheckFormat as Format};
use millwright::diag::render;
use millwright::Session;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Blueprint files to check (`-` reads standard input)
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format: human (on stderr), json or sarif (SARIF 2.1.0, for code scanning; on stdout)
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// With `--format sarif`: the URL the docs pages of the codes are published under (the page
    /// name, like `E0401.md`, is appended), for each rule's `helpUri`
    #[arg(long, value_name = "URL")]
    docs_url: Option<String>,
}

pub fn run(args: Args) -> i32 {
    let mut session = Session::new();
    let mut all = Vec::new();
    for path in &args.files {
        let limit = session.limits.max_file_bytes;
        match output::read_input(path, &mut session.sources, limit) {
            Ok(output::Input::Bytes(bytes)) => {
                let (_, diags) = session.check(&output::display_name(path), &bytes);
                all.extend(diags.sorted());
            }
            Ok(output::Input::TooLarge(d)) => all.push(d),
            Err(()) => return super::USAGE,
        }
    }
    let errors = all.iter().filter(|d| d.severity() == millwright::diag::Severity::Error).count();
    let warnings = all.len() - errors;
    match args.format {
        Format::Json => {
            let value = render::json(&all, &session.sources);
            output::print_stdout(&serde_json::to_string_pretty(&value).unwrap_or_default());
        }
        Format::Sarif => {
            let options = render::SarifOptions { docs_url: args.docs_url.clone() };
            let value = render::sarif_with(&all, &session.sources, &options);
            output::print_stdout(&serde_json::to_string_pretty(&value).unwrap_or_default());
        }
        Format::Human => {
            err!("{}", render::human(&all, &session.sources, output::style()));
            let files = args.files.len();
            let what = if files == 1 { "1 file".to_string() } else { format!("{files} files") };
            if errors > 0 {
                errln!("checked {what}: {}", render::summary(errors, warnings));
            } else {
                errln!("checked {what}: ok ({})", render::summary(errors, warnings));
            }
        }
    }
    if errors > 0 {
        super::FAILED
    } else {
        super::OK
    }
}
