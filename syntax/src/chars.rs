//! Go's Unicode character classes, as upstream uses them (language.md §1).
//!
//! Upstream classifies runes with Go 1.19's `unicode` package, i.e. Unicode 13.0. Rust's
//! `char` methods follow a newer Unicode and use different properties (`is_alphabetic`
//! includes letter numbers and marks, `is_lowercase` includes `ª`), so the General Category
//! is taken from a table pinned to Unicode 13.0 (`unicode-general-category` 0.4).

use unicode_general_category::{get_general_category, GeneralCategory as Gc};

/// Go's `unicode.IsLetter`: General Category L.
pub fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    matches!(
        get_general_category(c),
        Gc::UppercaseLetter
            | Gc::LowercaseLetter
            | Gc::TitlecaseLetter
            | Gc::ModifierLetter
            | Gc::OtherLetter
    )
}

/// Go's `unicode.IsLower`: General Category Ll.
pub fn is_lower(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_lowercase();
    }
    get_general_category(c) == Gc::LowercaseLetter
}

/// Go's `unicode.IsNumber`: General Category N.
pub fn is_number(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    matches!(
        get_general_category(c),
        Gc::DecimalNumber | Gc::LetterNumber | Gc::OtherNumber
    )
}

/// Space or tab: the only blanks upstream accepts inside a line.
pub fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// White space other than space and tab: upstream treats it like a line break.
pub fn is_break(c: char) -> bool {
    c.is_whitespace() && !is_blank(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_go() {
        assert!(is_letter('名') && !is_lower('名'));
        assert!(is_letter('ǅ') && !is_lower('ǅ'));
        // U+00AA is Lo: a letter, but not lower-case for Go (Rust says lower-case).
        assert!(is_letter('ª') && !is_lower('ª'));
        // Roman numeral twelve is Nl: a number, not a letter.
        assert!(is_number('Ⅻ') && !is_letter('Ⅻ'));
        assert!(is_number('٣') && is_number('½'));
        // Unicode 14 addition: unassigned in Unicode 13, so not a letter for upstream.
        assert!(!is_letter('\u{0870}'));
        assert!(!is_letter('_') && !is_number('_'));
    }
}
