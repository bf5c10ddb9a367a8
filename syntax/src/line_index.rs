//! Byte offsets ↔ line/column positions, in the three column units editors use.
//!
//! * Lines are 0-based and split on `\n` only. A `\r` before the `\n` is part of the line's
//!   content (it counts as one column), so the columns of a CRLF file are those of the same
//!   file with LF endings, and the end of a CRLF line is the position of its `\n`.
//! * Columns are 0-based and counted in UTF-8 bytes, UTF-16 code units (the LSP default) or
//!   Unicode scalar values (UTF-32, i.e. `char`s), see [`Encoding`].
//! * A byte-order mark is an ordinary character of line 0 (3 bytes, 1 UTF-16 unit, 1 char):
//!   this module reports positions in the text exactly as it is.
//!
//! Nothing here panics: out-of-range input is clamped or answered with `None`, as each
//! method documents.

use crate::Span;

/// The unit columns are counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units (a character outside the BMP, e.g. an emoji, counts 2).
    Utf16,
    /// Unicode scalar values (`char`s): every character counts 1.
    Utf32,
}

/// A 0-based line and a 0-based column (in some [`Encoding`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

impl LineCol {
    pub fn new(line: u32, col: u32) -> Self {
        LineCol { line, col }
    }
}

/// A non-ASCII character of a line: its byte range relative to the line start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WideChar {
    start: u32,
    end: u32,
}

impl WideChar {
    fn len_utf8(self) -> u32 {
        self.end - self.start
    }

    fn len(self, encoding: Encoding) -> u32 {
        match encoding {
            Encoding::Utf8 => self.len_utf8(),
            Encoding::Utf16 => {
                if self.len_utf8() == 4 {
                    2
                } else {
                    1
                }
            }
            Encoding::Utf32 => 1,
        }
    }
}

