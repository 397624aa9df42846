//! `millwright check PATH… [--format human|short|json|sarif] [--deny warnings] [--docs-url URL]`.
//! A folder is checked as every `.kdl` file below it, in path order; `-` reads standard input.

use super::output::{self, CheckFormat as Format};
use millwright::diag::{render, Diagnostic};
use millwright::Session;
use std::path::{Path, PathBuf};

/// What `--deny` can turn into failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Every warning no `allow` silences fails the run (exit 1)
    Warnings,
}

#[derive(clap::Args)]
pub struct Args {
    /// Blueprint files, or folders to check every `.kdl` file below (`-` reads standard input)
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format: human (on stderr), short (one line per diagnostic, on stderr), json or
    /// sarif (SARIF 2.1.0, for code scanning; on stdout)
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// `--deny warnings`: fail (exit 1) when any warning is left that no `allow` silences
    #[arg(long, value_enum, value_name = "WHAT")]
    deny: Vec<Deny>,
    /// With `--format sarif`: the URL the docs pages of the codes are published under (the page
    /// name, like `E0401.md`, is appended), for each rule's `helpUri`
    #[arg(long, value_name = "URL")]
    docs_url: Option<String>,
}

/// Folders nested deeper than this are not searched (a guard against bind-mount loops).
const MAX_DEPTH: usize = 32;

pub fn run(args: Args) -> i32 {
    let Some(files) = expand(&args.files) else { return super::USAGE };
    let mut session = Session::new();
    let mut all: Vec<Diagnostic> = Vec::new();
    let (mut errors, mut warnings, mut allowed) = (0, 0, 0);
    for path in &files {
        let limit = session.limits.max_file_bytes;
        match output::read_input(path, &mut session.sources, limit) {
            Ok(output::Input::Bytes(bytes)) => {
                let (_, diags) = session.check(&output::display_name(path), &bytes);
                errors += diags.errors();
                warnings += diags.warnings();
                allowed += diags.suppressed();
                all.extend(diags.sorted());
            }
            Ok(output::Input::TooLarge(d)) => {
                errors += 1;
                all.push(d);
            }
            Err(()) => return super::USAGE,
        }
    }
    let denied = args.deny.contains(&Deny::Warnings) && warnings > 0;
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
        Format::Human | Format::Short => {
            if args.format == Format::Short {
                err!("{}", render::short(&all, &session.sources));
            } else {
                err!("{}", render::human(&all, &session.sources, output::style()));
            }
            let what = match files.len() {
                1 => "1 file".to_string(),
                n => format!("{} files", millwright::format::group_thousands(n as f64)),
            };
            let mut counts = render::summary(errors, warnings);
            if allowed > 0 {
                counts.push_str(&format!(" ({allowed} allowed)"));
            }
            if errors > 0 || denied {
                errln!("checked {what}: {counts}");
            } else {
                errln!("checked {what}: ok ({counts})");
            }
            if denied && errors == 0 {
                errln!("error: warnings are denied (`--deny warnings`); fix them or `allow` them with a reason");
            }
        }
    }
    if errors > 0 || denied {
        super::FAILED
    } else {
        super::OK
    }
}

/// The blueprint files the arguments name: a file as given, a folder as every `.kdl` file below
/// it (hidden entries skipped, symbolic links to folders not followed), sorted by path. A folder
/// with no blueprint is a usage error, as a missing file is.
fn expand(paths: &[PathBuf]) -> Option<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if output::is_stdin(path) || !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut found = Vec::new();
        if let Err(message) = walk(path, 0, &mut found) {
            output::usage_error(&message);
            return None;
        }
        if found.is_empty() {
            output::usage_error(&format!("{}: no `.kdl` blueprint files in this folder", path.display()));
            return None;
        }
        found.sort();
        files.extend(found);
    }
    Some(files)
}

fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: cannot read the folder: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: cannot read the folder: {e}", dir.display()))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| format!("{}: {e}", path.display()))?;
        if kind.is_dir() {
            walk(&path, depth + 1, found)?;
        } else if path.extension().is_some_and(|x| x == "kdl") && (kind.is_file() || path.is_file()) {
            found.push(path);
        }
    }
    Ok(())
}
