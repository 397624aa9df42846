//! Canonical formatting of blueprints (`millwright fmt`), like `rustfmt` or `terraform fmt`: one
//! node per line with four spaces of indentation per block, a node's arguments in their order and
//! then its properties in the order of the language reference (else by key), names bare where
//! KDL allows and every string value quoted, at most one blank line in a row and none just inside
//! a block, LF line ends and one final newline. Comments stay where they stand: a comment on a node's line stays at its end, one on
//! its own line stays before the node that follows; `/-` nodes are kept as written on a line of
//! their own. A node with a comment or `/-` inside its own line, or a line continuation, is kept
//! as written. docs/language.md ("Formatting") states the rules.
//!
//! The layout is made from the syntax tree and its byte ranges; the text between the ranges
//! holds the comments, which [`lex`] steps over. The result is reparsed and compared with the
//! input's tree before it is returned, so formatting can never change a blueprint's meaning;
//! when the canonical layout would, the line-based layout of [`lines`] (which moves no node) is
//! tried, and when that would too the file is left alone. Both parses are Millwright's own and
//! every step is linear in the text, so no input can make formatting slow.

pub mod diff;
mod lex;
mod lines;

use crate::diag::Diagnostics;
use crate::source::FileId;
use crate::syntax::parser::{is_disallowed, is_ident_char, is_newline_char, is_space};
use crate::syntax::tree::{Document, Entry, Ident, Node, Value};
use crate::syntax::{self, Limits};
use lex::Token;

/// The formatted text, or `None` when the input is not valid KDL (with diagnostics) or when the
/// result would not mean the same (without diagnostics).
pub fn format(file: FileId, text: &str, diags: &mut Diagnostics) -> Option<String> {
    let original = syntax::parse(file, text, &Limits::default(), diags)?;
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let keeps_meaning = |out: &str| {
        syntax::parser::parse(out, syntax::parser::ParseLimits::default())
            .is_ok_and(|reparsed| same_document(&original, &reparsed))
    };
    // The tree's ranges count from the start of the text the parser saw, byte-order mark included.
    let bom = text.len() - body.len();
    if let Some(out) = canonical(text, bom, &original).filter(|out| keeps_meaning(out)) {
        return Some(out);
    }
    Some(lines::reformat(body)).filter(|out| keeps_meaning(out))
}

/// Whether two trees say the same: names, annotations, arguments in order and properties by key
/// (the order of properties means nothing in KDL; of repeated keys the last one counts, and a
/// stable sort keeps them in order), wherever they stand.
fn same_document(a: &Document, b: &Document) -> bool {
    a.nodes().len() == b.nodes().len() && a.nodes().iter().zip(b.nodes()).all(|(x, y)| same_node(x, y))
}

fn same_node(a: &Node, b: &Node) -> bool {
    let ty = |n: &Node| n.ty().map(|t| t.value().to_string());
    let (a_entries, b_entries) =
        (canonical_order(a.name().value(), a.entries()), canonical_order(b.name().value(), b.entries()));
    a.name().value() == b.name().value()
        && ty(a) == ty(b)
        && a_entries.len() == b_entries.len()
        && a_entries.iter().zip(&b_entries).all(|(e, f)| same_entry(e, f))
        && match (a.children(), b.children()) {
            (None, None) => true,
            (Some(c), Some(d)) => same_document(c, d),
            _ => false,
        }
}

fn same_entry(a: &Entry, b: &Entry) -> bool {
    a.name().map(Ident::value) == b.name().map(Ident::value)
        && a.ty().map(Ident::value) == b.ty().map(Ident::value)
        && a.value() == b.value()
}

