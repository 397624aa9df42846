//! Editor support without the protocol: a blueprint's diagnostics as line and UTF-16 column
//! ranges, hover text, completion candidates, definitions and references of names, the outline
//! and formatting. `cli/lsp.rs` speaks the Language Server Protocol on top of it.

pub mod complete;
pub mod hover;
pub mod index;
pub mod position;

use crate::ast;
use crate::diag::{Diagnostics, Severity};
use crate::render::plan::PlanView;
use crate::source::{FileId, SourceMap};
use crate::Session;
use index::{Names, Reference, Target};
use position::{LineIndex, Range};

/// The prefix of catalog files' names in the source map.
const STDLIB_PREFIX: &str = "<stdlib>/";

/// A place a diagnostic, a definition or a reference points to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// In the analysed file.
    Here(Range),
    /// In a catalog file, by its path inside the catalog (`system/gb200-nvl72.kdl`).
    Stdlib { path: String, range: Range },
}

/// A secondary label of a diagnostic.
#[derive(Clone, Debug)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// A diagnostic as an editor shows it.
#[derive(Clone, Debug)]
pub struct Problem {
    pub code: &'static str,
    pub severity: Severity,
    pub range: Range,
    /// The message, its help and notes on lines of their own.
    pub message: String,
    pub related: Vec<Related>,
    /// Replacements its help names (`did you mean `x`?`), for the primary label's text.
    pub fixes: Vec<Fix>,
}

/// A concrete fix: replace the text of `range` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub range: Range,
    pub new_text: String,
}

/// The names a "did you mean" help offers (`diag::did_you_mean` words it: "did you mean `x`?" or
/// "did you mean one of `x`, `y`?").
fn suggestions(help: &str) -> Vec<&str> {
    let Some((_, rest)) = help.split_once("did you mean ") else { return Vec::new() };
    let list = rest.split('?').next().unwrap_or("");
    list.split('`').skip(1).step_by(2).filter(|s| !s.is_empty()).collect()
}

/// One analysed text: its diagnostics and what hover and navigation read.
pub struct FileAnalysis {
    pub text: String,
    pub lines: LineIndex,
    pub problems: Vec<Problem>,
    pub blueprint: Option<ast::Blueprint>,
    pub plan: Option<PlanView>,
    pub references: Vec<Reference>,
    /// The names the blueprint defines (empty when it did not parse).
    pub names: Names,
}

/// Whether a text is a blueprint an editor should check: a `factory` node starts one of its
/// lines. Other KDL files get no diagnostics rather than false ones.
pub fn is_blueprint(text: &str) -> bool {
    text.lines()
        .any(|l| l.strip_prefix("factory").is_some_and(|rest| rest.starts_with([' ', '\t', '"']) || rest.is_empty()))
}

/// The catalog's text of a file, by its path inside the catalog.
pub fn stdlib_text(path: &str) -> Option<&'static str> {
    crate::catalog::STDLIB.get_file(path)?.contents_utf8()
}

/// Analyses editor texts one after another with one catalog.
pub struct Ide {
    session: Session,
    /// How many files the source map holds with the catalog alone; an analysis adds one and the
    /// next drops it again, so hours of editing do not grow it.
    catalog_files: usize,
}

impl Default for Ide {
    fn default() -> Ide {
        Ide::new()
    }
}

impl Ide {
    pub fn new() -> Ide {
        let session = Session::new();
        let catalog_files = session.sources.len();
        Ide { session, catalog_files }
    }

