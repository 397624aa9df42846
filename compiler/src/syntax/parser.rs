//! A KDL v2 parser: one pass over the text, no backtracking past a token, recursion only into
//! `{ … }` blocks (bounded by the nesting limit). It builds the same `kdl` tree, with the same
//! spans, as `kdl::KdlDocument::parse_v2`, about fifty times faster, and stops at the first
//! syntax error with its position. `syntax` uses it first and asks the `kdl` crate only to word
//! the errors of small invalid files; `tests/proptest.rs` and the fuzz target compare the two.

use kdl::{KdlDocument, KdlEntry, KdlIdentifier, KdlNode, KdlValue};

/// Why the text was not accepted.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// Not valid KDL v2: the first error, at a byte range.
    Syntax(SyntaxError),
    /// Valid so far, but past one of the limits.
    Limit(LimitHit),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LimitHit {
    /// A block or comment nested deeper than the limit, at this offset.
    Depth { offset: usize },
    /// More nodes and values than the limit; the offset of the first one past it.
    Items { offset: usize },
}

/// Limits the parser enforces while it reads.
#[derive(Clone, Copy, Debug)]
pub struct ParseLimits {
    pub max_depth: usize,
    pub max_items: usize,
}

type R<T> = Result<T, Failure>;

const UNICODE_SPACES: [char; 18] = [
    '\u{0009}', '\u{0020}', '\u{00A0}', '\u{1680}', '\u{2000}', '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}',
    '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}', '\u{2009}', '\u{200A}', '\u{202F}', '\u{205F}', '\u{3000}',
];

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t' || (c > '\u{7f}' && UNICODE_SPACES.contains(&c))
}

fn is_newline_char(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0085}' | '\u{000B}' | '\u{000C}' | '\u{2028}' | '\u{2029}')
}

/// Code points that may not appear literally anywhere in a document.
pub fn is_disallowed(c: char) -> bool {
    matches!(c,
        '\u{0000}'..='\u{0008}'
        | '\u{000E}'..='\u{001F}'
        | '\u{200E}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}'
    )
}

fn is_ident_char(c: char) -> bool {
    !(is_space(c)
        || is_newline_char(c)
        || is_disallowed(c)
        || matches!(c, '\\' | '/' | '(' | ')' | '{' | '}' | '[' | ']' | ';' | '"' | '#' | '='))
}

/// Parses a whole document (a leading byte-order mark is allowed).
pub fn parse(text: &str, limits: ParseLimits) -> Result<KdlDocument, Failure> {
    let mut p = Parser { text, pos: 0, items: 0, limits };
    if text.starts_with('\u{feff}') {
        p.pos = '\u{feff}'.len_utf8();
    }
    let (nodes, span) = p.nodes(0)?;
    let mut doc = KdlDocument::new();
    *doc.nodes_mut() = nodes;
    doc.set_span(span);
    Ok(doc)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    items: usize,
    limits: ParseLimits,
}

