//! Positions as editors count them: 0-based lines and, within a line, UTF-16 code units (the
//! Language Server Protocol's default encoding), converted to and from byte offsets.

/// A place in a text: 0-based line and UTF-16 code unit within it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

/// A range of a text, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

/// The byte offset of each line's start, for converting offsets and positions.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        LineIndex { line_starts }
    }

    /// The position of a byte offset (an offset inside a character counts from that character's
    /// start; one past the end is the end).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let units = text.get(start..offset).map_or(0, |s| s.encode_utf16().count());
        Position { line: u32::try_from(line).unwrap_or(u32::MAX), character: u32::try_from(units).unwrap_or(u32::MAX) }
    }

    pub fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range { start: self.position(text, start), end: self.position(text, end.max(start)) }
    }

    /// The byte offset of a position. A line past the end is the end of the text; a character
    /// past the end of its line is the line's end; one inside a surrogate pair is the next
    /// character's start.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let line = position.line as usize;
        let Some(&start) = self.line_starts.get(line) else { return text.len() };
        let next = self.line_starts.get(line + 1).copied().unwrap_or(text.len());
        let content = text.get(start..next).unwrap_or("");
        let content = content.strip_suffix('\n').map_or(content, |l| l.strip_suffix('\r').unwrap_or(l));
        let wanted = position.character as usize;
        let mut units = 0;
        for (i, c) in content.char_indices() {
            if units >= wanted {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + content.len()
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_utf16_code_units() {
        // `€` is one UTF-16 unit and three bytes; `𝄞` is two units (a surrogate pair) and four bytes.
        let text = "a€b\n𝄞c\r\nend";
        let lines = LineIndex::new(text);
        assert_eq!(lines.position(text, 4), Position { line: 0, character: 2 });
        let c = text.find('c').unwrap_or(0);
        assert_eq!(lines.position(text, c), Position { line: 1, character: 2 });
        assert_eq!(lines.offset(text, Position { line: 1, character: 2 }), c);
        assert_eq!(lines.offset(text, Position { line: 0, character: 2 }), 4);
        // Past the end of a line: its end, before `\r\n`.
        assert_eq!(lines.offset(text, Position { line: 1, character: 99 }), c + 1);
        assert_eq!(lines.offset(text, Position { line: 9, character: 0 }), text.len());
        assert_eq!(lines.position(text, text.len()), Position { line: 2, character: 3 });
    }
}