/// The order of the properties of a node, where it has more than one, as the synopses of
/// docs/language.md write them (`loop NAME supply=TEMP [return=TEMP] [facility-water=TEMP]`).
/// `tests/tidy.rs` checks that every synopsis keeps its order through `fmt`.
const PROPERTY_ORDER: &[(&str, &[&str])] = &[
    ("feed", &["capacity", "side"]),
    ("loop", &["supply", "return", "facility-water"]),
    ("cdu", &["count", "redundancy"]),
    ("hall", &["rack-width", "row-pitch", "floor-load"]),
    ("rack", &["count", "loop", "role"]),
    ("pdu", &["count", "redundancy"]),
    ("fabric", &["kind", "role", "site"]),
    ("topology", &["tiers", "oversubscription", "min-spines"]),
    ("serving", &["version", "backend"]),
    ("tokens", &["input", "output"]),
    ("slo", &["ttft", "tpot"]),
];

/// The arguments in the order written, then the properties: those [`PROPERTY_ORDER`] lists for
/// the node in its order, then the others by key. The sort is stable, so repeated keys keep
/// their order.
fn canonical_order<'a>(node: &str, entries: &'a [Entry]) -> Vec<&'a Entry> {
    let listed = PROPERTY_ORDER.iter().find(|(name, _)| *name == node).map_or(&[][..], |(_, keys)| *keys);
    let mut args: Vec<&Entry> = entries.iter().filter(|e| e.name().is_none()).collect();
    let mut props: Vec<&Entry> = entries.iter().filter(|e| e.name().is_some()).collect();
    props.sort_by_key(|e| {
        let key = e.name().map(Ident::value).unwrap_or("");
        (listed.iter().position(|k| *k == key).unwrap_or(listed.len()), key)
    });
    args.append(&mut props);
    args
}

/// The canonical layout of the whole text (see the module docs), or `None` when the text
/// between the tree's nodes holds something that is neither a comment nor a `/-` node.
fn canonical(text: &str, start: usize, doc: &Document) -> Option<String> {
    let mut layout =
        Layout { text, out: String::with_capacity(text.len() + text.len() / 8), failed: false, line_comment: false };
    layout.block(doc, start, 0, false)?;
    layout.out.push('\n');
    (!layout.failed).then_some(layout.out)
}

struct Layout<'a> {
    text: &'a str,
    out: String,
    /// Whether the text between two nodes held something the layout cannot place.
    failed: bool,
    /// Whether the current line ends in a `//` comment, so nothing more may follow on it.
    line_comment: bool,
}

impl<'a> Layout<'a> {
    fn slice(&self, from: usize, to: usize) -> &str {
        self.text.get(from..to).unwrap_or("")
    }

    /// Starts a line at `depth`, after a blank one when `blank`.
    fn line(&mut self, depth: usize, blank: bool) {
        self.line_comment = false;
        if !self.out.is_empty() {
            self.out.push('\n');
            if blank {
                self.out.push('\n');
            }
        }
        for _ in 0..depth {
            self.out.push_str("    ");
        }
    }

    /// Text kept as written, with CRLF line ends made LF (KDL reads every line end in a
    /// multi-line string as LF, so this changes no value).
    fn push_as_written(&mut self, s: &str) {
        self.out.push_str(&s.replace("\r\n", "\n"));
    }

    /// The nodes of `doc` and the comments around them, from `from` (the start of the text, or
    /// just after a block's `{`). Returns where the text between the last node and the end of
    /// the block (its `}`) or the text ends. `opened` says whether a line is open for a
    /// trailing comment (the line of the `{`).
    fn block(&mut self, doc: &Document, from: usize, depth: usize, opened: bool) -> Option<usize> {
        let mut gap = Gap { at: from, newlines: 0, line_open: opened, items: false };
        for node in doc.nodes() {
            self.gap(&mut gap, node.span().offset(), depth)?;
            self.line(depth, gap.newlines >= 2 && gap.items);
            self.node(node, depth);
            gap = Gap { at: node.span().end(), newlines: 0, line_open: true, items: true };
        }
        self.gap(&mut gap, self.text.len(), depth)?;
        Some(gap.at)
    }

