//! Rendering diagnostics for people (miette's graphical report) and for machines (JSON).

use super::{Diagnostic, Label, Severity};
use crate::source::{SourceFile, SourceMap};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceSpan, SpanContents,
};
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
    source: Option<Excerpt<'a>>,
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
        let source = self.source.as_ref()?;
        Some(Box::new(self.labels.iter().enumerate().map(move |(i, l)| {
            let start = source.to_text(l.span.start as usize);
            let end = source.to_text(l.span.end as usize).max(start);
            let text = if l.message.is_empty() { None } else { Some(sanitize(&l.message)) };
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

/// Lines longer than this many bytes are shown as windows around the labels on them: miette lays
/// a line out in one piece and cannot place a label past column 65,535, and no one reads such a
/// line whole anyway.
pub const LONG_LINE_BYTES: usize = 512;

/// Bytes of a long line kept on either side of a label's start and end.
const WINDOW_BYTES: usize = 80;

/// Lines of context shown above and below a label.
const CONTEXT_LINES: usize = 1;

/// Stands where part of a long line was left out.
const CUT: &str = "…";

/// The part of a source file one report shows: the lines from its first label to its last, with
/// context, and long lines cut to windows around the labels. Copying only this (not the whole
/// file) bounds each report's memory; line and column numbers still count in the whole file.
struct Excerpt<'a> {
    file: &'a SourceFile,
    name: String,
    text: String,
    /// Index of the file line the excerpt starts with.
    first_line: usize,
    /// The kept pieces of the file, in order.
    pieces: Vec<Piece>,
}

#[derive(Clone, Copy, Debug)]
struct Piece {
    file_start: usize,
    file_end: usize,
    text_start: usize,
}

impl<'a> Excerpt<'a> {
    fn new(file: &'a SourceFile, labels: &[&Label]) -> Excerpt<'a> {
        let len = file.text.len();
        let points: Vec<usize> = labels
            .iter()
            .flat_map(|l| {
                let start = (l.span.start as usize).min(len);
                [start, (l.span.end as usize).clamp(start, len)]
            })
            .collect();
        let line_of = |offset: usize| file.line_index(u32::try_from(offset).unwrap_or(u32::MAX));
        let first_line = points.iter().copied().min().map_or(0, line_of).saturating_sub(CONTEXT_LINES);
        let last_line = points
            .iter()
            .copied()
            .max()
            .map_or(0, line_of)
            .saturating_add(CONTEXT_LINES)
            .min(file.line_count().saturating_sub(1));
        let mut text = String::new();
        let mut pieces = Vec::new();
        for line in first_line..=last_line {
            let Some(range) = file.line_range(line) else { continue };
            let mut cursor = range.start;
            for window in windows(&file.text, &range, &points) {
                if window.start > cursor {
                    text.push_str(CUT);
                }
                pieces.push(Piece { file_start: window.start, file_end: window.end, text_start: text.len() });
                text.push_str(&sanitize_keeping_offsets(file.text.get(window.clone()).unwrap_or("")));
                cursor = window.end;
            }
            if cursor < range.end {
                text.push_str(CUT);
            }
            let next = file.line_range(line + 1).map_or(file.text.len(), |r| r.start);
            text.push_str(file.text.get(range.end..next).unwrap_or(""));
        }
        Excerpt { file, name: sanitize(&file.name), text, first_line, pieces }
    }

    /// Where a byte offset of the file is in the excerpt (offsets in a left-out part go to the
    /// nearest kept byte before them).
    fn to_text(&self, offset: usize) -> usize {
        let index = self.pieces.partition_point(|p| p.file_start <= offset);
        match index.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some(p) => p.text_start + offset.min(p.file_end) - p.file_start,
            None => 0,
        }
    }

    /// Where a byte offset of the excerpt is in the file.
    fn to_file(&self, offset: usize) -> usize {
        let index = self.pieces.partition_point(|p| p.text_start <= offset);
        match index.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some(p) => p.file_start + (offset - p.text_start).min(p.file_end - p.file_start),
            None => 0,
        }
    }
}

/// The parts of one line to show: the whole line when it is short, else windows around the label
/// points on it (or its start, for a context line), merged where they overlap.
fn windows(text: &str, line: &std::ops::Range<usize>, points: &[usize]) -> Vec<std::ops::Range<usize>> {
    if line.len() <= LONG_LINE_BYTES {
        return vec![line.clone()];
    }
    let mut around: Vec<usize> = points.iter().copied().filter(|p| line.start <= *p && *p <= line.end).collect();
    if around.is_empty() {
        around.push(line.start);
    }
    around.sort_unstable();
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for p in around {
        let start = floor_char_boundary(text, p.saturating_sub(WINDOW_BYTES).max(line.start));
        let end = ceil_char_boundary(text, p.saturating_add(WINDOW_BYTES).min(line.end));
        match merged.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => merged.push(start..end),
        }
    }
    merged
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl miette::SourceCode for Excerpt<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = self.text.read_span(span, context_lines_before, context_lines_after)?;
        // As miette does: the column (in bytes) is that of the span itself when no lines before
        // it are asked for, else the start of the first line.
        let column = if context_lines_before == 0 {
            let offset = self.to_file(span.offset());
            let line = self.file.line_index(u32::try_from(offset).unwrap_or(u32::MAX));
            offset - self.file.line_range(line).map_or(offset, |r| r.start.min(offset))
        } else {
            0
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            self.first_line + inner.line(),
            column,
            // miette decides by this count whether two labels share one snippet (they do when the
            // first one's line plus this count reaches the second's). Its own sources count the
            // lines from the start of the file here, which joins labels far down a file with every
            // line between them; the lines of the context itself join only labels whose contexts
            // meet.
            inner.line_count(),
        )))
    }
}

