//! Lexer: source text → tokens, trivia included.
//!
//! The lexer is lossless: concatenating the text of every token gives back the input.
//! Whitespace, line breaks and comments are kept as trivia tokens so that the formatter can
//! keep comments and the validator can check the places where upstream is sensitive to
//! spacing (`A=1;`, `enum\tX`, a field split over two lines).
//!
//! Names are lexed liberally (ASCII letters, digits, `_` and any non-ASCII character that is
//! not white space); which characters a name may really contain is decided later, with
//! Go's Unicode 13 classes (see [`crate::chars`]), so that a bad character gets a precise
//! message instead of a generic "unexpected token".

use logos::Logos;

use crate::Span;

/// The kind of a token. Trivia kinds are listed first.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A UTF-8 byte-order mark at the very start of the file.
    Bom,
    /// Spaces and tabs (upstream's `SP` class).
    #[regex(r"[ \t]+")]
    Blank,
    /// A line feed.
    #[token("\n")]
    Newline,
    /// Any other Unicode white space (CR, VT, FF, NEL, NBSP, …). Upstream treats these like a
    /// line break: allowed between declarations and items, nowhere else.
    #[regex(r"[\r\x0B\x0C\u{85}\u{A0}\u{1680}\u{2000}-\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}]+")]
    OtherSpace,
    /// `/// text`: a documentation comment (our extension, policy.md §2).
    #[regex(r"///([^/\r\n][^\r\n]*)?", allow_greedy = true, priority = 5)]
    DocComment,
    /// `// text`: a line comment (our extension). `////…` is a plain comment. A comment
    /// ends before a CR, so the CR of a CRLF line ending stays white space.
    #[regex(r"//[^\r\n]*", allow_greedy = true, priority = 2)]
    LineComment,

    /// `karmem`
    #[token("karmem")]
    KwKarmem,
    /// `enum`
    #[token("enum")]
    KwEnum,
    /// `struct`
    #[token("struct")]
    KwStruct,
    /// `inline`
    #[token("inline")]
    KwInline,
    /// `table`
    #[token("table")]
    KwTable,
    /// A name. Keywords are not reserved in upstream's grammar; the parser accepts a keyword
    /// token wherever a name may stand, and validation explains why it is wrong there.
    #[regex(r"[A-Za-z_\u{80}-\u{84}\u{86}-\u{9F}\u{A1}-\u{167F}\u{1681}-\u{1FFF}\u{200B}-\u{2027}\u{202A}-\u{202E}\u{2030}-\u{205E}\u{2060}-\u{2FFF}\u{3001}-\u{10FFFF}][0-9A-Za-z_\u{80}-\u{84}\u{86}-\u{9F}\u{A1}-\u{167F}\u{1681}-\u{1FFF}\u{200B}-\u{2027}\u{202A}-\u{202E}\u{2030}-\u{205E}\u{2060}-\u{2FFF}\u{3001}-\u{10FFFF}]*")]
    Ident,
    /// ASCII decimal digits.
    #[regex(r"[0-9]+")]
    Number,
    /// `@name`: the start of a tag, name included (letters and dots).
    #[regex(r"@[A-Za-z.\u{80}-\u{84}\u{86}-\u{9F}\u{A1}-\u{167F}\u{1681}-\u{1FFF}\u{200B}-\u{2027}\u{202A}-\u{202E}\u{2030}-\u{205E}\u{2060}-\u{2FFF}\u{3001}-\u{10FFFF}]*")]
    TagName,
    /// A back-quoted piece of a tag value, quotes included.
    #[regex(r"`[^`\n]*`")]
    Quoted,
    /// A back-quote with no closing back-quote on the same line.
    #[regex(r"`[^`\n]*", priority = 1)]
    UnterminatedQuoted,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token(";")]
    Semi,
    #[token("=")]
    Eq,
    #[token("<")]
    Lt,
    /// A NUL byte. Upstream stops reading there; we report it.
    #[token("\0")]
    Nul,
    /// Any character no other rule accepts.
    Unknown,
}

