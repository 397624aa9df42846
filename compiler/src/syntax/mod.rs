//! Text to KDL tree: the only stage that calls the KDL parser. It enforces the input limits first
//! (size, nesting depth) so that no input can exhaust the stack or memory, and turns the parser's
//! errors into E0101 diagnostics.

use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::source::{FileId, Span};

pub mod parser;

/// The compiler's input limits; each one is reported as an E0113 diagnostic when exceeded.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: usize,
    /// Deepest `{ … }` (and `/* … */`) nesting accepted. A blueprint needs six levels.
    pub max_depth: usize,
    /// Most nodes plus values (arguments and properties) in one file. A 10,000-rack blueprint
    /// written out rack by rack has about 50,000; the limit bounds the tree's memory (about 700 MB).
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_file_bytes: 64 * 1024 * 1024, max_depth: 64, max_items: 1_000_000 }
    }
}

/// Invalid files up to this size get their syntax errors worded by the `kdl` crate, which
/// reports every error it can recover from; larger ones get the first error only.
pub const KDL_WORDING_MAX_BYTES: usize = 256 * 1024;

/// The largest text handed to the `kdl` crate: it recurses once per character of a block
/// comment, about 400 bytes of stack each, and runs on a thread with [`KDL_REFERENCE_STACK`].
pub const KDL_REFERENCE_MAX_BYTES: usize = 2 * 1024 * 1024;

/// The stack of the thread the `kdl` crate runs on (reserved; only what it uses is touched).
pub const KDL_REFERENCE_STACK: usize = 2 << 30;

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

/// Parses one file. Returns `None` (with diagnostics) when the file cannot be read as KDL at all.
pub fn parse(file: FileId, text: &str, limits: &Limits, diags: &mut Diagnostics) -> Option<kdl::KdlDocument> {
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
    let parse_limits = parser::ParseLimits { max_depth: limits.max_depth, max_items: limits.max_items };
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
                    crate::render::format::group_thousands(limits.max_items as f64),
                    crate::render::format::group_thousands(limits.max_items as f64)
                ),
            )
            .label(Span::new(file, offset, 0), "the limit is reached here")
            .help("write repeated rows, racks and systems once with `count=`, or split the factory into several files"),
        ),
        parser::Failure::Syntax(first) => {
            // Small files: let the `kdl` crate word the errors (it recovers and reports them all).
            // It accepts nothing this parser rejects; if it does, its tree is used.
            if text.len() <= KDL_WORDING_MAX_BYTES {
                match kdl_reference(text, limits) {
                    Some(Ok(doc)) => return Some(doc),
                    Some(Err(err)) if !err.diagnostics.is_empty() => {
                        push_kdl_errors(file, text, err, diags);
                        return None;
                    }
                    _ => {}
                }
            }
            let (start, len) = snap(text, first.offset, first.len);
            let help = first.help.unwrap_or_else(|| DEFAULT_HELP.to_string());
            diags.push(
                Diagnostic::new(codes::E0101, format!("invalid KDL: {}", lowercase_first(&first.message)))
                    .label(Span::new(file, start, len), first.label)
                    .help(help),
            );
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

/// Runs the `kdl` crate's parser to word the errors of an invalid file, on a thread with a large
/// stack (it recurses once per nesting level and once per character of a block comment). Its
/// error recovery is slow on some inputs (a run of a thousand `/-` takes seconds, and the time
/// grows with the square of the run), so such texts are not given to it, and an answer that
/// takes longer than [`KDL_WORDING_TIMEOUT`] is not waited for. `None` when it gave none.
fn kdl_reference(text: &str, limits: &Limits) -> Option<Result<kdl::KdlDocument, kdl::KdlError>> {
    if too_deep(text, limits.max_depth).is_some() || text.matches("/-").count() > MAX_SLASHDASHES_FOR_WORDING {
        return None;
    }
    let owned = without_bom(text).into_owned();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("kdl-wording".to_string())
        .stack_size(KDL_REFERENCE_STACK)
        .spawn(move || {
            let _ = tx.send(kdl::KdlDocument::parse_v2(&owned));
        })
        .ok()?;
    rx.recv_timeout(KDL_WORDING_TIMEOUT).ok()
}

/// Invalid files with more slashdashes than this get the first error only (see [`kdl_reference`]).
const MAX_SLASHDASHES_FOR_WORDING: usize = 64;

/// How long the `kdl` crate may take to word the errors of an invalid file.
pub const KDL_WORDING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A byte-order mark is not KDL to the crate; it is blanked out so that offsets stay the same.
fn without_bom(text: &str) -> std::borrow::Cow<'_, str> {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => std::borrow::Cow::Owned(format!("   {rest}")),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// The `kdl` crate's reading of `text`, for checking our parser's work (`fmt` compares its
/// output with it). Runs on a thread with room for the crate's recursion; `None` when the text
/// is over [`KDL_REFERENCE_MAX_BYTES`] or the parse could not be run.
pub fn parse_with_kdl_crate(text: &str) -> Option<Result<kdl::KdlDocument, kdl::KdlError>> {
    if text.len() > KDL_REFERENCE_MAX_BYTES {
        return None;
    }
    let text = without_bom(text);
    let text = text.as_ref();
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("kdl-reference".to_string())
            .stack_size(KDL_REFERENCE_STACK)
            .spawn_scoped(scope, || kdl::KdlDocument::parse_v2(text))
            .ok()?
            .join()
            .ok()
    })
}

