//! `millwright fmt FILE… [--check]`: canonical formatting, written atomically.

use super::output;
use millwright::diag::render;
use millwright::source::SourceMap;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Blueprint files to format
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Change nothing; exit 1 if any file would change
    #[arg(long)]
    check: bool,
}

pub fn run(args: Args) -> i32 {
    let mut sources = SourceMap::new();
    let mut status = super::OK;
    for path in &args.files {
        let Some(bytes) = output::read_or_report(path) else {
            return super::USAGE;
        };
        let name = path.display().to_string();
        let mut diags = millwright::diag::Diagnostics::new();
        let text = match millwright::syntax::decode(&bytes) {
            Ok(t) => t,
            Err((lossy, offset)) => {
                let file = sources.add(name.clone(), lossy.as_str());
                diags.push(millwright::syntax::not_text(file, &lossy, offset));
                eprint!("{}", render::human(&diags.sorted(), &sources, output::style()));
                status = super::FAILED;
                continue;
            }
        };
        let file = sources.add(name.clone(), text.as_str());
        let Some(formatted) = millwright::fmt::format(file, &text, &mut diags) else {
            if diags.is_empty() {
                eprintln!("error: {name}: formatting would change the blueprint's meaning; left unchanged");
            } else {
                eprint!("{}", render::human(&diags.sorted(), &sources, output::style()));
            }
            status = super::FAILED;
            continue;
        };
        if formatted == text {
            continue;
        }
        if args.check {
            eprintln!("{name}: not formatted");
            status = super::FAILED;
            continue;
        }
        if let Err(e) = write_atomically(path, formatted.as_bytes()) {
            output::usage_error(&format!("{name}: cannot write: {e}"));
            return super::USAGE;
        }
        eprintln!("formatted {name}");
    }
    status
}

/// Writes beside the target and renames over it, so a failure leaves the original intact.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.millwright-tmp"));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