    /// The comments and `/-` nodes from `gap.at` to `until`, a `}` or the end of the text;
    /// `gap.at` ends where they end.
    fn gap(&mut self, gap: &mut Gap, until: usize, depth: usize) -> Option<()> {
        while gap.at < until {
            let Some((token, end)) = lex::next(self.text, gap.at) else { break };
            match token {
                // A `;` ends a node as a newline does; the layout puts a newline there.
                Token::Space | Token::Escline | Token::Semicolon => {}
                Token::Newline => gap.newlines += 1,
                Token::CloseBrace => return Some(()),
                Token::LineComment | Token::BlockComment => {
                    let comment = self.slice(gap.at, end).trim_end().to_string();
                    if gap.newlines == 0 && gap.line_open {
                        self.out.push(' ');
                    } else {
                        self.line(depth, gap.newlines >= 2 && gap.items);
                    }
                    self.push_as_written(&comment);
                    self.line_comment = token == Token::LineComment;
                    gap.after_item();
                }
                Token::Slashdash => {
                    let item_end = lex::slashdashed_end(self.text, gap.at, until);
                    let item = self.slice(gap.at, item_end).trim_end().to_string();
                    self.line(depth, gap.newlines >= 2 && gap.items);
                    self.push_as_written(&item);
                    gap.after_item();
                    gap.at = item_end.max(gap.at + 2);
                    continue;
                }
                Token::OpenBrace | Token::Punct | Token::Str | Token::Word => return None,
            }
            gap.at = end;
        }
        Some(())
    }

    /// One node, canonically when its line holds nothing but its names and values, else as
    /// written.
    fn node(&mut self, node: &Node, depth: usize) {
        let mark = self.out.len();
        if self.canonical_node(node, depth).is_none() {
            self.out.truncate(mark);
            let written = self.slice(node.span().offset(), node.span().end()).trim_end().to_string();
            self.push_as_written(&written);
        }
    }

    fn canonical_node(&mut self, node: &Node, depth: usize) -> Option<()> {
        let start = node.span().offset();
        let name = node.name().span();
        if let Some(ty) = node.ty() {
            self.only(start, ty.span().offset(), "(")?;
            self.only(ty.span().end(), name.offset(), "()")?;
            self.out.push('(');
            self.out.push_str(&ident(ty.value()));
            self.out.push(')');
        } else if start != name.offset() {
            return None;
        }
        self.out.push_str(&ident(node.name().value()));
        let mut at = name.end();
        for entry in node.entries() {
            if entry.span().offset() == at {
                return None;
            }
            self.only(at, entry.span().offset(), "")?;
            at = entry.span().end();
        }
        let mut written = Vec::with_capacity(node.entries().len());
        for entry in canonical_order(node.name().value(), node.entries()) {
            written.push(self.entry(entry)?);
        }
        for entry in written {
            self.out.push(' ');
            self.out.push_str(&entry);
        }
        // Everything that could send the node back to its written form is looked at before its
        // block is laid out, so that no block is laid out twice.
        let Some(children) = node.children() else {
            let tail = self.tail_comments(at, node.span().end())?;
            self.push_comments(&tail);
            return Some(());
        };
        let open = self.skip_spaces(at);
        if lex::next(self.text, open).map(|t| t.0) != Some(Token::OpenBrace) {
            return None;
        }
        let close = self.close_of(children.span().end().max(open + 1))?;
        let tail = self.tail_comments(close + 1, node.span().end())?;
        self.out.push_str(" {");
        let inside = self.out.len();
        if self.block(children, open + 1, depth + 1, true).is_none() {
            self.failed = true;
        }
        // `{}` when the block is empty, `{ /* … */ }` when it holds only comments on its line.
        let inline = self.out.get(inside..).is_some_and(|s| !s.contains('\n')) && !self.line_comment;
        if !inline {
            self.line(depth, false);
        } else if self.out.len() != inside {
            self.out.push(' ');
        }
        self.out.push('}');
        self.push_comments(&tail);
        Some(())
    }

