//! The tokens of KDL text that the syntax tree leaves out (spaces, newlines, comments, `/-`, `;`)
//! and just enough of the rest (strings, words, punctuation) to step over it. The formatter reads
//! the text between the tree's ranges with it; the text has already parsed, so the lexer never
//! has to report an error, only to stop at the end.

use crate::syntax::parser::{is_ident_char, is_newline_char, is_space};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    Space,
    Newline,
    LineComment,
    BlockComment,
    Slashdash,
    /// A `\` that continues a node on the next line.
    Escline,
    OpenBrace,
    CloseBrace,
    Semicolon,
    /// `(`, `)` or `=`.
    Punct,
    /// A quoted, multi-line or raw string.
    Str,
    /// A bare identifier, a number or a keyword (`#true`).
    Word,
}

fn char_at(text: &str, pos: usize) -> Option<char> {
    text.get(pos..).and_then(|s| s.chars().next())
}

fn starts(text: &str, pos: usize, s: &str) -> bool {
    text.get(pos..).is_some_and(|r| r.starts_with(s))
}

/// The token at `pos` and where it ends, or `None` at the end of the text.
pub fn next(text: &str, pos: usize) -> Option<(Token, usize)> {
    let c = char_at(text, pos)?;
    let after = pos + c.len_utf8();
    let token = match c {
        '\r' if starts(text, after, "\n") => return Some((Token::Newline, after + 1)),
        c if is_newline_char(c) => return Some((Token::Newline, after)),
        c if is_space(c) => {
            let mut end = after;
            while let Some(d) = char_at(text, end).filter(|d| is_space(*d)) {
                end += d.len_utf8();
            }
            return Some((Token::Space, end));
        }
        '/' if starts(text, after, "/") => {
            let mut end = after;
            while let Some(d) = char_at(text, end).filter(|d| !is_newline_char(*d)) {
                end += d.len_utf8();
            }
            return Some((Token::LineComment, end));
        }
        '/' if starts(text, after, "*") => return Some((Token::BlockComment, block_comment_end(text, pos))),
        '/' if starts(text, after, "-") => return Some((Token::Slashdash, after + 1)),
        '\\' => Token::Escline,
        '{' => Token::OpenBrace,
        '}' => Token::CloseBrace,
        ';' => Token::Semicolon,
        '(' | ')' | '=' => Token::Punct,
        '"' => return Some((Token::Str, quoted_end(text, pos))),
        '#' if matches!(char_at(text, after), Some('"' | '#')) => return Some((Token::Str, raw_end(text, pos))),
        _ => {
            let mut end = after;
            while let Some(d) = char_at(text, end).filter(|d| is_ident_char(*d)) {
                end += d.len_utf8();
            }
            return Some((Token::Word, end));
        }
    };
    Some((token, after))
}

/// The end of the block comment at `pos`, nested ones included.
fn block_comment_end(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes();
    let mut level = 0usize;
    let mut at = pos;
    while let Some(&b) = bytes.get(at) {
        if b == b'/' && bytes.get(at + 1) == Some(&b'*') {
            level += 1;
            at += 2;
        } else if b == b'*' && bytes.get(at + 1) == Some(&b'/') {
            at += 2;
            level = level.saturating_sub(1);
            if level == 0 {
                return at;
            }
        } else {
            at += 1;
        }
    }
    text.len()
}

/// The end of the quoted (`"…"`) or multi-line (`"""…"""`) string at `pos`.
fn quoted_end(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes();
    let multi = starts(text, pos, "\"\"\"");
    let mut at = pos + if multi { 3 } else { 1 };
    while let Some(&b) = bytes.get(at) {
        match b {
            // An escape: the backslash and the byte after it (a multi-byte character's other
            // bytes are never `"` or `\`, so stepping by bytes is safe).
            b'\\' => at += 2,
            b'"' if !multi => return at + 1,
            b'"' if starts(text, at, "\"\"\"") => return at + 3,
            _ => at += 1,
        }
    }
    text.len()
}