    /// Checks a text as `check` does and keeps what hover and navigation need.
    pub fn analyze(&mut self, name: &str, text: &str) -> FileAnalysis {
        self.session.sources.truncate(self.catalog_files);
        let checked = self.session.check_keeping(name, text.as_bytes());
        let lines = LineIndex::new(text);
        let problems = problems(&checked.diagnostics, checked.file, text, &lines, &self.session.sources);
        let references = checked.blueprint.as_ref().map(|bp| index::references(checked.file, bp)).unwrap_or_default();
        let names = checked.blueprint.as_ref().map(Names::of).unwrap_or_default();
        self.session.sources.truncate(self.catalog_files);
        FileAnalysis {
            text: text.to_string(),
            lines,
            problems,
            blueprint: checked.blueprint,
            plan: checked.plan,
            references,
            names,
        }
    }

    /// Hover text at a byte offset: a part id's catalog entry, or what the plan computed for the
    /// site, loop, fabric or workload named there.
    pub fn hover(&self, analysis: &FileAnalysis, offset: usize) -> Option<(Range, String)> {
        let r = index::at(&analysis.references, offset)?;
        let plan = analysis.plan.as_ref();
        let text = match &r.target {
            Target::Part { id, .. } => hover::part(&self.session.catalog, &self.session.sources, id),
            Target::Site(name) => plan.and_then(|p| hover::site(p, name)),
            Target::Loop { site, name } => plan.and_then(|p| hover::cooling_loop(p, site, name)),
            Target::Fabric(name) => plan.and_then(|p| hover::fabric(p, name)),
            Target::Workload(name) => plan.and_then(|p| hover::workload(p, name)),
        }?;
        Some((analysis.lines.range(&analysis.text, r.start, r.end), text))
    }

    /// Completion candidates at a byte offset of `text`; `names` are the blueprint's names from the
    /// last analysis that parsed (a text being typed often does not).
    pub fn complete(&self, names: &Names, text: &str, offset: usize) -> Vec<complete::Candidate> {
        complete::candidates(&self.session.catalog, names, text, offset)
    }

    /// Where the name at a byte offset is defined: a site's or loop's own node, or a part's entry
    /// in the catalog.
    pub fn definition(&self, analysis: &FileAnalysis, offset: usize) -> Option<Location> {
        let r = index::at(&analysis.references, offset)?;
        if let Target::Part { id, .. } = &r.target {
            let span = self.session.catalog.get(id)?.span();
            let file = self.session.sources.get(span.file)?;
            let path = file.name.strip_prefix(STDLIB_PREFIX)?.to_string();
            let lines = LineIndex::new(&file.text);
            let range = lines.range(&file.text, span.start as usize, span.end as usize);
            return Some(Location::Stdlib { path, range });
        }
        let def = analysis.references.iter().find(|d| d.definition && d.target == r.target)?;
        Some(Location::Here(analysis.lines.range(&analysis.text, def.start, def.end)))
    }

    /// Every place the name at a byte offset is written (its definition included when asked).
    pub fn references(&self, analysis: &FileAnalysis, offset: usize, with_definition: bool) -> Vec<Range> {
        let Some(r) = index::at(&analysis.references, offset) else { return Vec::new() };
        analysis
            .references
            .iter()
            .filter(|o| o.target == r.target && (with_definition || !o.definition))
            .map(|o| analysis.lines.range(&analysis.text, o.start, o.end))
            .collect()
    }

    /// The edits that rename the site, loop, fabric or workload named at a byte offset: every
    /// place it is written, with the new name quoted. Part ids are the catalog's and are not
    /// renamed; a name a string cannot hold without escapes is refused.
    pub fn rename(
        &self,
        analysis: &FileAnalysis,
        offset: usize,
        new_name: &str,
    ) -> Result<Vec<(Range, String)>, String> {
        let r = index::at(&analysis.references, offset).ok_or("no name to rename here")?;
        match &r.target {
            Target::Part { id, .. } => return Err(format!("`{id}` is a catalog part id; choose another part instead")),
            Target::Site(_) | Target::Loop { .. } | Target::Fabric(_) | Target::Workload(_) => {}
        }
        if new_name.is_empty() || new_name.chars().any(|c| c.is_control() || c == '"' || c == '\\') {
            return Err("a new name must be non-empty, without quotes, backslashes or control characters".into());
        }
        let quoted = format!("\"{new_name}\"");
        Ok(self.references(analysis, offset, true).into_iter().map(|range| (range, quoted.clone())).collect())
    }

