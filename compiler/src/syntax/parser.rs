//! Millwright's KDL v2 parser: one pass over the text into a [`tree::Document`], no backtracking
//! past a token, recursion only into `{ … }` blocks (bounded by the nesting limit). It accepts
//! exactly what the `kdl` crate accepts and gives the same spans (`tests/proptest.rs` and the
//! fuzz target compare the two), and words its own errors. After a syntax error it skips to the
//! end of the broken node (the next newline or `;` outside braces, or the `}` that closes the
//! enclosing block) and goes on, so one run reports several errors. Every byte is looked at a
//! bounded number of times, so the time is linear in the size of the text.

use super::tree::{Document, Entry, Ident, Node, Text, TextRange, Value};

/// Why the text was not accepted.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// Not valid KDL v2: the errors found, in order (at least one, at most `max_errors`).
    Syntax(Vec<SyntaxError>),
    /// Past one of the limits; parsing stopped there.
    Limit(LimitHit),
}

/// One syntax error: where, what, and how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    /// A second place worth pointing at: offset, length and label.
    pub related: Option<(usize, usize, String)>,
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
    /// Parsing stops after this many syntax errors.
    pub max_errors: usize,
}

impl Default for ParseLimits {
    fn default() -> ParseLimits {
        ParseLimits { max_depth: 64, max_items: 1_000_000, max_errors: 50 }
    }
}

/// Why a parsing function stopped early.
enum Stop {
    /// A syntax error, not yet recorded (boxed: errors are rare, and every result carries the size).
    Syntax(Box<SyntaxError>),
    /// A syntax error that is already recorded (an outer block left open at the end of the text).
    Recorded,
    /// A limit was hit, or `max_errors` were recorded: parsing ends.
    Abort(Option<LimitHit>),
}

type R<T> = Result<T, Stop>;

const UNICODE_SPACES: [char; 18] = [
    '\u{0009}', '\u{0020}', '\u{00A0}', '\u{1680}', '\u{2000}', '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}',
    '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}', '\u{2009}', '\u{200A}', '\u{202F}', '\u{205F}', '\u{3000}',
];

pub(crate) fn is_space(c: char) -> bool {
    c == ' ' || c == '\t' || (c > '\u{7f}' && UNICODE_SPACES.contains(&c))
}

