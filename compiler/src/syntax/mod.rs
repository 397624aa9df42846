//! Text to KDL tree: the only stage that parses KDL for analysis. `parser` reads the text into
//! Millwright's own tree (`tree`), enforcing the input limits (size, nesting depth, nodes and
//! values) as it goes so that no input can exhaust the stack or memory, and its syntax errors
//! become E0101 diagnostics.

use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::source::{FileId, Span};

pub mod parser;
pub mod tree;

/// The compiler's input limits; each one is reported as an E0113 diagnostic when exceeded.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: usize,
    /// Deepest `{ … }` (and `/* … */`) nesting accepted. A blueprint needs six levels.
    pub max_depth: usize,
    /// Most nodes plus values (arguments and properties) in one file. A 10,000-rack blueprint
    /// written out rack by rack has about 50,000; the limit bounds the tree's memory (about 150 MB).
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_file_bytes: 64 * 1024 * 1024, max_depth: 64, max_items: 1_000_000 }
    }
}

/// At most this many syntax errors are reported for one file.
pub const MAX_SYNTAX_ERRORS: usize = 50;

/// Decodes file bytes as UTF-8. Invalid bytes become an E0114 diagnostic pointing at the first one;
/// the returned text (lossily decoded) is still good for showing the location.
pub fn decode(bytes: &[u8]) -> Result<String, (String, usize)> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => Err((String::from_utf8_lossy(bytes).into_owned(), e.valid_up_to())),
    }
}

/// The E0114 diagnostic for a file that is not UTF-8 text.
pub fn not_text(file: FileId, lossy: &str, offset: usize) -> Diagnostic {
    // Point at the replacement character that stands where the bad byte was.
    let start = lossy.get(..offset).map(str::len).unwrap_or(0);
    let len = lossy.get(start..).and_then(|s| s.chars().next()).map(char::len_utf8).unwrap_or(0);
    let nul = lossy.contains('\0');
    Diagnostic::new(
        codes::E0114,
        format!(
            "file is not UTF-8 text (invalid byte at offset {offset}{})",
            if nul { "; it looks binary" } else { "" }
        ),
    )
    .label(Span::new(file, start, len), "this byte is not valid UTF-8")
    .help("blueprints are KDL v2 text files encoded as UTF-8; re-save the file as UTF-8")
}

/// Parses one file into the tree. Returns `None` (with diagnostics: every syntax error found, up
/// to [`MAX_SYNTAX_ERRORS`], or the limit hit) when the file is not valid KDL v2.
pub fn parse(file: FileId, text: &str, limits: &Limits, diags: &mut Diagnostics) -> Option<tree::Document> {
    if text.len() > limits.max_file_bytes {
        diags.push(
            Diagnostic::new(
                codes::E0113,
                format!("file is {} bytes; the limit is {} bytes", text.len(), limits.max_file_bytes),
            )
            .label(Span::new(file, 0, 0), "file starts here")
            .help("split the factory into several blueprint files, or write repeated racks with `count=`"),
        );
        return None;
    }
    let parse_limits =
        parser::ParseLimits { max_depth: limits.max_depth, max_items: limits.max_items, max_errors: MAX_SYNTAX_ERRORS };
    let failure = match parser::parse(text, parse_limits) {
        Ok(doc) => return Some(doc),
        Err(failure) => failure,
    };
    match failure {
        parser::Failure::Limit(parser::LimitHit::Depth { offset }) => {
            diags.push(too_deep_diagnostic(file, offset, limits))
        }
        parser::Failure::Limit(parser::LimitHit::Items { offset }) => diags.push(
            Diagnostic::new(
                codes::E0113,
                format!(
                    "the file has more than {} nodes and values; the limit is {}",
                    crate::format::group_thousands(limits.max_items as f64),
                    crate::format::group_thousands(limits.max_items as f64)
                ),
            )
            .label(Span::new(file, offset, 0), "the limit is reached here")
            .help("write repeated rows, racks and systems once with `count=`, or split the factory into several files"),
        ),
        parser::Failure::Syntax(errors) => {
            for e in errors.into_iter().take(MAX_SYNTAX_ERRORS) {
                let (start, len) = snap(text, e.offset, e.len);
                let help = e.help.unwrap_or_else(|| DEFAULT_HELP.to_string());
                let mut d = Diagnostic::new(codes::E0101, format!("invalid KDL: {}", e.message))
                    .label(Span::new(file, start, len), e.label);
                if let Some((offset, len, label)) = e.related {
                    let (start, len) = snap(text, offset, len);
                    d = d.label(Span::new(file, start, len), label);
                }
                diags.push(d.help(help));
            }
        }
    }
    None
}

const DEFAULT_HELP: &str =
    "see docs/language.md for the syntax; strings are quoted, numbers are bare, and units are written `(kW)10`";

fn too_deep_diagnostic(file: FileId, offset: usize, limits: &Limits) -> Diagnostic {
    Diagnostic::new(
        codes::E0113,
        format!("blocks are nested {} levels deep here; the limit is {}", limits.max_depth + 1, limits.max_depth),
    )
    .label(Span::new(file, offset, 1), "this block is too deeply nested")
    .help("a blueprint needs about six levels (site, hall, row, rack, system); check for unclosed or stray `{` or `/*`")
}

/// Clamps a span to the text and to character boundaries.
fn snap(text: &str, offset: usize, len: usize) -> (usize, usize) {
    let mut start = offset.min(text.len());
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = offset.saturating_add(len).min(text.len()).max(start);
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    (start, end - start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_input_is_a_diagnostic_not_a_crash() {
        let text = "a {".repeat(5000);
        let mut diags = Diagnostics::new();
        assert!(parse(FileId(0), &text, &Limits::default(), &mut diags).is_none());
        assert_eq!(diags.iter().next().map(|d| d.code.code), Some("E0113"));
    }
}