/// Line starts and the non-ASCII characters of each line of one text.
///
/// Build it once per text version; every query is O(log lines + non-ASCII chars of the line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    len: usize,
    /// Byte offset of the start of each line; `line_starts[0] == 0`, never empty.
    line_starts: Vec<usize>,
    /// For each line, its non-ASCII characters in order (empty for ASCII-only lines).
    wide: Vec<Vec<WideChar>>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        let mut wide = vec![Vec::new()];
        let mut line_start = 0usize;
        for (offset, c) in text.char_indices() {
            if c == '\n' {
                line_start = offset + 1;
                line_starts.push(line_start);
                wide.push(Vec::new());
            } else if !c.is_ascii() {
                let start = to_u32(offset - line_start);
                let end = to_u32(offset + c.len_utf8() - line_start);
                if let Some(line) = wide.last_mut() {
                    line.push(WideChar { start, end });
                }
            }
        }
        LineIndex {
            len: text.len(),
            line_starts,
            wide,
        }
    }

    /// The length in bytes of the indexed text.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of lines: one more than the number of `\n` (an empty text has one line).
    pub fn line_count(&self) -> u32 {
        to_u32(self.line_starts.len())
    }

    /// The byte offset where `line` starts, `None` past the last line.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.line_starts.get(line as usize).copied()
    }

    /// The byte offset where `line`'s content ends: its `\n` (a CR before it is content), or
    /// the end of the text for the last line. `None` past the last line.
    pub fn line_end(&self, line: u32) -> Option<usize> {
        let line = line as usize;
        if line >= self.line_starts.len() {
            return None;
        }
        Some(match self.line_starts.get(line + 1) {
            Some(next) => next - 1,
            None => self.len,
        })
    }

    /// The position of a byte offset.
    ///
    /// An offset past the end of the text is clamped to the end. An offset inside a
    /// multi-byte character is taken as the start of that character (for every encoding, so
    /// the three columns always describe the same position).
    pub fn line_col(&self, offset: usize, encoding: Encoding) -> LineCol {
        let offset = offset.min(self.len);
        // `line_starts[0] == 0 <= offset`, so the partition point is at least 1.
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let line_start = self.line_starts.get(line).copied().unwrap_or(0);
        let mut byte_col = to_u32(offset - line_start);
        let wide = self.wide.get(line).map(Vec::as_slice).unwrap_or(&[]);
        // Snap an offset inside a character to the character's start.
        if let Some(c) = wide.iter().find(|c| c.start < byte_col && byte_col < c.end) {
            byte_col = c.start;
        }
        let mut col = byte_col;
        if encoding != Encoding::Utf8 {
            for c in wide.iter().take_while(|c| c.end <= byte_col) {
                col -= c.len_utf8() - c.len(encoding);
            }
        }
        LineCol {
            line: to_u32(line),
            col,
        }
    }

    /// The byte offset of a position.
    ///
    /// `None` when the line does not exist (`line >= line_count()`). A column past the end
    /// of the line is clamped to the line end (the `\n`, or the end of the text); a column
    /// in the middle of a character (the second unit of a surrogate pair, a byte inside a
    /// multi-byte UTF-8 sequence) maps to the start of that character.
    pub fn offset(&self, pos: LineCol, encoding: Encoding) -> Option<usize> {
        let line = pos.line as usize;
        let line_start = *self.line_starts.get(line)?;
        let line_end = self.line_end(pos.line)?;
        let line_len = to_u32(line_end - line_start);
        let wide = self.wide.get(line).map(Vec::as_slice).unwrap_or(&[]);

        // Walk the line: `byte` and `units` advance together over ASCII stretches and
        // over each wide character.
        let target = pos.col;
        let mut byte = 0u32;
        let mut units = 0u32;
        let mut result = None;
        // Invariant: `units <= target` at the top of each iteration.
        for c in wide {
            let ascii = c.start - byte;
            if target - units <= ascii {
                result = Some(byte + (target - units));
                break;
            }
            units += ascii;
            byte = c.start;
            let width = c.len(encoding);
            if target < units + width {
                // Inside this character.
                result = Some(c.start);
                break;
            }
            units += width;
            byte = c.end;
        }
        let byte_col = match result {
            Some(b) => b,
            None => byte.saturating_add(target.saturating_sub(units)),
        };
        Some(line_start + byte_col.min(line_len) as usize)
    }

    /// The start and end positions of a span (both clamped like [`LineIndex::line_col`]).
    pub fn range(&self, span: Span, encoding: Encoding) -> (LineCol, LineCol) {
        (
            self.line_col(span.start, encoding),
            self.line_col(span.end, encoding),
        )
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Encoding; 3] = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32];

    fn lc(line: u32, col: u32) -> LineCol {
        LineCol::new(line, col)
    }

    /// Every char boundary maps to a position and back to itself, in every encoding.
    fn assert_round_trip(text: &str) {
        let index = LineIndex::new(text);
        let boundaries = text.char_indices().map(|(i, _)| i).chain([text.len()]);
        for offset in boundaries {
            for enc in ALL {
                let pos = index.line_col(offset, enc);
                assert_eq!(
                    index.offset(pos, enc),
                    Some(offset),
                    "{text:?} offset {offset} {enc:?} {pos:?}"
                );
            }
        }
    }

    #[test]
    fn empty_text() {
        let index = LineIndex::new("");
        assert_eq!(index.line_count(), 1);
        assert!(index.is_empty());
        for enc in ALL {
            assert_eq!(index.line_col(0, enc), lc(0, 0));
            assert_eq!(index.line_col(10, enc), lc(0, 0));
            assert_eq!(index.offset(lc(0, 0), enc), Some(0));
            assert_eq!(index.offset(lc(0, 5), enc), Some(0));
            assert_eq!(index.offset(lc(1, 0), enc), None);
        }
        assert_eq!(index.line_end(0), Some(0));
        assert_eq!(index.line_end(1), None);
    }

    #[test]
    fn ascii_lines() {
        let text = "karmem demo;\nstruct A inline {\n}\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        for enc in ALL {
            assert_eq!(index.line_col(0, enc), lc(0, 0));
            assert_eq!(index.line_col(12, enc), lc(0, 12));
            assert_eq!(index.line_col(13, enc), lc(1, 0));
            assert_eq!(index.line_col(20, enc), lc(1, 7));
            assert_eq!(index.line_col(text.len(), enc), lc(3, 0));
            assert_eq!(index.offset(lc(1, 7), enc), Some(20));
            // Past the line end: clamped to the `\n`.
            assert_eq!(index.offset(lc(0, 100), enc), Some(12));
            assert_eq!(index.offset(lc(3, 100), enc), Some(text.len()));
            assert_eq!(index.offset(lc(4, 0), enc), None);
        }
        assert_round_trip(text);
    }

    #[test]
    fn offsets_past_the_end_clamp() {
        let index = LineIndex::new("ab\ncd");
        for enc in ALL {
            assert_eq!(index.line_col(5, enc), lc(1, 2));
            assert_eq!(index.line_col(usize::MAX, enc), lc(1, 2));
        }
    }

    #[test]
    fn non_ascii() {
        // é: 2 bytes, 1 UTF-16 unit; 天: 3 bytes, 1 unit.
        let text = "é天x\nyé";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(x, 5);
        assert_eq!(index.line_col(x, Encoding::Utf8), lc(0, 5));
        assert_eq!(index.line_col(x, Encoding::Utf16), lc(0, 2));
        assert_eq!(index.line_col(x, Encoding::Utf32), lc(0, 2));
        assert_eq!(index.offset(lc(0, 2), Encoding::Utf16), Some(5));
        assert_eq!(index.offset(lc(0, 1), Encoding::Utf32), Some(2));
        assert_eq!(index.offset(lc(0, 5), Encoding::Utf8), Some(5));
        // Second line: "yé", end at col 2 (chars) / 3 (bytes).
        assert_eq!(index.line_col(text.len(), Encoding::Utf32), lc(1, 2));
        assert_eq!(index.line_col(text.len(), Encoding::Utf8), lc(1, 3));
        assert_eq!(index.offset(lc(1, 9), Encoding::Utf32), Some(text.len()));
        assert_round_trip(text);
    }

    #[test]
    fn offset_inside_a_character_snaps_to_its_start() {
        let text = "a天b";
        let index = LineIndex::new(text);
        for enc in ALL {
            assert_eq!(index.line_col(2, enc), index.line_col(1, enc));
            assert_eq!(index.line_col(3, enc), index.line_col(1, enc));
        }
        assert_eq!(index.line_col(3, Encoding::Utf8), lc(0, 1));
        // A UTF-8 column inside the character maps to its start.
        assert_eq!(index.offset(lc(0, 2), Encoding::Utf8), Some(1));
        assert_eq!(index.offset(lc(0, 3), Encoding::Utf8), Some(1));
        assert_eq!(index.offset(lc(0, 4), Encoding::Utf8), Some(4));
    }

    #[test]
    fn surrogate_pairs() {
        // 😀 is U+1F600: 4 bytes, 2 UTF-16 units, 1 char.
        let text = "A😀B\n😀😀";
        let index = LineIndex::new(text);
        let b = text.find('B').unwrap();
        assert_eq!(b, 5);
        assert_eq!(index.line_col(b, Encoding::Utf8), lc(0, 5));
        assert_eq!(index.line_col(b, Encoding::Utf16), lc(0, 3));
        assert_eq!(index.line_col(b, Encoding::Utf32), lc(0, 2));
        assert_eq!(index.offset(lc(0, 3), Encoding::Utf16), Some(5));
        assert_eq!(index.offset(lc(0, 2), Encoding::Utf32), Some(5));
        // The low surrogate's column is inside the emoji: its start.
        assert_eq!(index.offset(lc(0, 2), Encoding::Utf16), Some(1));
        // Second line: two emoji.
        let second = b + 2;
        assert_eq!(index.line_col(second + 4, Encoding::Utf16), lc(1, 2));
        assert_eq!(index.line_col(second + 8, Encoding::Utf16), lc(1, 4));
        assert_eq!(index.offset(lc(1, 3), Encoding::Utf16), Some(second + 4));
        assert_eq!(index.offset(lc(1, 4), Encoding::Utf16), Some(second + 8));
        assert_eq!(index.offset(lc(1, 2), Encoding::Utf32), Some(second + 8));
        assert_eq!(index.offset(lc(1, 99), Encoding::Utf16), Some(text.len()));
        assert_round_trip(text);
    }

    #[test]
    fn crlf_line_endings() {
        let text = "karmem demo;\r\nstruct A inline { X é; }\r\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        let x = text.find('X').unwrap();
        for enc in ALL {
            assert_eq!(index.line_col(x, enc), lc(1, 18));
            // The CR is content: column 12 of line 0; the LF ends the line.
            assert_eq!(index.line_col(12, enc), lc(0, 12));
            assert_eq!(index.line_col(13, enc), lc(0, 13));
            assert_eq!(index.offset(lc(0, 13), enc), Some(13));
            assert_eq!(index.offset(lc(0, 50), enc), Some(13));
        }
        assert_eq!(index.line_end(0), Some(13));
        assert_round_trip(text);
    }

    #[test]
    fn byte_order_mark_is_an_ordinary_character() {
        let text = "\u{FEFF}karmem demo;\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(3, Encoding::Utf8), lc(0, 3));
        assert_eq!(index.line_col(3, Encoding::Utf16), lc(0, 1));
        assert_eq!(index.line_col(3, Encoding::Utf32), lc(0, 1));
        assert_eq!(index.offset(lc(0, 1), Encoding::Utf16), Some(3));
        assert_eq!(index.line_col(1, Encoding::Utf16), lc(0, 0));
        assert_round_trip(text);
    }

    #[test]
    fn spans() {
        let text = "ab\ncdé\n";
        let index = LineIndex::new(text);
        let (start, end) = index.range(Span::new(1, 7), Encoding::Utf32);
        assert_eq!(start, lc(0, 1));
        assert_eq!(end, lc(1, 3));
        let (start, end) = index.range(Span::new(usize::MAX, usize::MAX), Encoding::Utf16);
        assert_eq!(start, lc(2, 0));
        assert_eq!(end, lc(2, 0));
    }

    #[test]
    fn never_panics_on_any_position() {
        let text = "a😀\r\né\n\u{FEFF}x";
        let index = LineIndex::new(text);
        for line in 0..6 {
            for col in [0, 1, 2, 3, 4, 5, 100, u32::MAX - 1, u32::MAX] {
                for enc in ALL {
                    if let Some(offset) = index.offset(lc(line, col), enc) {
                        assert!(
                            text.is_char_boundary(offset),
                            "{line}:{col} {enc:?} -> {offset}"
                        );
                    } else {
                        assert!(line >= index.line_count());
                    }
                }
            }
        }
        for offset in 0..text.len() + 3 {
            for enc in ALL {
                let pos = index.line_col(offset, enc);
                assert!(index.offset(pos, enc).is_some());
            }
        }
        assert_round_trip(text);
    }
}