fn err(offset: usize, len: usize, message: &str, label: &str, help: Option<&str>) -> Failure {
    Failure::Syntax(SyntaxError {
        offset,
        len,
        message: message.to_string(),
        label: label.to_string(),
        help: help.map(str::to_string),
    })
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek2(&self) -> Option<char> {
        let mut it = self.rest().chars();
        it.next();
        it.next()
    }

    fn starts(&self, s: &str) -> bool {
        self.rest().starts_with(s)
    }

    fn bump(&mut self, c: char) {
        self.pos += c.len_utf8();
    }

    fn count_item(&mut self, at: usize) -> R<()> {
        self.items += 1;
        if self.items > self.limits.max_items {
            return Err(Failure::Limit(LimitHit::Items { offset: at }));
        }
        Ok(())
    }

    fn error_here(&self, message: &str, label: &str, help: Option<&str>) -> Failure {
        let len = self.peek().map(char::len_utf8).unwrap_or(0);
        err(self.pos, len, message, label, help)
    }

    /// A newline at the cursor: its length in bytes.
    fn newline_len(&self) -> Option<usize> {
        let r = self.rest();
        if r.starts_with("\r\n") {
            return Some(2);
        }
        let c = r.chars().next()?;
        is_newline_char(c).then(|| c.len_utf8())
    }

    /// A disallowed code point at the cursor is an error.
    fn check_allowed(&self, c: char) -> R<()> {
        if is_disallowed(c) {
            return Err(self.error_here(
                &format!("Found disallowed code point U+{:04X}", u32::from(c)),
                "disallowed character",
                Some("KDL does not allow control characters, direction overrides or a byte-order mark here; write them as escapes in a quoted string"),
            ));
        }
        Ok(())
    }

    /// `/* … */`, nested; the cursor is on `/*`.
    fn block_comment(&mut self, depth: usize) -> R<()> {
        let start = self.pos;
        let mut level = 0usize;
        loop {
            let r = self.rest();
            if r.starts_with("/*") {
                level += 1;
                if depth + level > self.limits.max_depth {
                    return Err(Failure::Limit(LimitHit::Depth { offset: self.pos }));
                }
                self.pos += 2;
            } else if r.starts_with("*/") {
                self.pos += 2;
                level -= 1;
                if level == 0 {
                    return Ok(());
                }
            } else if let Some(c) = r.chars().next() {
                self.bump(c);
            } else {
                return Err(err(
                    start,
                    2,
                    "Unclosed multi-line comment",
                    "comment opened here",
                    Some("close it with `*/`"),
                ));
            }
        }
    }

    /// `//` to the end of the line; the newline is not consumed.
    fn line_comment(&mut self) -> R<()> {
        self.pos += 2;
        while let Some(c) = self.peek() {
            if is_newline_char(c) {
                break;
            }
            self.bump(c);
        }
        Ok(())
    }

    /// `ws*`: spaces and block comments. Returns whether anything was consumed.
    fn ws(&mut self, depth: usize) -> R<bool> {
        let start = self.pos;
        loop {
            match self.peek() {
                Some(c) if is_space(c) => self.bump(c),
                Some('/') if self.peek2() == Some('*') => self.block_comment(depth)?,
                _ => return Ok(self.pos > start),
            }
        }
    }

    /// `escline := '\' ws* (single-line-comment | newline | eof)`, then `ws*`. The cursor is on `\`.
    fn escline(&mut self, depth: usize) -> R<bool> {
        let save = self.pos;
        self.pos += 1;
        self.ws(depth)?;
        if self.starts("//") {
            self.line_comment()?;
            if let Some(n) = self.newline_len() {
                self.pos += n;
            }
        } else if let Some(n) = self.newline_len() {
            self.pos += n;
        } else if self.peek().is_some() {
            self.pos = save;
            return Ok(false);
        }
        self.ws(depth)?;
        Ok(true)
    }

    /// `node-space*` (spaces, block comments, line continuations). Returns whether anything was consumed.
    fn node_space(&mut self, depth: usize) -> R<bool> {
        let start = self.pos;
        loop {
            self.ws(depth)?;
            if self.peek() == Some('\\') && self.escline(depth)? {
                continue;
            }
            return Ok(self.pos > start);
        }
    }

    /// `line-space*`: node space, newlines and line comments.
    fn line_space(&mut self, depth: usize) -> R<()> {
        loop {
            self.node_space(depth)?;
            if let Some(n) = self.newline_len() {
                self.pos += n;
            } else if self.starts("//") {
                self.line_comment()?;
            } else {
                return Ok(());
            }
        }
    }

    /// `nodes`, up to the end of the document (`depth == 0`) or a block's `}` (not consumed).
    /// Returns the nodes and the span from the first node to the end of the last.
    fn nodes(&mut self, depth: usize) -> R<(Vec<KdlNode>, (usize, usize))> {
        let mut out = Vec::new();
        let mut first: Option<usize> = None;
        let mut last_end = self.pos;
        loop {
            self.line_space(depth)?;
            match self.peek() {
                None => break,
                Some('}') if depth > 0 => break,
                Some('}') => {
                    return Err(self.error_here(
                        "Found a closing '}' without an opening '{'",
                        "unmatched '}'",
                        Some("remove it, or add the block it closes"),
                    ))
                }
                Some(';') => {
                    return Err(self.error_here(
                        "Found invalid node name",
                        "node name",
                        Some("This can be any string type, including a quoted, raw, or multiline string, as well as a plain identifier string."),
                    ))
                }
                _ => {}
            }
            let slashdash = self.starts("/-");
            if slashdash {
                self.pos += 2;
                self.line_space(depth)?;
            }
            let node_start = self.pos;
            let node = self.base_node(depth)?;
            if !slashdash {
                first.get_or_insert(node_start);
                last_end = self.pos;
                out.push(node);
            }
            // node-terminator: ';' | newline | line comment | eof | the block's '}'. The `kdl`
            // crate takes no `;` after a slashdashed node; neither do we.
            if self.peek() == Some(';') && slashdash {
                return Err(self.error_here(
                    "Found invalid node name",
                    "node name",
                    Some("a slashdashed node ends at a newline; put the next node on its own line"),
                ));
            } else if self.peek() == Some(';') {
                self.pos += 1;
            } else if let Some(n) = self.newline_len() {
                self.pos += n;
            } else if self.starts("//") {
                self.line_comment()?;
            } else if self.peek().is_none() || (depth > 0 && self.peek() == Some('}')) {
            } else if slashdash {
                // As the `kdl` crate reads it, the next node may follow a slashdashed one
                // directly (`/-a { } b`).
            } else if self.starts("/-") {
                // As the `kdl` crate reads it: slashdashed nodes may follow the last node of a
                // block or document without a terminator, as long as nothing else follows.
                loop {
                    self.line_space(depth)?;
                    if !self.starts("/-") {
                        break;
                    }
                    self.pos += 2;
                    self.line_space(depth)?;
                    self.base_node(depth)?;
                }
                match self.peek() {
                    None => break,
                    Some('}') if depth > 0 => break,
                    _ => {
                        return Err(self.error_here(
                            "Expected the end of the node",
                            "unexpected text",
                            Some("a node ends at a newline or `;`"),
                        ))
                    }
                }
            } else {
                return Err(self.error_here(
                    "Expected the end of the node",
                    "unexpected text",
                    Some("a node ends at a newline or `;`; separate its values with spaces"),
                ));
            }
        }
        let start = first.unwrap_or(self.pos);
        Ok((out, (start, last_end.saturating_sub(start))))
    }

    /// `base-node`: type, name, entries, children, trailing node space. The cursor is at its start.
    fn base_node(&mut self, depth: usize) -> R<KdlNode> {
        let start = self.pos;
        self.count_item(start)?;
        if self.peek() == Some('{') {
            return Err(self.error_here(
                "Found child block instead of node name",
                "node name",
                Some("Did you forget to add the node name itself? Or perhaps terminated the node before its child block?"),
            ));
        }
        let ty = if self.peek() == Some('(') { Some(self.type_annotation(depth)?) } else { None };
        self.node_space(depth)?;
        let name = match self.string()? {
            Some(name) => name,
            None => {
                return Err(self.error_here(
                    "Found invalid node name",
                    "node name",
                    Some("This can be any string type, including a quoted, raw, or multiline string, as well as a plain identifier string."),
                ))
            }
        };
        let mut node = KdlNode::new(name);
        if let Some(ty) = ty {
            *node.ty_mut() = Some(ty);
        }
        let mut entries = Vec::new();
        let mut children: Option<KdlDocument> = None;
        let mut any_children = false;
        loop {
            let spaced = self.node_space(depth)?;
            match self.peek() {
                Some('{') => {
                    if children.is_some() {
                        return Err(self.error_here(
                            "Found a second child block",
                            "child block",
                            Some("a node has at most one child block; put its nodes in the first one"),
                        ));
                    }
                    children = Some(self.children(depth)?);
                    any_children = true;
                }
                Some('/') if self.peek2() == Some('-') => {
                    let at = self.pos;
                    self.pos += 2;
                    self.line_space(depth)?;
                    if self.peek() == Some('{') && (spaced || children.is_some()) {
                        self.children(depth)?;
                        any_children = true;
                    } else if any_children {
                        // Not slashdashed children: the node ends here (see `nodes`).
                        self.pos = at;
                        break;
                    } else if !spaced {
                        self.pos = at;
                        return Err(self.error_here(
                            "Expected whitespace before a slashdash",
                            "slashdash",
                            Some("put a space before `/-`"),
                        ));
                    } else {
                        self.entry(depth)?;
                    }
                }
                None | Some(';' | '}') => break,
                Some(_) if self.newline_len().is_some() || self.starts("//") => break,
                Some(_) => {
                    if any_children {
                        // Nothing but slashdashed children follows the children: the node ends
                        // here, and `nodes` decides what may come next.
                        break;
                    }
                    if !spaced {
                        return Err(self.error_here(
                            "Expected whitespace between values",
                            "missing space",
                            Some("A valid value was partially parsed, but was not followed by a value terminator. Did you want a space here?"),
                        ));
                    }
                    let entry = self.entry(depth)?;
                    entries.push(entry);
                }
            }
        }
        *node.entries_mut() = entries;
        if let Some(c) = children {
            node.set_children(c);
        }
        node.set_span((start, self.pos - start));
        Ok(node)
    }

    /// `{ nodes }`; the cursor is on `{`.
    fn children(&mut self, depth: usize) -> R<KdlDocument> {
        let open = self.pos;
        if depth + 1 > self.limits.max_depth {
            return Err(Failure::Limit(LimitHit::Depth { offset: open }));
        }
        self.pos += 1;
        let (nodes, span) = self.nodes(depth + 1)?;
        if self.peek() != Some('}') {
            return Err(err(open, 1, "No closing '}' for child block", "closed", None));
        }
        self.pos += 1;
        let mut doc = KdlDocument::new();
        *doc.nodes_mut() = nodes;
        doc.set_span(span);
        Ok(doc)
    }

    /// `(type)`; the cursor is on `(`. Returns the type's identifier.
    fn type_annotation(&mut self, depth: usize) -> R<KdlIdentifier> {
        self.pos += 1;
        self.node_space(depth)?;
        let Some(ty) = self.string()? else {
            return Err(self.error_here(
                "invalid contents inside type annotation",
                "type name",
                Some("a type annotation holds one string, like `(kW)`"),
            ));
        };
        self.node_space(depth)?;
        if self.peek() != Some(')') {
            return Err(self.error_here(
                "invalid contents inside type annotation",
                "type name",
                Some("a type annotation holds one string, like `(kW)`; close it with `)`"),
            ));
        }
        self.pos += 1;
        Ok(ty)
    }

    /// A property or an argument; the cursor is at its start.
    fn entry(&mut self, depth: usize) -> R<KdlEntry> {
        let start = self.pos;
        self.count_item(start)?;
        if self.peek() != Some('(') {
            if let Some(key) = self.string()? {
                let after_key = self.pos;
                self.node_space(depth)?;
                if self.peek() == Some('=') {
                    self.pos += 1;
                    self.node_space(depth)?;
                    let mut entry = self.value(depth, "property value")?;
                    entry.set_name(Some(key));
                    entry.set_span((start, self.pos - start));
                    return Ok(entry);
                }
                self.pos = after_key;
                let mut entry = KdlEntry::new(KdlValue::String(key.value().to_string()));
                entry.set_span((start, self.pos - start));
                return Ok(entry);
            }
        }
        let mut entry = self.value(depth, "value")?;
        entry.set_span((start, self.pos - start));
        Ok(entry)
    }

    /// `value := type? node-space* (string | number | keyword)`.
    fn value(&mut self, depth: usize, what: &str) -> R<KdlEntry> {
        let ty = if self.peek() == Some('(') {
            let ty = self.type_annotation(depth)?;
            self.node_space(depth)?;
            Some(ty)
        } else {
            None
        };
        let value = match self.peek() {
            Some('#') if !matches!(self.peek2(), Some('#' | '"')) => self.keyword()?,
            Some(c) if c.is_ascii_digit() => self.number()?,
            Some('+' | '-') if self.peek2().is_some_and(|c| c.is_ascii_digit()) => self.number()?,
            _ => match self.string()? {
                Some(s) => KdlValue::String(s.value().to_string()),
                None => {
                    return Err(self.error_here(
                        &format!("Expected a {what}"),
                        what,
                        Some("a value is a string, a number, or one of #true, #false, #null, #inf, #-inf, #nan"),
                    ))
                }
            },
        };
        self.value_terminator()?;
        let mut entry = KdlEntry::new(value);
        if let Some(ty) = ty {
            entry.set_ty(ty);
        }
        Ok(entry)
    }

    /// After a value: space, a terminator, `)`, `{`, `}`, `=` or the end.
    fn value_terminator(&self) -> R<()> {
        match self.peek() {
            None | Some(';' | ')' | '{' | '}' | '=' | '\\') => Ok(()),
            Some(c) if is_space(c) || is_newline_char(c) => Ok(()),
            Some('/') if matches!(self.peek2(), Some('/' | '*')) => Ok(()),
            Some(_) => Err(self.error_here(
                "Expected whitespace after the value",
                "unexpected character",
                Some("A valid value was partially parsed, but was not followed by a value terminator. Did you want a space here?"),
            )),
        }
    }

    /// `#true`, `#false`, `#null`, `#inf`, `#-inf`, `#nan`; the cursor is on `#`.
    fn keyword(&mut self) -> R<KdlValue> {
        let r = self.rest();
        for (word, v) in [
            ("#true", KdlValue::Bool(true)),
            ("#false", KdlValue::Bool(false)),
            ("#null", KdlValue::Null),
            ("#nan", KdlValue::Float(f64::NAN)),
            ("#inf", KdlValue::Float(f64::INFINITY)),
            ("#-inf", KdlValue::Float(f64::NEG_INFINITY)),
        ] {
            if r.starts_with(word) {
                self.pos += word.len();
                return Ok(v);
            }
        }
        Err(err(
            self.pos,
            1,
            "Expected a keyword",
            "keyword",
            Some("Available keywords in KDL are '#true', '#false', '#null', '#nan', '#inf', and '#-inf'; they are case-sensitive."),
        ))
    }

    /// A number; the cursor is on a digit or on a sign followed by a digit.
    fn number(&mut self) -> R<KdlValue> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut i = self.pos;
        let negative = bytes.get(i) == Some(&b'-');
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let bad = |at: usize, message: &str| {
            err(
                start,
                at.saturating_sub(start).max(1),
                message,
                "invalid number",
                Some("numbers are written like 42, -1.5, 1e6, 0xff, 0o17 or 0b101; `_` may separate digits"),
            )
        };
        let radix = match (bytes.get(i), bytes.get(i + 1)) {
            (Some(b'0'), Some(b'x')) => Some(16),
            (Some(b'0'), Some(b'o')) => Some(8),
            (Some(b'0'), Some(b'b')) => Some(2),
            _ => None,
        };
        let end_of = |mut j: usize, ok: &dyn Fn(u8) -> bool| {
            while bytes.get(j).is_some_and(|b| ok(*b) || *b == b'_') {
                j += 1;
            }
            j
        };
        if let Some(radix) = radix {
            i += 2;
            let digit = |b: u8| (b as char).is_digit(radix);
            if !bytes.get(i).is_some_and(|b| digit(*b)) {
                return Err(bad(i + 1, "Invalid number"));
            }
            let end = end_of(i, &digit);
            let digits: String = self.text.get(i..end).unwrap_or("").chars().filter(|c| *c != '_').collect();
            self.pos = end;
            self.number_end(start)?;
            let magnitude = u128::from_str_radix(&digits, radix).ok().and_then(|m| {
                if negative {
                    i128::try_from(m).ok().map(|v| -v)
                } else {
                    i128::try_from(m).ok()
                }
            });
            return match magnitude {
                Some(v) => Ok(KdlValue::Integer(v)),
                None => Err(bad(end, "Integer is too large")),
            };
        }
        let digit = |b: u8| b.is_ascii_digit();
        let mut end = end_of(i, &digit);
        let mut float = false;
        if bytes.get(end) == Some(&b'.') {
            if !bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
                self.pos = end + 1;
                return Err(bad(end + 1, "Invalid number: a decimal point must be followed by a digit"));
            }
            end = end_of(end + 1, &digit);
            float = true;
        }
        if matches!(bytes.get(end), Some(b'e' | b'E')) {
            let mut j = end + 1;
            if matches!(bytes.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if !bytes.get(j).is_some_and(u8::is_ascii_digit) {
                self.pos = j;
                return Err(bad(j, "Invalid number: an exponent must have digits"));
            }
            end = end_of(j, &digit);
            float = true;
        }
        let literal: String = self.text.get(start..end).unwrap_or("").chars().filter(|c| *c != '_').collect();
        self.pos = end;
        self.number_end(start)?;
        if float {
            return literal.parse::<f64>().map(KdlValue::Float).map_err(|_| bad(end, "Invalid number"));
        }
        literal.parse::<i128>().map(KdlValue::Integer).map_err(|_| bad(end, "Integer is too large"))
    }

    /// A number must not run into letters (`10kW`, `1.5.2`).
    fn number_end(&self, start: usize) -> R<()> {
        match self.peek() {
            Some(c) if is_ident_char(c) => {
                let mut end = self.pos;
                for ch in self.rest().chars() {
                    if !is_ident_char(ch) {
                        break;
                    }
                    end += ch.len_utf8();
                }
                Err(err(
                    start,
                    end - start,
                    "Invalid number",
                    "not a number",
                    Some("write units as a type annotation, like `(kW)10`, and quote strings that start with a digit"),
                ))
            }
            _ => Ok(()),
        }
    }

    /// A string (identifier, quoted or raw) at the cursor, as an identifier with its span, or
    /// `None` (cursor unchanged) when no string starts here.
    fn string(&mut self) -> R<Option<KdlIdentifier>> {
        let start = self.pos;
        let value = match self.peek() {
            Some('"') => self.quoted()?,
            Some('#') if matches!(self.peek2(), Some('#' | '"')) => self.raw()?,
            Some(_) => match self.identifier()? {
                Some(s) => s,
                None => return Ok(None),
            },
            None => return Ok(None),
        };
        self.value_terminator()?;
        let mut ident = KdlIdentifier::from(value);
        ident.set_span((start, self.pos - start));
        Ok(Some(ident))
    }

    /// An identifier string, or `None` when the cursor is not at one.
    fn identifier(&mut self) -> R<Option<String>> {
        let start = self.pos;
        let mut chars = self.rest().chars();
        let first = chars.next();
        let second = chars.next();
        let third = chars.next();
        match first {
            Some(c) if c.is_ascii_digit() => return Ok(None),
            Some('+' | '-') => {
                if second.is_some_and(|c| c.is_ascii_digit()) {
                    return Ok(None);
                }
                if second == Some('.') && third.is_some_and(|c| c.is_ascii_digit()) {
                    return Err(self.looks_like_number(start));
                }
            }
            Some('.') if second.is_some_and(|c| c.is_ascii_digit()) => return Err(self.looks_like_number(start)),
            Some(c) if is_ident_char(c) => {}
            Some(c) => {
                self.check_allowed(c)?;
                return Ok(None);
            }
            None => return Ok(None),
        }
        let mut end = self.pos;
        for c in self.rest().chars() {
            if !is_ident_char(c) {
                break;
            }
            end += c.len_utf8();
        }
        let s = self.text.get(start..end).unwrap_or("");
        // As the `kdl` crate reads it, only identifiers that start with neither a sign nor a
        // dot can collide with a keyword (`-inf` and `+nan` are plain strings).
        if matches!(s, "true" | "false" | "null" | "inf" | "nan") {
            return Err(err(
                start,
                end - start,
                &format!("`{s}` is a keyword, not a string"),
                "bare keyword",
                Some("keywords are written with `#` (`#true`, `#null`, `#inf`); quote it for a string: `\"true\"`"),
            ));
        }
        self.pos = end;
        Ok(Some(s.to_string()))
    }

    fn looks_like_number(&self, start: usize) -> Failure {
        let mut end = start;
        for c in self.rest().chars() {
            if !is_ident_char(c) {
                break;
            }
            end += c.len_utf8();
        }
        err(
            start,
            (end - start).max(1),
            "Invalid number",
            "not a number or a string",
            Some("write a leading zero (`0.5`), or quote the string"),
        )
    }

    /// `"…"` or `"""…"""`; the cursor is on the first quote.
    fn quoted(&mut self) -> R<String> {
        let open = self.pos;
        if self.starts("\"\"\"") {
            self.pos += 3;
            let Some(n) = self.newline_len() else {
                return Err(err(
                    open,
                    3,
                    "Multi-line string opening quotes must be immediately followed by a newline",
                    "multi-line string newline",
                    None,
                ));
            };
            self.pos += n;
            return self.multiline(open, 0);
        }
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(err(
                    open,
                    self.pos - open,
                    "missing string closing quote",
                    "quoted string",
                    Some("Did you forget to escape something?"),
                ));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\\' => self.escape(&mut out)?,
                c if is_newline_char(c) => {
                    return Err(self.error_here(
                        "Unexpected newline in single-line quoted string",
                        "quoted string",
                        Some("You can make a string multi-line by wrapping it in '\"\"\"', with a newline immediately after the opening quotes."),
                    ))
                }
                c => {
                    self.check_allowed(c)?;
                    out.push(c);
                    self.bump(c);
                }
            }
        }
    }

    /// One escape in a quoted string; the cursor is on `\`.
    fn escape(&mut self, out: &mut String) -> R<()> {
        let at = self.pos;
        self.pos += 1;
        let Some(c) = self.peek() else {
            return Err(err(at, 1, "Invalid escape", "escape", Some("escapes are \\n \\t \\\" \\\\ \\u{…}")));
        };
        let simple = match c {
            '\\' => Some('\\'),
            '"' => Some('"'),
            'b' => Some('\u{0008}'),
            'f' => Some('\u{000C}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            's' => Some(' '),
            _ => None,
        };
        if let Some(e) = simple {
            out.push(e);
            self.pos += 1;
            return Ok(());
        }
        if c == 'u' && self.peek2() == Some('{') {
            self.pos += 2;
            let hex_start = self.pos;
            let hex: String = self.rest().chars().take_while(char::is_ascii_hexdigit).take(7).collect();
            self.pos += hex.len();
            let ch = if (1..=6).contains(&hex.len()) && self.peek() == Some('}') {
                u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
            } else {
                None
            };
            let Some(ch) = ch else {
                return Err(err(
                    at,
                    (self.pos - at).max(hex_start - at),
                    "Invalid unicode escape",
                    "unicode escape char",
                    Some("write `\\u{…}` with one to six hex digits of a Unicode scalar value"),
                ));
            };
            self.pos += 1;
            out.push(ch);
            return Ok(());
        }
        if is_space(c) || is_newline_char(c) {
            // Whitespace escape: the backslash and all whitespace after it vanish.
            while let Some(c) = self.peek() {
                if is_space(c) {
                    self.bump(c);
                } else if let Some(n) = self.newline_len() {
                    self.pos += n;
                } else {
                    break;
                }
            }
            return Ok(());
        }
        Err(err(
            at,
            1 + c.len_utf8(),
            "Invalid escape",
            "escape",
            Some("escapes are \\n \\r \\t \\s \\b \\f \\\" \\\\ and \\u{…}"),
        ))
    }

    /// The body of a multi-line string after `"""` and its newline (`hashes` is 0 for a quoted
    /// string, else the raw string's `#` count). Lines are dedented by the closing line's
    /// whitespace; escapes are processed after dedenting.
    fn multiline(&mut self, open: usize, hashes: usize) -> R<String> {
        let raw = hashes > 0;
        let closing: String = format!("\"\"\"{}", "#".repeat(hashes));
        // Find the closing quotes: the first `"""` (not escaped, for quoted strings).
        let body_start = self.pos;
        let mut i = self.pos;
        let close_at = loop {
            let r = self.text.get(i..).unwrap_or("");
            if r.is_empty() {
                return Err(err(
                    open,
                    3 + hashes,
                    "missing multiline string closing quotes",
                    "multi-line string",
                    Some("Multiline strings must be closed by '\"\"\"' on a standalone line, only prefixed by whitespace."),
                ));
            }
            if r.starts_with(&closing) {
                break i;
            }
            let Some(c) = r.chars().next() else { break i };
            if !raw && c == '\\' {
                i += 1;
                if let Some(n) = self.text.get(i..).and_then(|s| s.chars().next()) {
                    i += n.len_utf8();
                }
                continue;
            }
            if is_disallowed(c) {
                self.pos = i;
                return Err(self.error_here(
                    &format!("Found disallowed code point U+{:04X}", u32::from(c)),
                    "disallowed character",
                    Some("write it as an escape, like `\\u{7}`"),
                ));
            }
            i += c.len_utf8();
        };
        let body_text = self.text.get(body_start..close_at).unwrap_or("");
        // Whitespace escapes go first: they may join lines and end the closing line.
        let joined;
        let body = if raw {
            body_text
        } else {
            joined = remove_ws_escapes(body_text);
            joined.as_str()
        };
        // Split into lines on any newline; the last line is the indentation prefix.
        let mut lines: Vec<(usize, &str)> = Vec::new();
        let mut line_start = 0usize;
        let mut k = 0usize;
        while k < body.len() {
            let rest = body.get(k..).unwrap_or("");
            let n = if rest.starts_with("\r\n") {
                2
            } else {
                match rest.chars().next() {
                    Some(c) if is_newline_char(c) => c.len_utf8(),
                    Some(c) => {
                        k += c.len_utf8();
                        continue;
                    }
                    None => break,
                }
            };
            lines.push((body_start + line_start, body.get(line_start..k).unwrap_or("")));
            k += n;
            line_start = k;
        }
        let prefix = body.get(line_start..).unwrap_or("");
        let prefix_at = body_start + line_start;
        if !prefix.chars().all(is_space) {
            self.pos = prefix_at;
            return Err(err(
                prefix_at,
                prefix.len(),
                "missing multiline string closing quotes",
                "multi-line string",
                Some("Multiline strings must be closed by '\"\"\"' on a standalone line, only prefixed by whitespace."),
            ));
        }
        let mut dedented = String::with_capacity(body.len());
        for (n, (at, line)) in lines.iter().enumerate() {
            if n > 0 {
                dedented.push('\n');
            }
            if line.chars().all(is_space) {
                continue;
            }
            match line.strip_prefix(prefix) {
                Some(rest) => dedented.push_str(rest),
                None => {
                    return Err(err(
                        *at,
                        line.len().min(prefix.len()).max(1),
                        "matching multiline string prefix",
                        "bad prefix",
                        Some("Multi-line string bodies must be prefixed by the exact same whitespace as the leading whitespace before the closing '\"\"\"'"),
                    ))
                }
            }
        }
        self.pos = close_at + closing.len();
        if raw {
            return Ok(dedented);
        }
        // Process escapes in the dedented text.
        let mut sub = Parser { text: &dedented, pos: 0, items: 0, limits: self.limits };
        let mut out = String::with_capacity(dedented.len());
        while let Some(c) = sub.peek() {
            if c == '\\' {
                sub.escape(&mut out).map_err(|_| {
                    err(open, close_at + 3 - open, "Invalid escape in multi-line string", "multi-line string", None)
                })?;
            } else {
                out.push(c);
                sub.bump(c);
            }
        }
        Ok(out)
    }

    /// `#"…"#`, `##"…"##`, `#"""…"""#`; the cursor is on the first `#`.
    fn raw(&mut self) -> R<String> {
        let open = self.pos;
        let hashes = self.rest().bytes().take_while(|b| *b == b'#').count();
        self.pos += hashes;
        if self.starts("\"\"\"") {
            let after = self.pos + 3;
            let nl = self.text.get(after..).and_then(|r| {
                if r.starts_with("\r\n") {
                    Some(2)
                } else {
                    r.chars().next().filter(|c| is_newline_char(*c)).map(char::len_utf8)
                }
            });
            if let Some(n) = nl {
                self.pos = after + n;
                return self.multiline(open, hashes);
            }
        }
        if self.peek() != Some('"') {
            return Err(err(open, hashes, "Invalid raw string", "raw string", Some("a raw string is written #\"…\"#")));
        }
        self.pos += 1;
        let closing: String = format!("\"{}", "#".repeat(hashes));
        let body_start = self.pos;
        loop {
            let r = self.rest();
            if r.starts_with(&closing) {
                let body = self.text.get(body_start..self.pos).unwrap_or("").to_string();
                self.pos += closing.len();
                if body == "\"" {
                    return Err(err(
                        open,
                        self.pos - open,
                        "Single-line raw strings cannot look like multi-line ones",
                        "triple quotes",
                        Some("Consider using a regular escaped string if all you want is a single quote: \"\\\"\""),
                    ));
                }
                return Ok(body);
            }
            match r.chars().next() {
                None => {
                    return Err(err(
                        open,
                        hashes + 1,
                        "missing raw string closing quotes",
                        "raw string",
                        Some("close it with `\"` and as many `#` as it opened with"),
                    ))
                }
                Some(c) if is_newline_char(c) => {
                    return Err(self.error_here(
                        "Unexpected newline in single-line raw string",
                        "raw string",
                        Some("a multi-line raw string is written #\"\"\" on its own line"),
                    ))
                }
                Some(c) => {
                    self.check_allowed(c)?;
                    self.bump(c);
                }
            }
        }
    }
}

/// Removes whitespace escapes (`\` followed by spaces and newlines) from a quoted string body,
/// leaving every other escape in place.
fn remove_ws_escapes(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some(n) if is_space(n) || is_newline_char(n) => {
                while chars.peek().is_some_and(|n| is_space(*n) || is_newline_char(*n)) {
                    chars.next();
                }
            }
            Some(n) => {
                out.push('\\');
                out.push(n);
                chars.next();
            }
            None => out.push('\\'),
        }
    }
    out
}