    /// The outline of the analysed blueprint.
    pub fn symbols(&self, analysis: &FileAnalysis) -> Vec<index::Symbol> {
        fn widen(text: &str, symbols: &mut [index::Symbol]) {
            for s in symbols {
                let end = index::node_end(text, s.span.end as usize);
                s.span.end = u32::try_from(end).unwrap_or(s.span.end).max(s.span.end);
                widen(text, &mut s.children);
            }
        }
        let mut symbols = analysis.blueprint.as_ref().map(index::symbols).unwrap_or_default();
        widen(&analysis.text, &mut symbols);
        symbols
    }

    /// The text formatted by `fmt`'s rules, or `None` when it is not valid KDL.
    pub fn format(&mut self, text: &str) -> Option<String> {
        self.session.sources.truncate(self.catalog_files);
        let file = self.session.sources.add("<editor>", text);
        let mut diags = Diagnostics::new();
        let out = crate::fmt::format(file, text, &mut diags);
        self.session.sources.truncate(self.catalog_files);
        out
    }
}

/// The diagnostics an editor shows: sorted as `check` sorts them, without the warnings an `allow`
/// silences, each label placed in this file or the catalog.
fn problems(diags: &Diagnostics, file: FileId, text: &str, lines: &LineIndex, sources: &SourceMap) -> Vec<Problem> {
    let place = |span: crate::source::Span| -> Option<Location> {
        if span.file == file {
            return Some(Location::Here(lines.range(text, span.start as usize, span.end as usize)));
        }
        let other = sources.get(span.file)?;
        let path = other.name.strip_prefix(STDLIB_PREFIX)?.to_string();
        let other_lines = LineIndex::new(&other.text);
        Some(Location::Stdlib { path, range: other_lines.range(&other.text, span.start as usize, span.end as usize) })
    };
    let start = lines.range(text, 0, 0);
    diags
        .sorted()
        .into_iter()
        .filter(|d| !d.is_suppressed())
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
            for note in &d.notes {
                message.push_str(&format!("\nnote: {note}"));
            }
            let mut labels = d.labels.iter();
            let primary = labels.next();
            // A primary label in the catalog is shown at the file's start, with the place related.
            let (range, mut related) = match primary.and_then(|l| place(l.span).map(|p| (l, p))) {
                Some((_, Location::Here(range))) => (range, Vec::new()),
                Some((l, location)) => (start, vec![Related { location, message: l.message.clone() }]),
                None => (start, Vec::new()),
            };
            related
                .extend(labels.filter_map(|l| Some(Related { location: place(l.span)?, message: l.message.clone() })));
            let mut fixes = Vec::new();
            if let (Some(primary), Some(help)) = (primary.filter(|l| l.span.file == file), &d.help) {
                let written = text.get(primary.span.start as usize..primary.span.end as usize).unwrap_or("");
                let quoted = written.starts_with('"') && written.ends_with('"') && written.len() >= 2;
                for name in suggestions(help) {
                    let new_text = if quoted { format!("\"{name}\"") } else { name.to_string() };
                    fixes.push(Fix { title: format!("Replace with `{name}`"), range, new_text });
                }
            }
            Problem { code: d.code.code, severity: d.severity(), range, message, related, fixes }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::suggestions;

    #[test]
    fn reads_the_names_a_help_suggests() {
        assert_eq!(suggestions("did you mean `tcs-1`?"), vec!["tcs-1"]);
        assert_eq!(suggestions("did you mean one of `a`, `b`, `c`? or add it"), vec!["a", "b", "c"]);
        assert!(suggestions("write `loop=\"x\"`").is_empty());
    }
}