/// Characters a terminal would act on (escape sequences, bell, backspace) or that reorder text
/// (bidirectional overrides): never print them from user input.
fn is_hostile(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Replaces hostile characters in a message with a visible `�`.
pub fn sanitize(s: &str) -> String {
    s.chars().map(|c| if is_hostile(c) && c != '\r' { '\u{FFFD}' } else { c }).collect()
}

/// Replaces each byte of a hostile character with `?`, so spans into the text stay valid; carriage
/// returns before a newline are kept (CRLF files).
fn sanitize_keeping_offsets(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            out.push(c);
        } else if is_hostile(c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

fn build_report<'a>(diagnostic: &'a Diagnostic, sources: &'a SourceMap) -> Report<'a> {
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
            source: sources.get(file).map(|f| Excerpt::new(f, &labels)),
            diagnostic,
            message: format!("see {}", sanitize(sources.name(file))),
            labels,
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
        source: primary_file.and_then(|f| sources.get(f)).map(|f| Excerpt::new(f, &here)),
        diagnostic,
        message: format!(
            "{}[{}]: {}",
            diagnostic.severity().as_str(),
            diagnostic.code.code,
            sanitize(&diagnostic.message)
        ),
        labels: here,
        related,
        help: help.map(|h| sanitize(&h)),
        is_related: false,
    }
}

/// At most this many diagnostics are drawn in full by [`human`]; each one copies its file.
pub const MAX_SHOWN: usize = 200;

/// Renders diagnostics as miette reports, one after another (the first [`MAX_SHOWN`]).
pub fn human(diagnostics: &[Diagnostic], sources: &SourceMap, style: Style) -> String {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_primary_span_start()
        .with_break_words(false)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut out = String::new();
    // Warnings an `allow` silences are not shown to people (JSON and SARIF list them).
    let shown: Vec<&Diagnostic> = diagnostics.iter().filter(|d| !d.is_suppressed()).collect();
    for (i, d) in shown.iter().copied().enumerate() {
        if i == MAX_SHOWN {
            let rest = shown.len() - MAX_SHOWN;
            // The last one stays visible: it is the count of any diagnostics that were not kept.
            let last = shown.last().copied().filter(|l| l.code == super::codes::E0113 && l.labels.is_empty());
            out.push_str(&format!(
                "… and {} more diagnostics not shown here; `--format json` lists every one\n",
                rest - usize::from(last.is_some())
            ));
            if let Some(l) = last {
                out.push_str(&format!("{}[{}]: {}\n", l.severity().as_str(), l.code.code, sanitize(&l.message)));
            }
            break;
        }
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

/// One line per diagnostic, as compilers print for editors and CI logs:
/// `file:line:column: error[E0402]: message`. Warnings an `allow` silences are left out.
pub fn short(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diagnostics.iter().filter(|d| !d.is_suppressed()) {
        let place = d.labels.first().and_then(|l| {
            let file = sources.get(l.span.file)?;
            let (line, column) = file.line_col(l.span.start);
            Some(format!("{}:{line}:{column}: ", sanitize(&file.name)))
        });
        out.push_str(&format!(
            "{}{}[{}]: {}\n",
            place.unwrap_or_default(),
            d.severity().as_str(),
            d.code.code,
            sanitize(&d.message).replace(['\n', '\r'], " ")
        ));
    }
    out
}

/// The `--format json` object: `{"diagnostics":[…],"errors":N,"warnings":N}`.
pub fn json(diagnostics: &[Diagnostic], sources: &SourceMap) -> serde_json::Value {
    let items: Vec<serde_json::Value> = diagnostics.iter().map(|d| json_one(d, sources)).collect();
    let errors = diagnostics.iter().filter(|d| d.severity() == Severity::Error).count();
    let suppressed = diagnostics.iter().filter(|d| d.is_suppressed()).count();
    let warnings = diagnostics.len() - errors - suppressed;
    serde_json::json!({ "diagnostics": items, "errors": errors, "warnings": warnings, "suppressed": suppressed })
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
    let mut one = serde_json::json!({
        "code": d.code.code,
        "severity": d.severity().as_str(),
        "message": d.message,
        "file": file,
        "line": line,
        "column": column,
        "labels": labels,
        "help": d.help,
        "notes": d.notes,
    });
    if let Some(reason) = &d.suppressed {
        set(&mut one, "suppressed", serde_json::json!({ "kind": "inSource", "justification": reason }));
    }
    one
}

/// Where the docs pages of the codes live, for SARIF rules' `helpUri` (absolute URIs only).
#[derive(Clone, Debug, Default)]
pub struct SarifOptions {
    /// A base URL that the page file name (`E0101.md`) is appended to, such as
    /// `https://example.com/millwright/blob/main/docs/codes/`.
    pub docs_url: Option<String>,
}

/// The `--format sarif` log: SARIF 2.1.0 with one rule per registered code (its summary, its
/// docs page as help) and one result per diagnostic, located by line, column (in Unicode code
/// points) and byte range; further labels are related locations.
pub fn sarif(diagnostics: &[Diagnostic], sources: &SourceMap) -> serde_json::Value {
    sarif_with(diagnostics, sources, &SarifOptions::default())
}

/// [`sarif`] with options.
pub fn sarif_with(diagnostics: &[Diagnostic], sources: &SourceMap, options: &SarifOptions) -> serde_json::Value {
    use serde_json::json;
    let codes: Vec<&super::CodeInfo> = super::codes::ALL.to_vec();
    let rules: Vec<serde_json::Value> = codes
        .iter()
        .map(|c| {
            let level = match c.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut rule = json!({
                "id": c.code,
                "name": c.slug,
                "shortDescription": { "text": c.summary },
                "fullDescription": { "text": format!("{}: {}. Run `millwright explain {}` for the full page.", c.code, c.summary, c.code) },
                "defaultConfiguration": { "level": level },
                "properties": { "docs": format!("docs/codes/{}.md", c.code), "tags": [area(c.code)] },
            });
            if let Some(page) = crate::docs::code_page(c.code) {
                set(&mut rule, "help", json!({ "text": page, "markdown": page }));
            } else {
                set(&mut rule, "help", json!({ "text": c.summary }));
            }
            if let Some(base) = &options.docs_url {
                let sep = if base.ends_with('/') { "" } else { "/" };
                set(&mut rule, "helpUri", json!(format!("{base}{sep}{}.md", c.code)));
            }
            rule
        })
        .collect();
    let results: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let rule_index = codes.iter().position(|c| c.code == d.code.code);
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            for note in &d.notes {
                message.push_str("\nnote: ");
                message.push_str(note);
            }
            let locations: Vec<serde_json::Value> =
                d.labels.first().and_then(|l| sarif_location(l, sources, None)).into_iter().collect();
            let related: Vec<serde_json::Value> =
                d.labels.iter().enumerate().skip(1).filter_map(|(i, l)| sarif_location(l, sources, Some(i))).collect();
            let mut result = json!({
                "ruleId": d.code.code,
                "level": match d.severity() { Severity::Error => "error", Severity::Warning => "warning" },
                "message": { "text": message },
                "locations": locations,
            });
            if let Some(i) = rule_index {
                set(&mut result, "ruleIndex", json!(i));
            }
            if !related.is_empty() {
                set(&mut result, "relatedLocations", json!(related));
            }
            // SARIF 2.1.0 §3.27.23 and §3.35: a suppression stated in the source, with its reason.
            if let Some(reason) = &d.suppressed {
                set(&mut result, "suppressions", json!([{ "kind": "inSource", "justification": reason }]));
            }
            result
        })
        .collect();
    let mut driver = json!({
        "name": "millwright",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    // Where the docs of the codes are published is where a reader learns about the tool
    // (SARIF 2.1.0 §3.19.17); without a published base there is no absolute URI to give.
    if let Some(base) = &options.docs_url {
        set(&mut driver, "informationUri", json!(base));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "originalUriBaseIds": {
                "STDLIB": { "description": { "text": "the parts catalog built into millwright (stdlib/ in its source)" } }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn area(code: &str) -> &'static str {
    match code.get(1..3) {
        Some("01") => "syntax",
        Some("02") => "catalog",
        Some("03") => "structure",
        Some("04") => "power",
        Some("05") => "cooling",
        Some("06") => "network",
        Some("07") => "software",
        Some("08") => "workloads",
        Some("09") => "site",
        Some("10") => "targets",
        Some("11") => "physical",
        _ => "other",
    }
}

/// A file name as a SARIF artifact location: catalog files against `STDLIB`, other paths as
/// relative URI references (or `file://` URIs when absolute), percent-encoded.
fn artifact_location(name: &str) -> serde_json::Value {
    fn encode(path: &str) -> String {
        let mut out = String::with_capacity(path.len());
        for b in path.replace('\\', "/").bytes() {
            if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
    if let Some(rest) = name.strip_prefix("<stdlib>/") {
        return serde_json::json!({ "uri": encode(rest), "uriBaseId": "STDLIB" });
    }
    let path = name.strip_prefix("./").unwrap_or(name);
    if path.starts_with('/') {
        serde_json::json!({ "uri": format!("file://{}", encode(path)) })
    } else {
        serde_json::json!({ "uri": encode(path) })
    }
}

fn sarif_location(label: &Label, sources: &SourceMap, id: Option<usize>) -> Option<serde_json::Value> {
    let file = sources.get(label.span.file)?;
    let len = file.text.len();
    let start = (label.span.start as usize).min(len);
    let end = (label.span.end as usize).clamp(start, len);
    let (start_line, start_column) = file.line_col(u32::try_from(start).unwrap_or(u32::MAX));
    let (end_line, end_column) = file.line_col(u32::try_from(end).unwrap_or(u32::MAX));
    let mut region = serde_json::json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
        "byteOffset": start,
        "byteLength": end - start,
    });
    let snippet = file.text.get(start..end).unwrap_or("");
    if !snippet.is_empty() && snippet.len() <= 200 {
        set(&mut region, "snippet", serde_json::json!({ "text": snippet }));
    }
    let mut location = serde_json::json!({
        "physicalLocation": { "artifactLocation": artifact_location(&file.name), "region": region },
    });
    if !label.message.is_empty() {
        set(&mut location, "message", serde_json::json!({ "text": label.message }));
    }
    if let Some(id) = id {
        set(&mut location, "id", serde_json::json!(id));
    }
    Some(location)
}

/// Sets `key` on a JSON object (a no-op on anything else).
fn set(value: &mut serde_json::Value, key: &str, field: serde_json::Value) {
    if let Some(object) = value.as_object_mut() {
        object.insert(key.to_string(), field);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::diag::codes;
    use crate::source::Span;

    fn render_one(text: &str, start: usize, len: usize) -> String {
        let mut sources = SourceMap::new();
        let file = sources.add("long.kdl", text);
        let d = Diagnostic::new(codes::E0101, "invalid KDL").label(Span::new(file, start, len), "here");
        human(&[d], &sources, Style::plain())
    }

    #[test]
    fn a_label_past_column_65535_is_shown_in_a_window_with_its_true_position() {
        let line = format!("site \"s\" {{ tier 3 }}{}bogus 1", " ".repeat(70_000));
        let text = format!("factory \"x\"\n{line}\nsite \"t\"\n");
        let at = text.find("bogus").unwrap();
        let out = render_one(&text, at, 5);
        assert!(out.contains("[long.kdl:2:70020]"), "{out}");
        assert!(out.contains("…") && out.contains("bogus 1") && out.contains("here"), "{out}");
        assert!(out.lines().all(|l| l.len() < 1_000), "a line was not cut:\n{out}");
        assert!(out.contains(" 1 │ factory \"x\"") && out.contains(" 3 │ site \"t\""), "{out}");
    }

    #[test]
    fn a_label_spanning_a_long_line_keeps_both_ends() {
        let line = "x".repeat(100_000);
        let text = format!("{line}\n");
        let out = render_one(&text, 10, 99_980);
        assert!(out.contains("[long.kdl:1:11]") && out.contains("here"), "{out}");
        assert!(out.lines().all(|l| l.len() < 1_000), "{out}");
    }

    #[test]
    fn short_lines_are_shown_whole_and_only_the_lines_around_the_labels_are_copied() {
        let mut text = String::new();
        for i in 0..10_000 {
            text.push_str(&format!("node{i} 1\n"));
        }
        let at = text.find("node5000 ").unwrap();
        let mut sources = SourceMap::new();
        let file = sources.add("many.kdl", text.as_str());
        let labels = [Label { span: Span::new(file, at, 8), message: String::new() }];
        let excerpt = Excerpt::new(sources.get(file).unwrap(), &labels.iter().collect::<Vec<_>>());
        assert_eq!(excerpt.text, "node4999 1\nnode5000 1\nnode5001 1\n");
        assert_eq!(excerpt.to_file(excerpt.to_text(at)), at);
        let out = render_one(&text, at, 8);
        assert!(out.contains("[long.kdl:5001:1]") && out.contains("5001 │ node5000 1"), "{out}");
    }
}
