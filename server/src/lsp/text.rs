//! The text of an open document: a rope edited in place by incremental `didChange` events.
//!
//! Positions in an edit are in the negotiated [`Encoding`] and follow the rules of
//! [`karmem_syntax::line_index`], so an edit lands exactly where a request at the same
//! position would point: lines split on `\n` only (a `\r` is content, a BOM is an ordinary
//! character), a column past the end of its line is the line end, a column inside a
//! character (the low half of a surrogate pair, a byte inside a UTF-8 sequence) is the start
//! of that character. A line past the end of the text is the end of the text. The rope is
//! built without ropey's `cr_lines`/`unicode_lines` features, so its lines are the same.
//!
//! Nothing here panics: ropey's fallible `try_*` methods are used and every index is
//! clamped first.

use karmem_syntax::line_index::Encoding;
use ropey::Rope;

/// A position as the client sends it: 0-based line, column in some encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// The char index in `rope` of a client position (clamped, see the module documentation).
pub fn char_index(rope: &Rope, pos: Pos, encoding: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let line_start = rope.line_to_char(line);
    let slice = rope.line(line);
    let mut content_chars = slice.len_chars();
    if content_chars > 0 && slice.char(content_chars - 1) == '\n' {
        content_chars -= 1;
    }
    let col = pos.col as usize;
    let in_line = match encoding {
        Encoding::Utf32 => col.min(content_chars),
        Encoding::Utf16 => {
            let units = slice.char_to_utf16_cu(content_chars);
            slice.utf16_cu_to_char(col.min(units))
        }
        Encoding::Utf8 => {
            let bytes = slice.char_to_byte(content_chars);
            slice.byte_to_char(col.min(bytes))
        }
    };
    line_start + in_line.min(content_chars)
}

/// One change of a `didChange` notification.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// `None` replaces the whole text.
    pub range: Option<(Pos, Pos)>,
    pub text: &'a str,
}

/// Applies `change` to `rope`. A range whose end is before its start is taken in order.
pub fn apply(rope: &mut Rope, change: &Change<'_>, encoding: Encoding) -> Result<(), String> {
    match change.range {
        None => {
            *rope = Rope::from_str(change.text);
            Ok(())
        }
        Some((start, end)) => {
            let a = char_index(rope, start, encoding);
            let b = char_index(rope, end, encoding);
            let (a, b) = (a.min(b), a.max(b));
            if a < b {
                rope.try_remove(a..b).map_err(|e| e.to_string())?;
            }
            if !change.text.is_empty() {
                rope.try_insert(a, change.text).map_err(|e| e.to_string())?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use karmem_syntax::line_index::{LineCol, LineIndex};

    const ALL: [Encoding; 3] = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32];

    /// Every position (including ones past line ends and inside characters) maps to the
    /// same byte offset as `LineIndex::offset`.
    #[test]
    fn agrees_with_line_index() {
        for text in [
            "",
            "abc",
            "a😀b\r\né天\n\u{FEFF}x\n",
            "\n\n",
            "karmem demo;\r\nstruct A inline { X é; }\r\n",
            "\t😀😀\té\n\r\r\n",
        ] {
            let rope = Rope::from_str(text);
            let index = LineIndex::new(text);
            for line in 0..index.line_count() {
                for col in 0..12 {
                    for enc in ALL {
                        let expected = index.offset(LineCol::new(line, col), enc).unwrap();
                        let got = rope.char_to_byte(char_index(&rope, Pos { line, col }, enc));
                        assert_eq!(got, expected, "{text:?} {line}:{col} {enc:?}");
                    }
                }
            }
            for enc in ALL {
                let past = char_index(&rope, Pos { line: 99, col: 0 }, enc);
                assert_eq!(past, rope.len_chars());
            }
        }
    }

    #[test]
    fn edits() {
        let mut rope = Rope::from_str("a😀b\nc");
        let change = Change {
            range: Some((Pos { line: 0, col: 3 }, Pos { line: 1, col: 0 })),
            text: "X",
        };
        apply(&mut rope, &change, Encoding::Utf16).unwrap();
        assert_eq!(rope.to_string(), "a😀Xc");
        let change = Change {
            range: Some((Pos { line: 0, col: 5 }, Pos { line: 0, col: 1 })),
            text: "",
        };
        apply(&mut rope, &change, Encoding::Utf8).unwrap();
        assert_eq!(rope.to_string(), "aXc");
        let change = Change {
            range: None,
            text: "new",
        };
        apply(&mut rope, &change, Encoding::Utf8).unwrap();
        assert_eq!(rope.to_string(), "new");
    }
}