    /// The block comments that follow a node's last value or `}` on its line, or `None` when
    /// anything else does (a `/-` block, a line continuation).
    fn tail_comments(&self, from: usize, to: usize) -> Option<Vec<&'a str>> {
        let text: &'a str = self.text;
        let mut comments = Vec::new();
        let mut at = from;
        while at < to {
            let (token, end) = lex::next(self.text, at)?;
            match token {
                Token::Space => {}
                Token::BlockComment => comments.push(text.get(at..end).unwrap_or("")),
                Token::Newline
                | Token::LineComment
                | Token::Slashdash
                | Token::Escline
                | Token::OpenBrace
                | Token::CloseBrace
                | Token::Semicolon
                | Token::Punct
                | Token::Str
                | Token::Word => return None,
            }
            at = end;
        }
        Some(comments)
    }

    fn push_comments(&mut self, comments: &[&str]) {
        for comment in comments {
            self.out.push(' ');
            self.push_as_written(comment);
        }
    }

    /// The `}` that closes a block, read from the end of its last node (or from its `{`) over
    /// comments and `/-` nodes.
    fn close_of(&self, from: usize) -> Option<usize> {
        let mut at = from;
        loop {
            let (token, end) = lex::next(self.text, at)?;
            match token {
                Token::CloseBrace => return Some(at),
                Token::Slashdash => {
                    at = lex::slashdashed_end(self.text, at, self.text.len()).max(at + 2);
                    continue;
                }
                Token::Space
                | Token::Newline
                | Token::LineComment
                | Token::BlockComment
                | Token::Escline
                | Token::Semicolon => {}
                Token::OpenBrace | Token::Punct | Token::Str | Token::Word => return None,
            }
            at = end;
        }
    }

    /// Whether the text from `from` to `to` holds only spaces and the characters of `punct`.
    fn only(&self, from: usize, to: usize, punct: &str) -> Option<()> {
        self.slice(from, to).chars().all(|c| is_space(c) || punct.contains(c)).then_some(())
    }

    fn skip_spaces(&self, from: usize) -> usize {
        match lex::next(self.text, from) {
            Some((Token::Space, end)) => end,
            _ => from,
        }
    }

    /// An entry as the canonical layout writes it: `key=(type)value`.
    fn entry(&self, entry: &Entry) -> Option<String> {
        let mut s = String::new();
        let mut at = entry.span().offset();
        if let Some(key) = entry.name() {
            if key.span().offset() != at {
                return None;
            }
            s.push_str(&ident(key.value()));
            s.push('=');
            at = key.span().end();
        }
        if let Some(ty) = entry.ty() {
            self.only(at, ty.span().offset(), "=(")?;
            s.push('(');
            s.push_str(&ident(ty.value()));
            s.push(')');
            at = ty.span().end();
        }
        let value_start =
            at + self.slice(at, entry.span().end()).find(|c: char| !(is_space(c) || "=()".contains(c)))?;
        let (token, end) = lex::next(self.text, value_start)?;
        if end != entry.span().end() {
            return None;
        }
        let written = self.slice(value_start, end);
        match (entry.value(), token) {
            (Value::String(_), Token::Str) if keeps_form(written) => s.push_str(&written.replace("\r\n", "\n")),
            (Value::String(v), _) => s.push_str(&quote(v)),
            (Value::Integer(_) | Value::Float(_) | Value::Bool(_) | Value::Null, _) => s.push_str(written),
        }
        Some(s)
    }
}

/// Where the text between two nodes is read to, and what it held so far.
struct Gap {
    at: usize,
    /// Newlines since the last node or comment: two make a blank line.
    newlines: usize,
    /// Whether the line of the last node or comment is open for a trailing comment.
    line_open: bool,
    /// Whether the block has a node or comment before this point (no blank line before the first).
    items: bool,
}

impl Gap {
    fn after_item(&mut self) {
        self.newlines = 0;
        self.line_open = true;
        self.items = true;
    }
}