fn push_kdl_errors(file: FileId, text: &str, err: kdl::KdlError, diags: &mut Diagnostics) {
    let mut seen = std::collections::HashSet::new();
    for d in err.diagnostics {
        if seen.len() >= MAX_SYNTAX_ERRORS {
            break;
        }
        let span = snap(text, d.span.offset(), d.span.len());
        if !seen.insert((span, d.message.clone())) {
            continue;
        }
        let message = d.message.unwrap_or_else(|| "invalid KDL".to_string());
        let label = d.label.unwrap_or_else(|| "here".to_string());
        let help = d.help.unwrap_or_else(|| DEFAULT_HELP.to_string());
        diags.push(
            Diagnostic::new(codes::E0101, format!("invalid KDL: {}", lowercase_first(&message)))
                .label(Span::new(file, span.0, span.1), label)
                .help(help),
        );
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
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

/// Finds the first `{` that opens a block deeper than `max`, skipping strings and comments.
/// Returns its byte offset and depth.
fn too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'{' => {
                depth += 1;
                if depth > max {
                    return Some((i, depth));
                }
                i += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while let Some(&c) = bytes.get(i) {
                    if c == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // Block comments nest in KDL.
                let mut level = 0usize;
                while i < bytes.len() {
                    if bytes.get(i) == Some(&b'/') && bytes.get(i + 1) == Some(&b'*') {
                        level += 1;
                        i += 2;
                    } else if bytes.get(i) == Some(&b'*') && bytes.get(i + 1) == Some(&b'/') {
                        level -= 1;
                        i += 2;
                        if level == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            b'#' if matches!(bytes.get(i + 1), Some(b'#') | Some(b'"')) => {
                // Raw string: #"…"#, ##"…"##, …
                let mut hashes = 0usize;
                while bytes.get(i) == Some(&b'#') {
                    hashes += 1;
                    i += 1;
                }
                if bytes.get(i) != Some(&b'"') {
                    continue;
                }
                i += 1;
                'raw: while i < bytes.len() {
                    if bytes.get(i) == Some(&b'"') {
                        let closes = (1..=hashes).all(|k| bytes.get(i + k) == Some(&b'#'));
                        if closes {
                            i += 1 + hashes;
                            break 'raw;
                        }
                    }
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    if c == b'\\' {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    if c == b'"' {
                        break;
                    }
                }
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_guard_counts_only_real_braces() {
        assert_eq!(too_deep("a { b { c { } } }", 3), None);
        assert_eq!(too_deep("a { b { c { } } }", 2), Some((10, 3)));
        assert_eq!(too_deep("a \"{{{{\" /* { { */ #\"{{\"# // {{{\n", 1), None);
    }

    #[test]
    fn deep_input_is_a_diagnostic_not_a_crash() {
        let text = "a {".repeat(5000);
        let mut diags = Diagnostics::new();
        assert!(parse(FileId(0), &text, &Limits::default(), &mut diags).is_none());
        assert_eq!(diags.iter().next().map(|d| d.code.code), Some("E0113"));
    }
}
