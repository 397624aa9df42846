//! Shared output helpers: reading input files, the diagnostic style for this terminal, printing.

use millwright::diag::render::Style;
use std::io::IsTerminal;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// The formats of `check`: diagnostics for people, as JSON, or as a SARIF 2.1.0 log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
}

/// Reads a blueprint file, or prints why it cannot be read (the caller exits 2).
pub fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    if path.is_dir() {
        return Err(format!("{} is a directory, not a blueprint file", path.display()));
    }
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{}: no such file", path.display()),
        std::io::ErrorKind::PermissionDenied => format!("{}: permission denied", path.display()),
        _ => format!("{}: cannot read: {e}", path.display()),
    })
}

/// Colour on a terminal unless NO_COLOR is set; fixed width in CI.
pub fn style() -> Style {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let width = if color { terminal_width().unwrap_or(100) } else { 100 };
    Style { color, width }
}

fn terminal_width() -> Option<usize> {
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
}

/// Reads a blueprint file; on failure prints why and returns `None` (the caller exits 2).
pub fn read_or_report(path: &Path) -> Option<Vec<u8>> {
    read_file(path).map_err(|msg| usage_error(&msg)).ok()
}

pub fn usage_error(message: &str) {
    eprintln!("error: {message}");
}

/// Prints a line to stdout. A closed pipe (`millwright check --format json … | head`) is not an
/// error worth a panic: the rest of the output is dropped.
pub fn write_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{text}");
    let _ = out.flush();
}

pub fn print_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}