/// Whether a string is kept as written: a multi-line string (`"""`), and a raw string whose text
/// holds a quote or a backslash, which it was written raw to avoid escaping.
fn keeps_form(written: &str) -> bool {
    let unhashed = written.trim_start_matches('#');
    if unhashed.starts_with("\"\"\"") {
        return true;
    }
    unhashed.len() != written.len() && {
        let inner = unhashed.trim_end_matches('#');
        let inner = inner.get(1..inner.len().saturating_sub(1)).unwrap_or("");
        inner.contains(['"', '\\'])
    }
}

/// A node name, property key or type as the canonical layout writes it: bare when KDL v2 reads
/// it as that identifier, else quoted.
pub fn ident(s: &str) -> String {
    if is_bare(s) {
        s.to_string()
    } else {
        quote(s)
    }
}

/// Whether `s` may be written as a bare identifier: not empty, only identifier characters, not
/// starting like a number (`1x`, `-1`, `.5`, `-.5`) and not a keyword without its `#`.
fn is_bare(s: &str) -> bool {
    let mut chars = s.chars();
    let (first, second, third) = (chars.next(), chars.next(), chars.next());
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let number_like = match first {
        None => return false,
        Some(c) if c.is_ascii_digit() => true,
        Some('+' | '-') => digit(second) || (second == Some('.') && digit(third)),
        Some('.') => digit(second),
        Some(_) => false,
    };
    !number_like && !matches!(s, "true" | "false" | "null" | "inf" | "nan") && s.chars().all(is_ident_char)
}

