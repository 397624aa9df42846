//! The line-based fallback formatter: four-space indentation by block depth, single spaces
//! between tokens, no trailing whitespace, at most one blank line in a row and none just inside a
//! block, one final newline. It keeps every comment and string exactly as written and moves no
//! node, so it is used when the canonical layout cannot keep a file's meaning.

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    BlockComment(usize),
    Quoted,
    MultiLine,
    Raw { hashes: usize, multi: bool },
}

/// Normalises one line that starts in code; returns the new line, the state at its end and the
/// brace depth change. Whitespace is collapsed only in code.
fn scan_line(line: &str, mut state: State, depth: &mut i64) -> (String, State) {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        match state {
            State::Code => match c {
                ' ' | '\t' => {
                    if !out.ends_with(' ') && !out.is_empty() {
                        out.push(' ');
                    }
                    i += 1;
                    continue;
                }
                '/' if next == Some('/') => {
                    out.extend(chars.get(i..).unwrap_or(&[]).iter());
                    break;
                }
                '/' if next == Some('*') => {
                    state = State::BlockComment(1);
                    out.push_str("/*");
                    i += 2;
                    continue;
                }
                '"' => {
                    let triple = next == Some('"') && chars.get(i + 2) == Some(&'"');
                    if triple {
                        state = State::MultiLine;
                        out.push_str("\"\"\"");
                        i += 3;
                        continue;
                    }
                    state = State::Quoted;
                }
                '#' if next == Some('"') || next == Some('#') => {
                    let mut j = i;
                    while chars.get(j) == Some(&'#') {
                        j += 1;
                    }
                    if chars.get(j) == Some(&'"') {
                        let hashes = j - i;
                        let multi = chars.get(j + 1) == Some(&'"') && chars.get(j + 2) == Some(&'"');
                        let end = if multi { j + 3 } else { j + 1 };
                        out.extend(chars.get(i..end).unwrap_or(&[]).iter());
                        state = State::Raw { hashes, multi };
                        i = end;
                        continue;
                    }
                }
                '{' => *depth += 1,
                '}' => *depth -= 1,
                _ => {}
            },
            State::BlockComment(level) => {
                if c == '*' && next == Some('/') {
                    out.push_str("*/");
                    i += 2;
                    state = if level == 1 { State::Code } else { State::BlockComment(level - 1) };
                    continue;
                }
                if c == '/' && next == Some('*') {
                    out.push_str("/*");
                    i += 2;
                    state = State::BlockComment(level + 1);
                    continue;
                }
            }
            State::Quoted => {
                if c == '\\' {
                    out.push(c);
                    if let Some(n) = next {
                        out.push(n);
                    }
                    i += 2;
                    continue;
                }
                if c == '"' {
                    state = State::Code;
                }
            }
            State::MultiLine => {
                if c == '\\' {
                    out.push(c);
                    if let Some(n) = next {
                        out.push(n);
                    }
                    i += 2;
                    continue;
                }
                if c == '"' && next == Some('"') && chars.get(i + 2) == Some(&'"') {
                    out.push_str("\"\"\"");
                    i += 3;
                    state = State::Code;
                    continue;
                }
            }
            State::Raw { hashes, multi } => {
                let quotes = if multi { 3 } else { 1 };
                let closes = (0..quotes).all(|k| chars.get(i + k) == Some(&'"'))
                    && (0..hashes).all(|k| chars.get(i + quotes + k) == Some(&'#'));
                if closes {
                    out.extend(chars.get(i..i + quotes + hashes).unwrap_or(&[]).iter());
                    i += quotes + hashes;
                    state = State::Code;
                    continue;
                }
            }
        }
        out.push(c);
        i += 1;
    }
    if state == State::Code || matches!(state, State::BlockComment(_)) {
        while out.ends_with(' ') {
            out.pop();
        }
    }
    (out, state)
}

/// Re-indents and normalises the text (see the module docs).
pub fn reformat(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut state = State::Code;
    let mut depth: i64 = 0;
    for raw in text.lines() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if state != State::Code && !matches!(state, State::BlockComment(_)) {
            // Inside a multi-line string: keep the line exactly.
            let (_, s) = scan_line(raw, state, &mut depth);
            state = s;
            out.push(raw.to_string());
            continue;
        }
        let in_comment = matches!(state, State::BlockComment(_));
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            // Keep one blank line between nodes (none at the start, none just inside a block);
            // inside a block comment every line is kept.
            let after_open = matches!(out.last().map(String::as_str), None | Some(""))
                || out.last().is_some_and(|l| l.trim_end().ends_with('{'));
            if in_comment || !after_open {
                out.push(String::new());
            }
            continue;
        }
        let start_depth = depth;
        let (line, s) = scan_line(trimmed, state, &mut depth);
        state = s;
        if in_comment {
            out.push(raw.trim_end().to_string());
            continue;
        }
        let closes_first = line.starts_with('}');
        let indent = if closes_first { start_depth - 1 } else { start_depth }.max(0) as usize;
        if closes_first && out.last().is_some_and(|l| l.is_empty()) {
            out.pop();
        }
        out.push(format!("{}{}", "    ".repeat(indent), line));
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_comments_and_strings_and_is_idempotent() {
        let input = "// head\n\n\nfactory   \"x\"  {\n  description \"a   b\"   // trailing\n       region \"eu\"\n\n}\n/* block\n   kept */\nsite \"s\" {\n/-tier 3\n}\n";
        let once = reformat(input);
        assert_eq!(
            once,
            "// head\n\nfactory \"x\" {\n    description \"a   b\" // trailing\n    region \"eu\"\n}\n/* block\n   kept */\nsite \"s\" {\n    /-tier 3\n}\n"
        );
        assert_eq!(reformat(&once), once);
    }
}