pub(crate) fn is_newline_char(c: char) -> bool {
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

pub(crate) fn is_ident_char(c: char) -> bool {
    !(is_space(c)
        || is_newline_char(c)
        || is_disallowed(c)
        || matches!(c, '\\' | '/' | '(' | ')' | '{' | '}' | '[' | ']' | ';' | '"' | '#' | '='))
}

/// [`is_ident_char`] for an ASCII byte, so that bare words are scanned a byte at a time.
fn is_ascii_ident(b: u8) -> bool {
    b > 0x20
        && b < 0x80
        && !matches!(b, b'\\' | b'/' | b'(' | b')' | b'{' | b'}' | b'[' | b']' | b';' | b'"' | b'#' | b'=')
}

/// An ASCII byte that may stand in a quoted string as written (no quote, backslash, newline or
/// control character).
fn is_plain_string_byte(b: u8) -> bool {
    (0x20..0x80).contains(&b) && b != b'"' && b != b'\\'
}

/// Parses a whole document (a leading byte-order mark is allowed).
pub fn parse(text: &str, limits: ParseLimits) -> Result<Document, Failure> {
    parse_measured(text, limits).0
}

/// [`parse`], and how many bytes it read: the text once, plus what error recovery read again.
/// Recovery rereads a broken node at most once per enclosing block, so the total stays within
/// `max_depth + 1` times the text; `tests/hostile.rs` checks it on pathological inputs.
pub fn parse_measured(text: &str, limits: ParseLimits) -> (Result<Document, Failure>, usize) {
    let mut p = Parser { text, bytes: text.as_bytes(), pos: 0, items: 0, limits, errors: Vec::new(), reread: 0 };
    let result = p.document();
    (result, text.len() + p.reread)
}

impl Parser<'_> {
    fn document(&mut self) -> Result<Document, Failure> {
        if u32::try_from(self.text.len()).is_err() {
            return Err(Failure::Limit(LimitHit::Items { offset: 0 }));
        }
        let p = self;
        if p.text.starts_with('\u{feff}') {
            p.pos = '\u{feff}'.len_utf8();
        }
        match p.nodes(0) {
            Ok(doc) if p.errors.is_empty() => Ok(doc),
            Err(Stop::Abort(Some(hit))) => Err(Failure::Limit(hit)),
            _ if p.errors.is_empty() => Err(Failure::Syntax(vec![SyntaxError {
                offset: p.pos,
                len: 0,
                message: "the text cannot be read as KDL".to_string(),
                label: "here".to_string(),
                help: None,
                related: None,
            }])),
            _ => Err(Failure::Syntax(std::mem::take(&mut p.errors))),
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    items: usize,
    limits: ParseLimits,
    errors: Vec<SyntaxError>,
    /// Bytes read a second time by error recovery.
    reread: usize,
}

fn err(offset: usize, len: usize, message: &str, label: &str, help: Option<&str>) -> Stop {
    Stop::Syntax(Box::new(SyntaxError {
        offset,
        len,
        message: message.to_string(),
        label: label.to_string(),
        help: help.map(str::to_string),
        related: None,
    }))
}

/// The message of the error for a block left open at the end of the text.
const UNCLOSED_BLOCK: &str = "this block is never closed";

/// The length of the newline at `pos`, if there is one (`\r\n` is one newline).
fn newline_len_at(bytes: &[u8], text: &str, pos: usize) -> Option<usize> {
    match bytes.get(pos)? {
        b'\r' if bytes.get(pos + 1) == Some(&b'\n') => Some(2),
        b'\n' | b'\r' | 0x0B | 0x0C => Some(1),
        b if *b < 0x80 => None,
        _ => text.get(pos..)?.chars().next().filter(|c| is_newline_char(*c)).map(char::len_utf8),
    }
}

/// Where a block left open at the end of the text probably is: from the `{` at `open` on, the
/// first block whose `}` (first on its line) is indented less than the line that opened it. That
/// `}` was written for an outer block, so the block it closes lacks its own. One pass, skipping
/// strings and comments.
fn misindented_block(bytes: &[u8], open: usize) -> Option<usize> {
    let spaces =
        |from: usize| bytes.get(from..).map_or(0, |r| r.iter().take_while(|c| matches!(c, b' ' | b'\t')).count());
    // Where the current line starts and how far it is indented.
    let mut line = bytes.get(..open).and_then(|b| b.iter().rposition(|c| *c == b'\n')).map_or(0, |n| n + 1);
    let mut indent = spaces(line);
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let mut i = open;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => {
                line = i + 1;
                indent = spaces(line);
                i = line + indent;
            }
            b'{' => {
                stack.push((i, indent));
                i += 1;
            }
            b'}' => {
                let (at, opened_at_indent) = stack.pop()?;
                if i == line + indent && indent < opened_at_indent {
                    return Some(at);
                }
                i += 1;
            }
            b'"' => {
                // To the closing quote or the end of the line (left for the newline arm).
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    if c == b'\n' {
                        break;
                    }
                    i += if c == b'\\' { 2 } else { 1 };
                    if c == b'"' {
                        break;
                    }
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|c| *c != b'\n') {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut level = 0usize;
                while let Some(&c) = bytes.get(i) {
                    if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        level += 1;
                        i += 2;
                    } else if c == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        level = level.saturating_sub(1);
                        i += 2;
                        if level == 0 {
                            break;
                        }
                    } else {
                        if c == b'\n' {
                            line = i + 1;
                            indent = spaces(line);
                        }
                        i += 1;
                    }
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// How a list of nodes goes on after one node.
enum Next {
    More,
    End,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        match self.bytes.get(self.pos) {
            Some(&b) if b < 0x80 => Some(char::from(b)),
            Some(_) => self.rest().chars().next(),
            None => None,
        }
    }

    fn peek_byte(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek2(&self) -> Option<char> {
        let mut it = self.rest().chars();
        it.next();
        it.next()
    }

    fn starts(&self, s: &str) -> bool {
        self.bytes.get(self.pos..).is_some_and(|r| r.starts_with(s.as_bytes()))
    }

    fn bump(&mut self, c: char) {
        self.pos += c.len_utf8();
    }

    fn count_item(&mut self, at: usize) -> R<()> {
        self.items += 1;
        if self.items > self.limits.max_items {
            return Err(Stop::Abort(Some(LimitHit::Items { offset: at })));
        }
        Ok(())
    }

    fn error_here(&self, message: &str, label: &str, help: Option<&str>) -> Stop {
        let len = self.peek().map(char::len_utf8).unwrap_or(0);
        err(self.pos, len, message, label, help)
    }

    /// Keeps a syntax error; ends parsing once `max_errors` are kept.
    fn record(&mut self, e: SyntaxError) -> R<()> {
        self.errors.push(e);
        if self.errors.len() >= self.limits.max_errors {
            return Err(Stop::Abort(None));
        }
        Ok(())
    }

    /// A newline at the cursor: its length in bytes.
    fn newline_len(&self) -> Option<usize> {
        newline_len_at(self.bytes, self.text, self.pos)
    }

    /// A disallowed code point at the cursor is an error.
    fn check_allowed(&self, c: char) -> R<()> {
        if is_disallowed(c) {
            return Err(self.disallowed(c));
        }
        Ok(())
    }

    fn disallowed(&self, c: char) -> Stop {
        let code = u32::from(c);
        let what = match c {
            '\u{FEFF}' => "a byte-order mark",
            '\u{200E}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
                "a text-direction control character"
            }
            _ => "a control character",
        };
        self.error_here(
            &format!("the text contains U+{code:04X}, {what}, which KDL does not allow in a file"),
            "disallowed character",
            Some(&format!(
                "remove it; in a quoted string it can be written as the escape `\\u{{{code:X}}}`, though names should not contain it"
            )),
        )
    }

    /// `/* … */`, nested; the cursor is on `/*`.
    fn block_comment(&mut self, depth: usize) -> R<()> {
        let start = self.pos;
        let mut level = 0usize;
        loop {
            match self.bytes.get(self.pos) {
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'*') => {
                    level += 1;
                    if depth + level > self.limits.max_depth {
                        return Err(Stop::Abort(Some(LimitHit::Depth { offset: self.pos })));
                    }
                    self.pos += 2;
                }
                Some(b'*') if self.bytes.get(self.pos + 1) == Some(&b'/') => {
                    self.pos += 2;
                    level -= 1;
                    if level == 0 {
                        return Ok(());
                    }
                }
                Some(_) => self.pos += 1,
                None => {
                    return Err(err(
                        start,
                        2,
                        "the comment `/*` is never closed",
                        "comment opened here",
                        Some("close it with `*/`; block comments nest, so every `/*` inside it needs its own `*/`"),
                    ))
                }
            }
        }
    }

    /// `//` to the end of the line; the newline is not consumed.
    fn line_comment(&mut self) {
        self.pos += 2;
        while let Some(&b) = self.bytes.get(self.pos) {
            if b == b'\n' || b == b'\r' || b == 0x0B || b == 0x0C {
                break;
            }
            if b >= 0x80 {
                let Some(c) = self.peek() else { break };
                if is_newline_char(c) {
                    break;
                }
                self.bump(c);
            } else {
                self.pos += 1;
            }
        }
    }

    /// `ws*`: spaces and block comments. Returns whether anything was consumed.
    fn ws(&mut self, depth: usize) -> R<bool> {
        let start = self.pos;
        loop {
            match self.peek_byte() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'*') => self.block_comment(depth)?,
                Some(b) if b >= 0x80 => match self.peek() {
                    Some(c) if is_space(c) => self.bump(c),
                    _ => return Ok(self.pos > start),
                },
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
            self.line_comment();
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
            if self.peek_byte() == Some(b'\\') && self.escline(depth)? {
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
                self.line_comment();
            } else {
                return Ok(());
            }
        }
    }

    /// `nodes`, up to the end of the document (`depth == 0`) or a block's `}` (not consumed).
    /// A node with a syntax error is recorded, skipped and left out.
    fn nodes(&mut self, depth: usize) -> R<Document> {
        let mut out = Vec::new();
        let mut first: Option<usize> = None;
        let mut last_end = self.pos;
        loop {
            let at = self.pos;
            match self.statement(depth, &mut out, &mut first, &mut last_end) {
                Ok(Next::More) => {}
                Ok(Next::End) => break,
                Err(Stop::Abort(hit)) => return Err(Stop::Abort(hit)),
                Err(Stop::Syntax(e)) => {
                    self.record(*e)?;
                    // The broken node is skipped from its start, so that a string or block it
                    // opened before the error is skipped whole. (A block left open runs to the
                    // end of the text, which needs no second look.)
                    if self.pos < self.text.len() {
                        self.reread += self.pos.saturating_sub(at);
                        self.pos = at;
                    }
                    self.recover(depth);
                }
                Err(Stop::Recorded) => self.recover(depth),
            }
        }
        let start = first.unwrap_or(self.pos);
        Ok(Document { nodes: out.into_boxed_slice(), span: TextRange::between(start, last_end) })
    }

    /// Skips the rest of a broken node: to just after the next newline or `;` outside braces,
    /// strings and comments, or to the `}` that closes the enclosing block (not consumed).
    /// It consumes at least one byte unless it stops at that `}` or at the end, so parsing
    /// always makes progress.
    fn recover(&mut self, depth: usize) {
        let mut braces = 0usize;
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\n' | b'\r' | 0x0B | 0x0C | b';' if braces == 0 => {
                    self.pos += self.newline_len().unwrap_or(1);
                    return;
                }
                b'{' => {
                    braces += 1;
                    self.pos += 1;
                }
                b'}' if braces > 0 => {
                    braces -= 1;
                    self.pos += 1;
                }
                // The `}` of the enclosing block ends the broken node, and the block.
                b'}' if depth > 0 => return,
                b'"' => {
                    if self.skip_string() {
                        // `site "dc-1 {`: the closing quote is missing before the block.
                        braces += 1;
                    }
                }
                b'#' if matches!(self.bytes.get(self.pos + 1), Some(b'"' | b'#')) => self.skip_raw_string(),
                b'/' if self.bytes.get(self.pos + 1) == Some(&b'/') => self.line_comment(),
                b'/' if self.bytes.get(self.pos + 1) == Some(&b'*') => self.skip_block_comment(),
                b if b >= 0x80 => match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
                    Some(c) => {
                        self.bump(c);
                        if braces == 0 && is_newline_char(c) {
                            return;
                        }
                    }
                    None => self.pos += 1,
                },
                _ => self.pos += 1,
            }
        }
    }

    /// Skips a quoted string while recovering: to its closing quote, or to the end of its line
    /// (a single-line string) or of the text (a multi-line one). Returns whether it was a
    /// single-line string left open whose line ends in `{`: that brace opens a block.
    fn skip_string(&mut self) -> bool {
        let multi = self.starts("\"\"\"");
        let open = self.pos;
        self.pos += if multi { 3 } else { 1 };
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\\' => self.pos += 2,
                b'"' if !multi => {
                    self.pos += 1;
                    return false;
                }
                b'"' if self.starts("\"\"\"") => {
                    self.pos += 3;
                    return false;
                }
                b'\n' | b'\r' if !multi => {
                    let line = self.text.get(open..self.pos).unwrap_or("");
                    return line.trim_end().ends_with('{');
                }
                _ => self.pos += 1,
            }
        }
        self.pos = self.pos.min(self.bytes.len());
        false
    }

    /// Skips a raw string while recovering, like [`Parser::skip_string`].
    fn skip_raw_string(&mut self) {
        let hashes = self.bytes.get(self.pos..).map(|r| r.iter().take_while(|b| **b == b'#').count()).unwrap_or(0);
        self.pos += hashes;
        let multi = self.starts("\"\"\"");
        self.pos += if multi { 3 } else { 1 };
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'"' => {
                    let quotes = if multi { 3 } else { 1 };
                    let closes = (0..quotes).all(|k| self.bytes.get(self.pos + k) == Some(&b'"'))
                        && (0..hashes).all(|k| self.bytes.get(self.pos + quotes + k) == Some(&b'#'));
                    if closes {
                        self.pos += quotes + hashes;
                        return;
                    }
                    self.pos += 1;
                }
                b'\n' | b'\r' if !multi => return,
                _ => self.pos += 1,
            }
        }
    }

    /// Skips a block comment while recovering (to its end, or the end of the text).
    fn skip_block_comment(&mut self) {
        let mut level = 0usize;
        while let Some(&b) = self.bytes.get(self.pos) {
            if b == b'/' && self.bytes.get(self.pos + 1) == Some(&b'*') {
                level += 1;
                self.pos += 2;
            } else if b == b'*' && self.bytes.get(self.pos + 1) == Some(&b'/') {
                self.pos += 2;
                level -= 1;
                if level == 0 {
                    return;
                }
            } else {
                self.pos += 1;
            }
        }
    }

    /// One node and its terminator, at the start of a line or after a `;`.
    fn statement(
        &mut self,
        depth: usize,
        out: &mut Vec<Node>,
        first: &mut Option<usize>,
        last_end: &mut usize,
    ) -> R<Next> {
        self.line_space(depth)?;
        match self.peek() {
            None => return Ok(Next::End),
            Some('}') if depth > 0 => return Ok(Next::End),
            Some('}') => {
                return Err(self.error_here(
                    "a `}` without a block to close",
                    "unmatched `}`",
                    Some("remove it, or add the `{` of the block it closes"),
                ))
            }
            Some(';') => {
                return Err(self.error_here(
                    "expected a node, found `;`",
                    "nothing to end here",
                    Some("remove the extra `;`"),
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
            *last_end = self.pos;
            out.push(node);
        }
        // node-terminator: ';' | newline | line comment | eof | the block's '}'. The `kdl`
        // crate takes no `;` after a slashdashed node; neither do we.
        if self.peek() == Some(';') && slashdash {
            return Err(self.error_here(
                "a `;` cannot end a slashdashed node",
                "`;` after `/-` node",
                Some("a slashdashed node ends at a newline; put the next node on its own line"),
            ));
        } else if self.peek() == Some(';') {
            self.pos += 1;
        } else if let Some(n) = self.newline_len() {
            self.pos += n;
        } else if self.starts("//") {
            self.line_comment();
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
                None => return Ok(Next::End),
                Some('}') if depth > 0 => return Ok(Next::End),
                _ => {
                    return Err(self.error_here(
                        "expected the end of the node",
                        "unexpected text after a slashdashed node",
                        Some("a node ends at a newline or `;`; start the next node on a new line"),
                    ))
                }
            }
        } else {
            return Err(self.error_here(
                "expected the end of the node",
                "unexpected text",
                Some("a node ends at a newline or `;`; separate its values with spaces"),
            ));
        }
        Ok(Next::More)
    }

    /// `base-node`: type, name, entries, children, trailing node space. The cursor is at its start.
    fn base_node(&mut self, depth: usize) -> R<Node> {
        let start = self.pos;
        self.count_item(start)?;
        if self.peek() == Some('{') {
            return Err(self.error_here(
                "a `{ … }` block without a node name",
                "block without a name",
                Some("write the node's name before its block, like `hall \"A\" { … }`; if the name is on the line above, move the `{` up to it"),
            ));
        }
        let ty = if self.peek() == Some('(') { Some(self.type_annotation(depth)?) } else { None };
        self.node_space(depth)?;
        let Some(name) = self.string()? else {
            return Err(self.not_a_name("a node name"));
        };
        let mut entries = Vec::new();
        let mut children: Option<Document> = None;
        let mut any_children = false;
        loop {
            let spaced = self.node_space(depth)?;
            match self.peek() {
                Some('{') => {
                    if children.is_some() {
                        return Err(self.error_here(
                            "a node has a second `{ … }` block",
                            "second block",
                            Some("a node has at most one block of children; put these nodes in the first one"),
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
                        // Not slashdashed children: the node ends here (see `statement`).
                        self.pos = at;
                        break;
                    } else if !spaced {
                        self.pos = at;
                        return Err(self.error_here(
                            "a `/-` must be separated from the value before it",
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
                        // here, and `statement` decides what may come next.
                        break;
                    }
                    if !spaced {
                        return Err(self.error_here(
                            "values must be separated by spaces",
                            "no space before this",
                            Some("put a space between the values"),
                        ));
                    }
                    let entry = self.entry(depth)?;
                    entries.push(entry);
                }
            }
        }
        Ok(Node { ty, name, entries: entries.into_boxed_slice(), children, span: TextRange::between(start, self.pos) })
    }

    /// The error for a place where a string (a node name, a key, a type) was expected.
    fn not_a_name(&self, what: &str) -> Stop {
        match self.peek() {
            Some(c) if c.is_ascii_digit() || c == '+' || c == '-' || c == '.' => self.error_here(
                &format!("expected {what}, found a number"),
                "a number",
                Some("names are bare words that do not start with a digit, or quoted strings: `\"2N\"`"),
            ),
            Some(c) => self.error_here(
                &format!("expected {what}, found `{c}`"),
                &format!("not {what}"),
                Some("a name is a bare word like `site` or a quoted string like `\"dc-1\"`"),
            ),
            None => self.error_here(
                &format!("expected {what}, found the end of the file"),
                "the file ends here",
                Some("a name is a bare word like `site` or a quoted string like `\"dc-1\"`"),
            ),
        }
    }

    /// `{ nodes }`; the cursor is on `{`.
    fn children(&mut self, depth: usize) -> R<Document> {
        let open = self.pos;
        if depth + 1 > self.limits.max_depth {
            return Err(Stop::Abort(Some(LimitHit::Depth { offset: open })));
        }
        self.pos += 1;
        let doc = self.nodes(depth + 1)?;
        if self.peek() != Some('}') {
            // The text ended inside the block. When an inner block was left open too, that one
            // is reported; the outer ones are open only because of it.
            if self.errors.last().is_some_and(|e| e.message == UNCLOSED_BLOCK) && self.pos >= self.text.len() {
                return Err(Stop::Recorded);
            }
            let suspect = misindented_block(self.bytes, open).filter(|at| *at != open);
            let help = match suspect {
                Some(_) => "add the `}` that closes the block marked as probably open: the `}` after it is indented like an outer block",
                None => "add the `}` that closes it; every `}` after it closes a block inside it, so look for the block whose `}` is missing",
            };
            let mut e = err(open, 1, UNCLOSED_BLOCK, "opened here, never closed", Some(help));
            if let (Stop::Syntax(e), Some(at)) = (&mut e, suspect) {
                e.related = Some((at, 1, "probably this block is the one left open".to_string()));
            }
            return Err(e);
        }
        self.pos += 1;
        Ok(doc)
    }

    /// `(type)`; the cursor is on `(`. Returns the type's identifier.
    fn type_annotation(&mut self, depth: usize) -> R<Ident> {
        let open = self.pos;
        self.pos += 1;
        self.node_space(depth)?;
        let Some(ty) = self.string()? else {
            return Err(self.error_here(
                "expected a type name inside `( … )`",
                "not a type name",
                Some("a type annotation holds one name, like `(kW)`"),
            ));
        };
        self.node_space(depth)?;
        if self.peek() != Some(')') {
            return Err(err(
                open,
                self.pos - open + self.peek().map(char::len_utf8).unwrap_or(0),
                "the type annotation is not closed with `)`",
                "unclosed `(`",
                Some("a type annotation holds one name, like `(kW)`; close it with `)`"),
            ));
        }
        self.pos += 1;
        Ok(ty)
    }

    /// A property or an argument; the cursor is at its start.
    fn entry(&mut self, depth: usize) -> R<Entry> {
        let start = self.pos;
        self.count_item(start)?;
        if self.peek() != Some('(') {
            if let Some(key) = self.string()? {
                let after_key = self.pos;
                self.node_space(depth)?;
                if self.peek() == Some('=') {
                    self.pos += 1;
                    self.node_space(depth)?;
                    let (ty, value) = self.value(depth, "a property value")?;
                    return Ok(Entry { name: Some(key), ty, value, span: TextRange::between(start, self.pos) });
                }
                self.pos = after_key;
                let value = Value::String(key.value);
                return Ok(Entry { name: None, ty: None, value, span: TextRange::between(start, self.pos) });
            }
        }
        let (ty, value) = self.value(depth, "a value")?;
        Ok(Entry { name: None, ty, value, span: TextRange::between(start, self.pos) })
    }

    /// `value := type? node-space* (string | number | keyword)`.
    fn value(&mut self, depth: usize, what: &str) -> R<(Option<Ident>, Value)> {
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
                Some(s) => Value::String(s.value),
                None => {
                    let found = match self.peek() {
                        Some(_) if self.newline_len().is_some() => "the end of the line".to_string(),
                        Some(c) => format!("`{c}`"),
                        None => "the end of the file".to_string(),
                    };
                    return Err(self.error_here(
                        &format!("expected {what}, found {found}"),
                        "a value belongs here",
                        Some("a value is a string, a number, or one of #true, #false, #null, #inf, #-inf, #nan"),
                    ));
                }
            },
        };
        self.value_terminator()?;
        Ok((ty, value))
    }

    /// After a value: space, a terminator, `)`, `{`, `}`, `=` or the end.
    fn value_terminator(&self) -> R<()> {
        match self.peek() {
            None | Some(';' | ')' | '{' | '}' | '=' | '\\') => Ok(()),
            Some(c) if is_space(c) || is_newline_char(c) => Ok(()),
            Some('/') if matches!(self.peek2(), Some('/' | '*')) => Ok(()),
            Some(c) if is_disallowed(c) => Err(self.disallowed(c)),
            Some(c) => Err(self.error_here(
                &format!("expected a space after the value, found `{c}`"),
                "no space before this",
                Some("values are separated by spaces; a string that contains this character must be quoted"),
            )),
        }
    }

    /// `#true`, `#false`, `#null`, `#inf`, `#-inf`, `#nan`; the cursor is on `#`.
    fn keyword(&mut self) -> R<Value> {
        let r = self.rest();
        for (word, v) in [
            ("#true", Value::Bool(true)),
            ("#false", Value::Bool(false)),
            ("#null", Value::Null),
            ("#nan", Value::Float(f64::NAN)),
            ("#inf", Value::Float(f64::INFINITY)),
            ("#-inf", Value::Float(f64::NEG_INFINITY)),
        ] {
            if r.starts_with(word) {
                self.pos += word.len();
                return Ok(v);
            }
        }
        let word_len = 1 + r.chars().skip(1).take_while(|c| is_ident_char(*c)).map(char::len_utf8).sum::<usize>();
        let word = r.get(..word_len).unwrap_or("#");
        Err(err(
            self.pos,
            word_len,
            &format!("`{word}` is not a KDL keyword"),
            "unknown keyword",
            Some("the keywords are #true, #false, #null, #inf, #-inf and #nan (lower case); a string that starts with `#` is quoted: `\"#1\"`"),
        ))
    }

    /// A number; the cursor is on a digit or on a sign followed by a digit.
    fn number(&mut self) -> R<Value> {
        let start = self.pos;
        let bytes = self.bytes;
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
            let digit = |b: u8| char::from(b).is_digit(radix);
            if !bytes.get(i).is_some_and(|b| digit(*b)) {
                return Err(bad(i + 1, "the number has no digits after its prefix"));
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
                Some(v) => Ok(Value::Integer(v)),
                None => Err(bad(end, "the integer is too large")),
            };
        }
        let digit = |b: u8| b.is_ascii_digit();
        let mut end = end_of(i, &digit);
        let mut float = false;
        if bytes.get(end) == Some(&b'.') {
            if !bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
                self.pos = end + 1;
                return Err(bad(end + 1, "a decimal point must be followed by a digit"));
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
                return Err(bad(j, "an exponent must have digits"));
            }
            end = end_of(j, &digit);
            float = true;
        }
        let literal = self.text.get(start..end).unwrap_or("");
        self.pos = end;
        self.number_end(start)?;
        let cleaned;
        let literal = if literal.contains('_') {
            cleaned = literal.replace('_', "");
            cleaned.as_str()
        } else {
            literal
        };
        if float {
            return literal.parse::<f64>().map(Value::Float).map_err(|_| bad(end, "invalid number"));
        }
        literal.parse::<i128>().map(Value::Integer).map_err(|_| bad(end, "the integer is too large"))
    }

    /// A number must not run into letters (`10kW`, `2N`, `1.5.2`).
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
                let word = self.text.get(start..end).unwrap_or("");
                Err(err(
                    start,
                    end - start,
                    &format!("`{word}` is neither a number nor a string"),
                    "starts like a number",
                    Some(&format!(
                        "a word that starts with a digit must be quoted: `\"{word}\"`; a unit is written before the number as a type annotation, like `(kW)10`"
                    )),
                ))
            }
            _ => Ok(()),
        }
    }

    /// A string (identifier, quoted or raw) at the cursor, as an identifier with its span, or
    /// `None` (cursor unchanged) when no string starts here.
    fn string(&mut self) -> R<Option<Ident>> {
        let start = self.pos;
        let value = match self.peek() {
            Some('"') => self.quoted()?,
            Some('#') if matches!(self.peek2(), Some('#' | '"')) => Text::from(self.raw()?),
            Some(_) => match self.identifier()? {
                Some(s) => s,
                None => return Ok(None),
            },
            None => return Ok(None),
        };
        if value.as_str() == "r" && self.pos == start + 1 && matches!(self.peek(), Some('"' | '#')) {
            return Err(self.v1_raw_string(start));
        }
        self.value_terminator()?;
        Ok(Some(Ident::new(value, TextRange::between(start, self.pos))))
    }

    /// `r"…"` and `r#"…"#` are KDL v1's raw strings; the cursor is after the `r`.
    fn v1_raw_string(&self, start: usize) -> Stop {
        let line_end = self.rest().find(['\n', '\r']).map(|n| self.pos + n).unwrap_or(self.text.len());
        err(
            start,
            line_end - start,
            "`r\"…\"` is a KDL v1 raw string; blueprints are KDL v2",
            "KDL v1 raw string",
            Some("KDL v2 writes raw strings with `#`: `#\"say \"hi\"\"#`; or write a quoted string and escape its quotes: `\"say \\\"hi\\\"\"`"),
        )
    }

    /// An identifier string, or `None` when the cursor is not at one.
    fn identifier(&mut self) -> R<Option<Text>> {
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
        loop {
            match self.bytes.get(end) {
                Some(&b) if b < 0x80 => {
                    if !is_ascii_ident(b) {
                        break;
                    }
                    end += 1;
                }
                Some(_) => match self.text.get(end..).and_then(|s| s.chars().next()) {
                    Some(c) if is_ident_char(c) => end += c.len_utf8(),
                    _ => break,
                },
                None => break,
            }
        }
        let s = self.text.get(start..end).unwrap_or("");
        // As the `kdl` crate reads it, only identifiers that start with neither a sign nor a
        // dot can collide with a keyword (`-inf` and `+nan` are plain strings).
        if matches!(s, "true" | "false" | "null" | "inf" | "nan") {
            return Err(err(
                start,
                end - start,
                &format!("`{s}` is a keyword, so it must be written `#{s}` or quoted"),
                "bare keyword",
                Some(&format!("write `#{s}` for the value, or `\"{s}\"` for the string")),
            ));
        }
        self.pos = end;
        Ok(Some(Text::new(s)))
    }

    fn looks_like_number(&self, start: usize) -> Stop {
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
            "a number needs a digit before its decimal point",
            "not a number or a string",
            Some("write a leading zero (`0.5`), or quote the string"),
        )
    }

    /// `"…"` or `"""…"""`; the cursor is on the first quote.
    fn quoted(&mut self) -> R<Text> {
        let open = self.pos;
        if self.starts("\"\"\"") {
            self.pos += 3;
            let Some(n) = self.newline_len() else {
                return Err(err(
                    open,
                    3,
                    "a multi-line string must start a new line after its opening `\"\"\"`",
                    "multi-line string",
                    Some("put a line break right after `\"\"\"`, or write a single-line string with one `\"`"),
                ));
            };
            self.pos += n;
            return self.multiline(open, 0).map(Text::from);
        }
        self.pos += 1;
        // Most strings are plain ASCII without escapes: taken in one go.
        let plain = self.bytes.get(self.pos..).map(|r| r.iter().take_while(|b| is_plain_string_byte(**b)).count());
        let plain = plain.unwrap_or(0);
        let plain_text = self.text.get(self.pos..self.pos + plain).unwrap_or("");
        self.pos += plain;
        if self.peek_byte() == Some(b'"') {
            self.pos += 1;
            return Ok(Text::new(plain_text));
        }
        let mut out = String::from(plain_text);
        loop {
            let Some(c) = self.peek() else {
                return Err(err(
                    open,
                    self.pos - open,
                    "the string is not closed before the end of the file",
                    "unclosed string",
                    Some("add the closing `\"`"),
                ));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(Text::from(out));
                }
                '\\' => self.escape(&mut out)?,
                c if is_newline_char(c) => {
                    return Err(err(
                        open,
                        self.pos - open,
                        "the string is not closed before the end of the line",
                        "unclosed string",
                        Some("add the closing `\"`; a string that spans lines is written between `\"\"\"` lines, and a quote inside a string is escaped: `\\\"`"),
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
            return Err(err(
                at,
                1,
                "the string ends in a lone `\\`",
                "escape",
                Some("escapes are \\n \\r \\t \\s \\b \\f \\\" \\\\ and \\u{…}; write `\\\\` for a backslash"),
            ));
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
                    "invalid Unicode escape",
                    "unicode escape",
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
            &format!("`\\{c}` is not an escape KDL knows"),
            "unknown escape",
            Some("escapes are \\n \\r \\t \\s \\b \\f \\\" \\\\ and \\u{…}; write `\\\\` for a backslash"),
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
                    "the multi-line string is never closed",
                    "multi-line string opened here",
                    Some("close it with `\"\"\"` on a line of its own"),
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
                return Err(self.disallowed(c));
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
                "the closing `\"\"\"` of a multi-line string must be on a line of its own",
                "text before the closing quotes",
                Some("move the text to the line above; only spaces may stand before the closing `\"\"\"`"),
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
                        "a line of the multi-line string is indented less than its closing `\"\"\"`",
                        "less indented",
                        Some("indent every line at least as far as the closing `\"\"\"`, with the same spaces or tabs"),
                    ))
                }
            }
        }
        self.pos = close_at + closing.len();
        if raw {
            return Ok(dedented);
        }
        // Process escapes in the dedented text.
        let mut sub = Parser {
            text: &dedented,
            bytes: dedented.as_bytes(),
            pos: 0,
            items: 0,
            limits: self.limits,
            errors: Vec::new(),
            reread: 0,
        };
        let mut out = String::with_capacity(dedented.len());
        while let Some(c) = sub.peek() {
            if c == '\\' {
                sub.escape(&mut out).map_err(|_| {
                    err(
                        open,
                        close_at + 3 - open,
                        "the multi-line string contains an invalid escape",
                        "multi-line string",
                        Some("escapes are \\n \\r \\t \\s \\b \\f \\\" \\\\ and \\u{…}; write `\\\\` for a backslash"),
                    )
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
            return Err(err(
                open,
                hashes,
                "`#` must be followed by a quote to start a raw string",
                "raw string",
                Some("a raw string is written #\"…\"#; a keyword is one of #true, #false, #null, #inf, #-inf, #nan"),
            ));
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
                        "a single-line raw string cannot hold just `\"`",
                        "looks like a multi-line string",
                        Some("write a quoted string with an escaped quote: `\"\\\"\"`"),
                    ));
                }
                return Ok(body);
            }
            match r.chars().next() {
                None => {
                    return Err(err(
                        open,
                        hashes + 1,
                        "the raw string is never closed",
                        "raw string opened here",
                        Some("close it with `\"` and as many `#` as it opened with"),
                    ))
                }
                Some(c) if is_newline_char(c) => {
                    return Err(err(
                        open,
                        self.pos - open,
                        "the raw string is not closed before the end of the line",
                        "unclosed raw string",
                        Some("close it with `\"` and as many `#` as it opened with; a raw string that spans lines is written between `#\"\"\"` lines"),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<(usize, String)> {
        match parse(text, ParseLimits::default()) {
            Err(Failure::Syntax(errors)) => errors.into_iter().map(|e| (e.offset, e.message)).collect(),
            other => panic!("expected syntax errors, got {other:?}"),
        }
    }

    #[test]
    fn reports_one_error_per_broken_node_and_goes_on() {
        let found = errors("a 2N\nb \"open\nc 1\nd 1x { e }\nf #nope\n");
        let offsets: Vec<usize> = found.iter().map(|(at, _)| *at).collect();
        assert_eq!(offsets, [2, 7, 19, 30], "{found:?}");
    }

    #[test]
    fn recovery_skips_the_block_of_a_broken_node() {
        // The broken node's block is skipped whole; the nodes after it are still read.
        let found = errors("site 2N {\n    hall \"a\" {\n    }\n}\nnext 1x\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|(_, m)| m.contains("neither a number nor a string")), "{found:?}");
    }

    #[test]
    fn an_open_string_before_a_brace_opens_the_block_it_meant() {
        // `"dc-1 {` lost its closing quote; the `}` that closes the block is not a second error.
        let found = errors("site \"dc-1 {\n    hall \"a\"\n}\nok 1\n");
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn blocks_left_open_are_reported_once_at_the_innermost() {
        let found = errors("a {\n  b {\n    c {\n");
        assert_eq!(found, [(16, UNCLOSED_BLOCK.to_string())]);
    }

    #[test]
    fn an_open_block_is_found_by_the_indentation_of_the_braces_after_it() {
        let text = "site {\n    hall {\n        row {\n        }\n}\nfabric {\n}\n";
        match parse(text, ParseLimits::default()) {
            Err(Failure::Syntax(errors)) => {
                let e = errors.first().expect("an error");
                assert_eq!((e.offset, e.related.as_ref().map(|r| r.0)), (5, Some(16)), "{errors:?}");
            }
            other => panic!("{other:?}"),
        }
        // Nothing to suggest when the braces are indented consistently.
        assert_eq!(misindented_block(b"a {\n  b {\n  }\n", 2), None);
    }

    #[test]
    fn errors_stop_at_the_cap() {
        let limits = ParseLimits { max_errors: 5, ..ParseLimits::default() };
        match parse(&";".repeat(1000), limits) {
            Err(Failure::Syntax(errors)) => assert_eq!(errors.len(), 5),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nested_slashdash_blocks_are_read_once() {
        let text = "a /-{".repeat(24);
        let (result, work) = parse_measured(&text, ParseLimits::default());
        assert!(matches!(result, Err(Failure::Syntax(ref e)) if e.len() == 1), "{result:?}");
        assert!(work <= 2 * text.len());
    }

    #[test]
    fn the_tree_has_names_values_types_and_ranges() {
        let doc = parse("(t)node \"arg\" key=(kW)1.5 #true\n/-gone\nother { child #null }", ParseLimits::default())
            .unwrap_or_default();
        let names: Vec<&str> = doc.nodes().iter().map(|n| n.name().value()).collect();
        assert_eq!(names, ["node", "other"]);
        let node = doc.nodes().first().expect("node");
        assert_eq!(node.ty().map(Ident::value), Some("t"));
        assert_eq!((node.name().span().offset(), node.name().span().len()), (3, 4));
        let entries = node.entries();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries.first().map(|e| e.value()), Some(&Value::String("arg".into())));
        let prop = entries.get(1).expect("property");
        assert_eq!(prop.name().map(Ident::value), Some("key"));
        assert_eq!(prop.ty().map(Ident::value), Some("kW"));
        assert_eq!(prop.value(), &Value::Float(1.5));
        assert_eq!((prop.span().offset(), prop.span().len()), (14, 11));
        let child = doc.nodes().get(1).and_then(|n| n.children()).and_then(|c| c.nodes().first());
        assert_eq!(child.and_then(|c| c.entries().first()).map(|e| e.value()), Some(&Value::Null));
    }
}