/// `s` as a KDL v2 quoted string: `"`, `\` and control, newline and invisible characters escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if is_newline_char(c) || is_disallowed(c) || c.is_control() => {
                out.push_str(&format!("\\u{{{:X}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn fmt(text: &str) -> String {
        let mut sources = SourceMap::new();
        let file = sources.add("t.kdl".to_string(), text);
        let mut diags = Diagnostics::new();
        let out = format(file, text, &mut diags);
        assert!(diags.is_empty(), "{text:?} does not parse");
        let doc = syntax::parser::parse(text, syntax::parser::ParseLimits::default()).ok();
        let bom = text.len() - text.trim_start_matches('\u{feff}').len();
        let layout = doc.and_then(|doc| canonical(text, bom, &doc));
        assert_eq!(out, layout, "the canonical layout of {text:?} does not keep its meaning");
        out.unwrap_or_default()
    }

    fn fmt_twice(text: &str) -> String {
        let once = fmt(text);
        assert_eq!(fmt(&once), once, "not idempotent for {text:?}");
        once
    }

    #[test]
    fn splits_nodes_and_blocks_one_per_line() {
        assert_eq!(
            fmt_twice("site s { tier 3; power { feed \"a\" capacity=(MW)2 } }\n"),
            "site \"s\" {\n    tier 3\n    power {\n        feed \"a\" capacity=(MW)2\n    }\n}\n"
        );
        assert_eq!(fmt_twice("a;b;c"), "a\nb\nc\n");
        assert_eq!(fmt_twice("p { /* feeds */ }\nq { // c\n}"), "p { /* feeds */ }\nq { // c\n}\n");
        assert_eq!(fmt_twice("a { }\nb {\n\n}"), "a {}\nb {}\n");
    }

    #[test]
    fn orders_properties_after_arguments_and_normalises_quoting() {
        assert_eq!(
            fmt_twice("feed z=1 \"a\" \"b\"=#true y=(kW)400 b2 \"x\"=0x10 (t)3\n"),
            "feed \"a\" \"b2\" (t)3 b=#true x=0x10 y=(kW)400 z=1\n"
        );
        // The reference's order first (`loop NAME supply= return= facility-water=`), then by key.
        assert_eq!(
            fmt_twice("loop \"t\" x=1 facility-water=(C)30 return=(C)42 supply=(C)32 a=2"),
            "loop \"t\" supply=(C)32 return=(C)42 facility-water=(C)30 a=2 x=1\n"
        );
        assert_eq!(fmt_twice("slo tpot=(ms)25 ttft=(ms)800"), "slo ttft=(ms)800 tpot=(ms)25\n");
        assert_eq!(fmt_twice("\"site\" \"1a\" \"true\"=1 \"a b\"=(\"MW\")2"), "site \"1a\" \"a b\"=(MW)2 \"true\"=1\n");
        assert_eq!(
            fmt_twice("n #\"plain\"# #\"has \"quote\"\"# 1_000 1.50 #null"),
            "n \"plain\" #\"has \"quote\"\"# 1_000 1.50 #null\n"
        );
        assert_eq!(fmt_twice("n \"tab\\there\" \"\\u{41}\""), "n \"tab\\there\" \"A\"\n");
        // Repeated keys keep their order, so the last one still counts.
        assert_eq!(fmt_twice("n b=2 a=1 b=3"), "n a=1 b=2 b=3\n");
    }

    #[test]
    fn keeps_comments_where_they_stand() {
        let input = "// head\n\n\nfactory   \"x\"  { // opens\n  description \"a   b\"   // trailing\n\n\n  /* before */ region \"eu\"\n\n} // closes\n/* block\n   kept */\nsite \"s\" {\n/-tier 3\n  /-power {\n    x\n  }\n}\n// end\n";
        assert_eq!(
            fmt_twice(input),
            "// head\n\nfactory x { // opens\n    description \"a   b\" // trailing\n\n    /* before */\n    region eu\n} // closes\n/* block\n   kept */\nsite s {\n    /-tier 3\n    /-power {\n    x\n  }\n}\n// end\n"
                .replace("factory x", "factory \"x\"")
                .replace("region eu", "region \"eu\"")
                .replace("site s", "site \"s\"")
        );
    }

    #[test]
    fn keeps_a_node_with_comments_inside_as_written() {
        assert_eq!(fmt_twice("a 1 /* one */ 2\nb 1 /-2 3\nc \\\n  4\n"), "a 1 /* one */ 2\nb 1 /-2 3\nc \\\n  4\n");
        assert_eq!(fmt_twice("  a 1 /* end */\n"), "a 1 /* end */\n");
        assert_eq!(fmt_twice("a /-{ x } { y }"), "a /-{ x } { y }\n");
        assert_eq!(fmt_twice("a { b {c} /-{ d } }"), "a {\n    b {c} /-{ d }\n}\n");
        assert_eq!(fmt_twice("a { b; /-c { d }\n} /* e */ /* f */"), "a {\n    b\n    /-c { d }\n} /* e */ /* f */\n");
    }

    #[test]
    fn multi_line_strings_unicode_crlf_and_bom() {
        assert_eq!(fmt_twice("n \"\"\"\n    a\n     b\n    \"\"\"\r\n"), "n \"\"\"\n    a\n     b\n    \"\"\"\n");
        assert_eq!(
            fmt_twice("\u{feff}größe \"ü\"\r\nsite 名前 {\r\n\ttier 3\r\n}\r\n"),
            "größe \"ü\"\nsite \"名前\" {\n    tier 3\n}\n"
        );
        assert_eq!(fmt_twice(""), "\n");
        assert_eq!(fmt_twice("// only\n"), "// only\n");
    }

    #[test]
    fn bare_names_are_only_those_kdl_reads_back() {
        for s in ["site", "a-b", "_x", "-x", "+", ".x", "é", "a.b:c"] {
            assert!(is_bare(s), "{s}");
        }
        for s in ["", "1x", "-1", "+.5", ".5", "true", "nan", "a b", "a=b", "a/b", "#x", "(a)"] {
            assert!(!is_bare(s), "{s}");
        }
        assert_eq!(quote("a\"b\\c\n\u{0}\u{2028}"), "\"a\\\"b\\\\c\\n\\u{0}\\u{2028}\"");
    }
}
