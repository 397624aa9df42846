//! Rendering diagnostics for people (miette's graphical report) and for machines (JSON).

use super::{Diagnostic, Label, Severity};
use crate::source::{SourceFile, SourceMap};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use std::fmt;

/// How human-readable output looks.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Style {
    /// The fixed style of snapshots and CI logs: no colour, 100 columns.
    pub fn plain() -> Style {
        Style { color: false, width: 100 }
    }
}

/// One diagnostic as miette sees it: labels in the primary label's file; labels in other files
/// become related reports, since one miette report shows one source.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    message: String,
    labels: Vec<&'a Label>,
    source: Option<NamedSource<String>>,
    related: Vec<Report<'a>>,
    help: Option<String>,
    is_related: bool,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        // The code is part of the message (`error[E0201]: …`), as rustc writes it.
        None
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match (self.is_related, self.diagnostic.severity()) {
            (true, _) => miette::Severity::Advice,
            (false, Severity::Error) => miette::Severity::Error,
            (false, Severity::Warning) => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        let len = self.source.as_ref().map(|s| s.inner().len()).unwrap_or(0);
        Some(Box::new(self.labels.iter().enumerate().map(move |(i, l)| {
            let start = (l.span.start as usize).min(len);
            let end = (l.span.end as usize).clamp(start, len);
            let text = if l.message.is_empty() { None } else { Some(l.message.clone()) };
            let span = SourceSpan::new(start.into(), end - start);
            if i == 0 && !self.is_related {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            }
        })))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
        }
    }
}

fn named_source(file: &SourceFile) -> NamedSource<String> {
    NamedSource::new(file.name.clone(), file.text.to_string()).with_language("kdl")
}

fn build_report<'a>(diagnostic: &'a Diagnostic, sources: &SourceMap) -> Report<'a> {
    let primary_file = diagnostic.labels.first().map(|l| l.span.file);
    let mut here = Vec::new();
    let mut elsewhere: Vec<(crate::source::FileId, Vec<&'a Label>)> = Vec::new();
    for label in &diagnostic.labels {
        if Some(label.span.file) == primary_file {
            here.push(label);
        } else if let Some(group) = elsewhere.iter_mut().find(|(f, _)| *f == label.span.file) {
            group.1.push(label);
        } else {
            elsewhere.push((label.span.file, vec![label]));
        }
    }
    let related = elsewhere
        .into_iter()
        .map(|(file, labels)| Report {
            diagnostic,
            message: format!("see {}", sources.name(file)),
            labels,
            source: sources.get(file).map(named_source),
            related: Vec::new(),
            help: None,
            is_related: true,
        })
        .collect();
    let mut help = diagnostic.help.clone();
    for note in &diagnostic.notes {
        let line = format!("note: {note}");
        help = Some(match help {
            Some(h) => format!("{h}\n{line}"),
            None => line,
        });
    }
    Report {
        diagnostic,
        message: format!("{}[{}]: {}", diagnostic.severity().as_str(), diagnostic.code.code, diagnostic.message),
        labels: here,
        source: primary_file.and_then(|f| sources.get(f)).map(named_source),
        related,
        help,
        is_related: false,
    }
}

/// Renders diagnostics as miette reports, one after another.
pub fn human(diagnostics: &[Diagnostic], sources: &SourceMap, style: Style) -> String {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
    let mut out = String::new();
    for d in diagnostics {
        let report = build_report(d, sources);
        let mut one = String::new();
        if handler.render_report(&mut one, &report).is_err() {
            one = format!("{}[{}]: {}\n", d.severity().as_str(), d.code.code, d.message);
        }
        out.push_str(&one);
    }
    out
}

/// A one-line summary like `2 errors, 1 warning`.
pub fn summary(errors: usize, warnings: usize) -> String {
    fn plural(n: usize, word: &str) -> String {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    }
    format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
}

/// The `--format json` object: `{"diagnostics":[…],"errors":N,"warnings":N}`.
pub fn json(diagnostics: &[Diagnostic], sources: &SourceMap) -> serde_json::Value {
    let items: Vec<serde_json::Value> = diagnostics.iter().map(|d| json_one(d, sources)).collect();
    let errors = diagnostics.iter().filter(|d| d.severity() == Severity::Error).count();
    let warnings = diagnostics.len() - errors;
    serde_json::json!({ "diagnostics": items, "errors": errors, "warnings": warnings })
}

fn json_one(d: &Diagnostic, sources: &SourceMap) -> serde_json::Value {
    let position = |label: &Label| {
        let file = sources.get(label.span.file);
        let (line, column) = file.map(|f| f.line_col(label.span.start)).unwrap_or((1, 1));
        (file.map(|f| f.name.clone()), line, column)
    };
    let (file, line, column) = d.labels.first().map(position).unwrap_or((None, 1, 1));
    let labels: Vec<serde_json::Value> = d
        .labels
        .iter()
        .map(|l| {
            let (lfile, lline, lcol) = position(l);
            serde_json::json!({ "message": l.message, "file": lfile, "line": lline, "column": lcol })
        })
        .collect();
    serde_json::json!({
        "code": d.code.code,
        "severity": d.severity().as_str(),
        "message": d.message,
        "file": file,
        "line": line,
        "column": column,
        "labels": labels,
        "help": d.help,
        "notes": d.notes,
    })
}