impl TokenKind {
    /// Whitespace and comments: kept in the token list, skipped by the parser.
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            TokenKind::Bom
                | TokenKind::Blank
                | TokenKind::Newline
                | TokenKind::OtherSpace
                | TokenKind::DocComment
                | TokenKind::LineComment
        )
    }

    /// A comment of either kind.
    pub fn is_comment(self) -> bool {
        matches!(self, TokenKind::DocComment | TokenKind::LineComment)
    }

    /// How the token is described in messages ("expected `;`, found a number").
    pub fn describe(self) -> &'static str {
        match self {
            TokenKind::Bom => "a byte-order mark",
            TokenKind::Blank => "a space",
            TokenKind::Newline | TokenKind::OtherSpace => "a line break",
            TokenKind::DocComment | TokenKind::LineComment => "a comment",
            TokenKind::KwKarmem => "`karmem`",
            TokenKind::KwEnum => "`enum`",
            TokenKind::KwStruct => "`struct`",
            TokenKind::KwInline => "`inline`",
            TokenKind::KwTable => "`table`",
            TokenKind::Ident => "a name",
            TokenKind::Number => "a number",
            TokenKind::TagName => "a tag",
            TokenKind::Quoted | TokenKind::UnterminatedQuoted => "a back-quoted value",
            TokenKind::LBrace => "`{`",
            TokenKind::RBrace => "`}`",
            TokenKind::LBracket => "`[`",
            TokenKind::RBracket => "`]`",
            TokenKind::LParen => "`(`",
            TokenKind::RParen => "`)`",
            TokenKind::Semi => "`;`",
            TokenKind::Eq => "`=`",
            TokenKind::Lt => "`<`",
            TokenKind::Nul => "a NUL byte",
            TokenKind::Unknown => "an unexpected character",
        }
    }
}

/// One token: its kind and its byte range in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// Splits `text` into tokens. Never fails: characters no rule accepts become
/// [`TokenKind::Unknown`] tokens (one per character), and the result covers the whole text.
pub fn lex(text: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 2 + 16);
    let mut start = 0;
    if text.starts_with('\u{FEFF}') {
        tokens.push(Token {
            kind: TokenKind::Bom,
            span: Span::new(0, 3),
        });
        start = 3;
    }
    let mut lexer = TokenKind::lexer(&text[start..]);
    while let Some(result) = lexer.next() {
        let range = lexer.span();
        let span = Span::new(range.start + start, range.end + start);
        match result {
            Ok(kind) => tokens.push(Token { kind, span }),
            Err(()) => {
                // Split an unrecognised run into single characters so each gets its own token.
                let mut offset = span.start;
                for ch in text[span.start..span.end].chars() {
                    let end = offset + ch.len_utf8();
                    tokens.push(Token {
                        kind: TokenKind::Unknown,
                        span: Span::new(offset, end),
                    });
                    offset = end;
                }
            }
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        lex(text).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn lexing_is_lossless() {
        let text = "\u{FEFF}karmem a @k(`x y`);\r\n/// doc\nstruct 名前 inline { X [<3]uint8; } // c\n\0 ~";
        let tokens = lex(text);
        let mut rebuilt = String::new();
        let mut at = 0;
        for t in &tokens {
            assert_eq!(t.span.start, at, "tokens must be contiguous");
            rebuilt.push_str(&text[t.span.start..t.span.end]);
            at = t.span.end;
        }
        assert_eq!(rebuilt, text);
    }

    #[test]
    fn kinds_of_a_field_line() {
        use TokenKind::*;
        assert_eq!(
            kinds("X [<3]uint8 @a.b(`v`);"),
            vec![
                Ident, Blank, LBracket, Lt, Number, RBracket, Ident, Blank, TagName, LParen,
                Quoted, RParen, Semi
            ]
        );
    }

    #[test]
    fn keywords_only_as_whole_words() {
        use TokenKind::*;
        assert_eq!(
            kinds("struct structs enum Table table"),
            vec![KwStruct, Blank, Ident, Blank, KwEnum, Blank, Ident, Blank, KwTable]
        );
    }

    #[test]
    fn comments_and_odd_spaces() {
        use TokenKind::*;
        assert_eq!(
            kinds("/// d\n// c\n//// c\r\n\u{A0}"),
            vec![
                DocComment,
                Newline,
                LineComment,
                Newline,
                LineComment,
                OtherSpace,
                Newline,
                OtherSpace
            ]
        );
    }

    #[test]
    fn unterminated_quote_stops_at_line_end() {
        use TokenKind::*;
        assert_eq!(
            kinds("@a(`x\n"),
            vec![TagName, LParen, UnterminatedQuoted, Newline]
        );
    }

    #[test]
    fn unknown_characters_are_single_tokens() {
        use TokenKind::*;
        assert_eq!(kinds("-#"), vec![Unknown, Unknown]);
    }
}
