//! Shared input and output helpers: reading blueprints (from files or standard input, never past
//! the size limit), the diagnostic style for this terminal, and writing to stdout and stderr.

use millwright::diag::{codes, render::Style, Diagnostic};
use millwright::source::{SourceMap, Span};
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// The formats of `check`: diagnostics for people, one line each, as JSON, or as a SARIF 2.1.0 log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Human,
    Short,
    Json,
    Sarif,
}

/// When diagnostics are coloured, as cargo's `--color` says it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    Always,
    Never,
}

/// The `--color` of this run, set once by `cli::main` before any command prints.
static COLOR: std::sync::OnceLock<ColorChoice> = std::sync::OnceLock::new();

pub fn set_color(choice: ColorChoice) {
    let _ = COLOR.set(choice);
}

/// The name standard input is shown under; `-` on the command line reads it.
pub const STDIN_NAME: &str = "<stdin>";

/// Whether a path argument means standard input (`-`, as cargo and terraform read it).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The name a blueprint argument is shown under in diagnostics.
pub fn display_name(path: &Path) -> String {
    if is_stdin(path) {
        STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    }
}

/// What reading a blueprint gave: its bytes, or an E0113 diagnostic because it is larger than the
/// limit (nothing past the limit was read).
pub enum Input {
    Bytes(Vec<u8>),
    TooLarge(Diagnostic),
}

/// Reads the one blueprint a command works on (`-` for standard input) within the session's size
/// limit. `Err` carries the exit code once the reason is printed: 1 for a file over the limit
/// (E0113), 2 for an I/O problem.
pub fn read_blueprint(path: &Path, session: &mut millwright::Session) -> Result<Vec<u8>, i32> {
    let limit = session.limits.max_file_bytes;
    match read_input(path, &mut session.sources, limit) {
        Ok(Input::Bytes(bytes)) => Ok(bytes),
        Ok(Input::TooLarge(d)) => {
            err!("{}", millwright::diag::render::human(&[d], &session.sources, style()));
            Err(super::FAILED)
        }
        Err(()) => Err(super::USAGE),
    }
}

/// Reads a blueprint file, or standard input for `-`, reading at most `limit + 1` bytes so that a
/// huge file or an endless stream (`/dev/zero`) costs no more memory than the limit. An I/O
/// problem is printed and gives `Err` (the caller exits 2); a file over the limit is an E0113
/// diagnostic on a file added to `sources` under its name.
pub fn read_input(path: &Path, sources: &mut SourceMap, limit: usize) -> Result<Input, ()> {
    let name = display_name(path);
    let read = if is_stdin(path) {
        read_at_most(&mut std::io::stdin().lock(), limit).map(|bytes| (bytes, None))
    } else {
        read_file_at_most(path, limit)
    };
    let (bytes, known_size) = match read {
        Ok(read) => read,
        Err(message) => {
            usage_error(&message);
            return Err(());
        }
    };
    let over_limit = bytes.len() > limit || known_size.is_some_and(|size| size > limit as u64);
    if !over_limit {
        return Ok(Input::Bytes(bytes));
    }
    drop(bytes);
    let file = sources.add(name, "");
    let limit_text = millwright::format::group_thousands(limit as f64);
    let size_text = match known_size {
        Some(size) => format!("{} bytes", millwright::format::group_thousands(size as f64)),
        None => format!("more than {limit_text} bytes"),
    };
    Ok(Input::TooLarge(
        Diagnostic::new(
            codes::E0113,
            format!("file is {size_text}; the limit is {limit_text} bytes ({} MiB)", limit >> 20),
        )
        .label(Span::new(file, 0, 0), "nothing past the limit was read")
        .help("split the factory into several blueprint files, or write repeated racks with `count=`"),
    ))
}

/// Reads up to `limit + 1` bytes: one byte more than allowed is enough to know the input is too large.
fn read_at_most(reader: &mut impl Read, limit: usize) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    reader
        .take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{STDIN_NAME}: cannot read: {e}"))?;
    Ok(bytes)
}

/// Reads a file up to the limit; a regular file whose size is already over the limit is not read
/// at all. Returns the bytes and the file's size when the file system knows it.
fn read_file_at_most(path: &Path, limit: usize) -> Result<(Vec<u8>, Option<u64>), String> {
    let describe = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{}: no such file", path.display()),
        std::io::ErrorKind::PermissionDenied => format!("{}: permission denied", path.display()),
        _ => format!("{}: cannot read: {e}", path.display()),
    };
    let file = std::fs::File::open(path).map_err(describe)?;
    let metadata = file.metadata().map_err(describe)?;
    if metadata.is_dir() {
        return Err(format!("{} is a directory, not a blueprint file", path.display()));
    }
    let known_size = metadata.is_file().then_some(metadata.len());
    if known_size.is_some_and(|size| size > limit as u64) {
        return Ok((Vec::new(), known_size));
    }
    let mut bytes = Vec::with_capacity(known_size.map_or(0, |size| usize::try_from(size).unwrap_or(0)));
    file.take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1)).read_to_end(&mut bytes).map_err(describe)?;
    Ok((bytes, known_size))
}

/// Colour as `--color` says (by default on a terminal unless NO_COLOR is set); fixed width in CI.
pub fn style() -> Style {
    let color = match COLOR.get().copied().unwrap_or_default() {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let width = if color { terminal_width().unwrap_or(100) } else { 100 };
    Style { color, width }
}

fn terminal_width() -> Option<usize> {
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
}

pub fn usage_error(message: &str) {
    write_stderr(&format!("error: {message}\n"));
}

/// Writes to stdout. A reader that went away (`millwright plan … | head`, EPIPE) ends the output
/// quietly, as cargo does; any other failure (a full disk, `> /dev/full`) is an I/O error: it is
/// reported on stderr and the process exits 2, so a caller never mistakes missing output for success.
pub fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let result = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    drop(out);
    if let Err(e) = result {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            write_stderr(&format!("error: cannot write to standard output: {e}\n"));
            std::process::exit(super::USAGE);
        }
    }
}

pub fn print_stdout(text: &str) {
    write_stdout(&format!("{text}\n"));
}

/// Writes to stderr. If stderr itself is full there is nowhere left to say so: exit 2. A closed
/// reader (EPIPE) is ignored like on stdout.
pub fn write_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let result = err.write_all(text.as_bytes()).and_then(|()| err.flush());
    drop(err);
    if let Err(e) = result {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            std::process::exit(super::USAGE);
        }
    }
}
