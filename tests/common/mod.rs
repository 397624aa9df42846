//! Shared test helpers: the repository root, and compiling a blueprint to its rendered
//! diagnostics in the fixed snapshot style.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
#![allow(dead_code)]

use millwright::diag::render::{self, Style};
use millwright::diag::Diagnostic;
use millwright::Session;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// Path relative to the repository root, with forward slashes (stable in snapshots).
pub fn rel(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    pub rendered: String,
    pub codes: Vec<String>,
}

/// Checks one blueprint file with the embedded catalog.
pub fn check_file(path: &Path) -> Checked {
    let bytes = std::fs::read(path).expect("read test input");
    check_bytes(&rel(path), &bytes)
}

pub fn check_bytes(name: &str, bytes: &[u8]) -> Checked {
    let mut session = Session::new();
    let (_, diags) = session.check(name, bytes);
    let diagnostics = diags.sorted();
    let rendered = render::human(&diagnostics, &session.sources, Style::plain());
    // A warning an `allow` silences is expected as `allowed:W0602`.
    let mut codes: Vec<String> = diagnostics
        .iter()
        .map(|d| if d.is_suppressed() { format!("allowed:{}", d.code.code) } else { d.code.code.to_string() })
        .collect();
    codes.sort();
    codes.dedup();
    Checked { diagnostics, rendered, codes }
}
