//! Shared output helpers: reading input files, the diagnostic style for this terminal, printing.

use millwright::diag::render::Style;
use std::io::IsTerminal;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
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

pub fn usage_error(message: &str) {
    eprintln!("error: {message}");
}