/// The end of the raw string (`#"…"#`, `##"""…"""##`) at `pos`.
fn raw_end(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes();
    let hashes = bytes.get(pos..).map_or(0, |r| r.iter().take_while(|b| **b == b'#').count());
    let multi = starts(text, pos + hashes, "\"\"\"");
    let quotes = if multi { 3 } else { 1 };
    let mut at = pos + hashes + quotes;
    while let Some(&b) = bytes.get(at) {
        if b == b'"'
            && (0..quotes).all(|k| bytes.get(at + k) == Some(&b'"'))
            && (0..hashes).all(|k| bytes.get(at + quotes + k) == Some(&b'#'))
        {
            return at + quotes + hashes;
        }
        at += 1;
    }
    text.len()
}

/// The end of the node a `/-` at `pos` comments out: from the `/-` over its node, block
/// included, to just before the newline, `;`, line comment or enclosing `}` that ends it, and
/// never past `limit`.
pub fn slashdashed_end(text: &str, pos: usize, limit: usize) -> usize {
    let mut at = pos + 2;
    // `/-` may stand on a line of its own before the node it comments out.
    while let Some((t, end)) = next(text, at).filter(|_| at < limit) {
        if !matches!(t, Token::Space | Token::Newline | Token::LineComment | Token::Escline) {
            break;
        }
        at = end;
    }
    let mut depth = 0usize;
    let mut continued = false;
    let mut last = at;
    while let Some((t, end)) = next(text, at).filter(|_| at < limit) {
        match t {
            Token::Newline | Token::LineComment if continued => continued = t == Token::LineComment,
            Token::Newline | Token::Semicolon | Token::LineComment if depth == 0 => break,
            Token::CloseBrace if depth == 0 => break,
            Token::CloseBrace => depth -= 1,
            Token::OpenBrace => depth += 1,
            Token::Escline => continued = true,
            Token::Space
            | Token::Newline
            | Token::LineComment
            | Token::Semicolon
            | Token::BlockComment
            | Token::Slashdash
            | Token::Punct
            | Token::Str
            | Token::Word => {}
        }
        if t != Token::Space && t != Token::Newline {
            last = end;
        }
        at = end;
    }
    last.min(limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(Token, &str)> {
        let mut out = Vec::new();
        let mut at = 0;
        while let Some((t, end)) = next(text, at) {
            out.push((t, text.get(at..end).unwrap_or("")));
            at = end;
        }
        out
    }

    #[test]
    fn steps_over_strings_comments_and_words() {
        use Token::*;
        let text = "a \"b\\\"c\" #\"x\"y\"# /* n /* m */ */ (kW)4_0 #true\r\n// c\n/-d;";
        assert_eq!(
            tokens(text),
            [
                (Word, "a"),
                (Space, " "),
                (Str, "\"b\\\"c\""),
                (Space, " "),
                (Str, "#\"x\"y\"#"),
                (Space, " "),
                (BlockComment, "/* n /* m */ */"),
                (Space, " "),
                (Punct, "("),
                (Word, "kW"),
                (Punct, ")"),
                (Word, "4_0"),
                (Space, " "),
                (Word, "#true"),
                (Newline, "\r\n"),
                (LineComment, "// c"),
                (Newline, "\n"),
                (Slashdash, "/-"),
                (Word, "d"),
                (Semicolon, ";"),
            ]
        );
        assert_eq!(tokens("\"\"\"\na\"b\n\"\"\" x"), [(Str, "\"\"\"\na\"b\n\"\"\""), (Space, " "), (Word, "x")]);
    }

    #[test]
    fn a_slashdashed_node_ends_at_its_terminator() {
        let text = "/- site { a; b \"}\" } // c\nnext";
        assert_eq!(text.get(..slashdashed_end(text, 0, text.len())), Some("/- site { a; b \"}\" }"));
        let text = "/-a \\\n  b\nc";
        assert_eq!(text.get(..slashdashed_end(text, 0, text.len())), Some("/-a \\\n  b"));
        assert_eq!(slashdashed_end("/-a b", 0, 4), 3);
    }
}
