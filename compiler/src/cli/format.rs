//! `millwright fmt FILE… [--check]`: canonical formatting; `--check` prints what would change as a
//! unified diff. A file is rewritten through an
//! exclusively created temporary file beside it (so a planted link cannot redirect the write), with
//! the original's permissions and, where allowed, its owner; a symlink keeps pointing at the file it
//! named, which is the one formatted. `-` formats standard input to standard output.

use super::output;
use millwright::diag::render;
use millwright::source::SourceMap;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Blueprint files to format (`-` formats standard input to standard output)
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Change nothing; print a unified diff of each file that would change and exit 1
    #[arg(long)]
    check: bool,
}

pub fn run(args: Args) -> i32 {
    let mut sources = SourceMap::new();
    let mut status = super::OK;
    let limit = millwright::syntax::Limits::default().max_file_bytes;
    for path in &args.files {
        let bytes = match output::read_input(path, &mut sources, limit) {
            Ok(output::Input::Bytes(bytes)) => bytes,
            Ok(output::Input::TooLarge(d)) => {
                err!("{}", render::human(&[d], &sources, output::style()));
                status = super::FAILED;
                continue;
            }
            Err(()) => return super::USAGE,
        };
        let name = output::display_name(path);
        let mut diags = millwright::diag::Diagnostics::new();
        let text = match millwright::syntax::decode(&bytes) {
            Ok(t) => t,
            Err((lossy, offset)) => {
                let file = sources.add(name.clone(), lossy.as_str());
                diags.push(millwright::syntax::not_text(file, &lossy, offset));
                err!("{}", render::human(&diags.sorted(), &sources, output::style()));
                status = super::FAILED;
                continue;
            }
        };
        let file = sources.add(name.clone(), text.as_str());
        let Some(formatted) = millwright::fmt::format(file, &text, &mut diags) else {
            if diags.is_empty() {
                errln!("error: {name}: formatting would change the blueprint's meaning; left unchanged");
            } else {
                err!("{}", render::human(&diags.sorted(), &sources, output::style()));
            }
            status = super::FAILED;
            continue;
        };
        if args.check {
            if formatted != text {
                out!("{}", millwright::fmt::diff::unified(&text, &formatted, &name, &format!("{name} (formatted)")));
                errln!("{name}: not formatted");
                status = super::FAILED;
            }
            continue;
        }
        if output::is_stdin(path) {
            out!("{formatted}");
            continue;
        }
        if formatted == text {
            continue;
        }
        if let Err(e) = replace_file_contents(path, formatted.as_bytes()) {
            output::usage_error(&format!("{name}: cannot write: {e}"));
            return super::USAGE;
        }
        errln!("formatted {name}");
    }
    status
}

/// Replaces the contents of the file `path` names (through any symlinks) by writing a new file in
/// the same folder and renaming it over the old one, so a failure leaves the original intact.
///
/// The temporary file is created with `O_EXCL` under an unpredictable name (the `tempfile` crate),
/// so nobody can plant a link there in advance. It gets the original's permissions, and its owner
/// and group where the operating system allows (root, or a group the user belongs to); otherwise it
/// belongs to the user running `fmt`, as with any editor that saves by renaming.
pub fn replace_file_contents(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let metadata = std::fs::metadata(&target)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let mut tmp = tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".millwright-tmp").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    keep_owner(tmp.as_file(), &metadata);
    tmp.as_file().set_permissions(metadata.permissions())?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn keep_owner(file: &std::fs::File, original: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    // Only root may give a file away; a user may still keep a group they belong to. Both are
    // best effort: failing to keep the owner is no reason to refuse formatting.
    let _ = std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid()));
    let _ = std::os::unix::fs::fchown(file, None, Some(original.gid()));
}

#[cfg(not(unix))]
fn keep_owner(_file: &std::fs::File, _original: &std::fs::Metadata) {}
