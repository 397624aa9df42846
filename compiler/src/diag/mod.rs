//! Diagnostics: one type for every error and warning the compiler reports, built with a code from
//! the registry, labelled spans and a help line. Rendering lives in `render`.

pub mod codes;
pub mod render;

use crate::source::Span;
pub use codes::CodeInfo;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A labelled span; the first label of a diagnostic is its primary location.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: &'static CodeInfo,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub notes: Vec<String>,
    /// The reason of the blueprint's `allow` that silences this warning; a suppressed warning is
    /// not shown to people and does not count, but JSON and SARIF still list it.
    pub suppressed: Option<Box<str>>,
}

impl Diagnostic {
    pub fn new(code: &'static CodeInfo, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            notes: Vec::new(),
            suppressed: None,
        }
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }

    /// True for a warning that an `allow` silences.
    pub fn is_suppressed(&self) -> bool {
        self.suppressed.is_some()
    }
}

/// An `allow "W0602" reason="…"` of a blueprint: warnings with the code, found while analysing
/// that blueprint, are suppressed with the reason.
#[derive(Clone, Debug, PartialEq)]
pub struct Allow {
    pub code: &'static CodeInfo,
    pub reason: String,
}

/// At most this many diagnostics are kept for one compilation; the rest are only counted, and
/// `sorted` ends with one E0113 that says how many there were. It bounds the memory and the
/// output of a file with a hundred thousand mistakes.
pub const MAX_KEPT: usize = 10_000;

/// The diagnostics of a compilation, in the order they were found; `sorted` gives the order they
/// are shown in.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    dropped_errors: usize,
    dropped_warnings: usize,
    allows: Vec<Allow>,
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        if self.items.len() < MAX_KEPT {
            self.items.push(diagnostic);
        } else if diagnostic.severity() == Severity::Error {
            self.dropped_errors += 1;
        } else {
            self.dropped_warnings += 1;
        }
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.dropped_errors += other.dropped_errors;
        self.dropped_warnings += other.dropped_warnings;
        self.allows.extend(other.allows);
        for d in other.items {
            self.push(d);
        }
    }

    pub fn errors(&self) -> usize {
        self.items.iter().filter(|d| d.severity() == Severity::Error).count() + self.dropped_errors
    }

    /// Warnings that count: those no `allow` silences.
    pub fn warnings(&self) -> usize {
        let shown = self.items.iter().filter(|d| d.severity() == Severity::Warning && self.reason(d).is_none());
        shown.count() + self.dropped_warnings
    }

    /// Warnings an `allow` silences.
    pub fn suppressed(&self) -> usize {
        self.items.iter().filter(|d| self.reason(d).is_some()).count()
    }

    /// Silences the warnings with `allow.code` found in this compilation. Errors are never allowed:
    /// the blueprint's reader rejects an `allow` of an error code.
    pub fn allow(&mut self, allow: Allow) {
        if allow.code.severity() == Severity::Warning {
            self.allows.push(allow);
        }
    }

    /// The reason of the first `allow` that silences `d`.
    fn reason(&self, d: &Diagnostic) -> Option<&str> {
        if d.severity() != Severity::Warning {
            return None;
        }
        self.allows
            .iter()
            .find(|a| std::ptr::eq(a.code, d.code) || a.code.code == d.code.code)
            .map(|a| a.reason.as_str())
    }

    pub fn has_errors(&self) -> bool {
        self.dropped_errors > 0 || self.items.iter().any(|d| d.severity() == Severity::Error)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Diagnostics in display order: by file and position, then code; exact repeats removed;
    /// warnings an `allow` silences marked with its reason.
    pub fn sorted(&self) -> Vec<Diagnostic> {
        let mut items = self.items.clone();
        for d in &mut items {
            d.suppressed = self.reason(d).map(Box::from);
        }
        items.sort_by(|a, b| {
            let ka = (a.primary_span(), a.code.code, &a.message);
            let kb = (b.primary_span(), b.code.code, &b.message);
            ka.cmp(&kb)
        });
        items.dedup();
        let dropped = self.dropped_errors + self.dropped_warnings;
        if dropped > 0 {
            items.push(
                Diagnostic::new(
                    codes::E0113,
                    format!(
                        "{dropped} more diagnostics ({} errors, {} warnings) were found; only the first {MAX_KEPT} are kept",
                        self.dropped_errors, self.dropped_warnings
                    ),
                )
                .help("fix the problems above and check again; a file with this many is usually not a blueprint"),
            );
        }
        items
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

/// Names in `candidates` close to `name`, best first (for "did you mean" help).
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let lower = name.to_ascii_lowercase();
    let mut scored: Vec<(usize, &'a str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let cl = c.to_ascii_lowercase();
            if cl == lower {
                return Some((0, c));
            }
            let d = edit_distance(&lower, &cl);
            let limit = (lower.chars().count().max(cl.chars().count()) / 3).max(1);
            let contains = cl.contains(&lower) || lower.contains(&cl);
            if d <= limit {
                Some((d, c))
            } else if contains && lower.len() >= 2 {
                Some((limit + 1, c))
            } else {
                None
            }
        })
        .collect();
    scored.sort();
    scored.dedup();
    scored.into_iter().map(|(_, c)| c).collect()
}

/// "did you mean `x`?" or "did you mean one of `x`, `y`?" help, or None when nothing is close.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let close = suggest(name, candidates);
    match close.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean `{one}`?")),
        many => {
            let list: Vec<String> = many.iter().take(3).map(|c| format!("`{c}`")).collect();
            Some(format!("did you mean one of {}?", list.join(", ")))
        }
    }
}

/// Levenshtein distance over characters (`strsim`), on the first 128 characters of each: a name
/// longer than that is no typo of a short one, and the bound keeps hostile input cheap.
fn edit_distance(a: &str, b: &str) -> usize {
    let bounded = |s: &str| s.char_indices().nth(128).map_or(s.len(), |(i, _)| i);
    strsim::levenshtein(a.get(..bounded(a)).unwrap_or(a), b.get(..bounded(b)).unwrap_or(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        assert_eq!(suggest("tcs-9", ["tcs-1", "air"]), vec!["tcs-1"]);
        assert_eq!(suggest("capacty", ["capacity", "side"]), vec!["capacity"]);
        assert!(suggest("zzzz", ["capacity"]).is_empty());
    }
}
