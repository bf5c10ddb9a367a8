//! The diagnostics catalogue: one stable code per kind of problem.
//!
//! Every diagnostic the analyzer emits is built from a [`Code`], so an unknown code cannot
//! be written. Each code has a default severity, a one-line summary and an example; the
//! documentation page `docs/diagnostics.md` is rendered from this table ([`render_docs`])
//! and a test keeps the committed page in sync and checks every example emits its code.

use crate::Span;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A suggestion; hidden by the CLI unless asked for.
    Hint,
    /// Accepted by every tool, but probably not what was meant.
    Warning,
    /// The schema is rejected (upstream rejects it too, or policy.md §3 makes us stricter).
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A replacement of the text in `span` by `new_text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub span: Span,
    pub new_text: String,
}

/// A suggested fix: a title for the editor's quick-fix menu and the edits it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<TextEdit>,
}

/// A secondary location, e.g. "first declared here".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// One problem found in a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub span: Span,
    pub message: String,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            span,
            message: message.into(),
            related: Vec::new(),
            fix: None,
        }
    }

    /// Adds a secondary location.
    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a fix made of one edit.
    pub fn with_fix(
        self,
        title: impl Into<String>,
        span: Span,
        new_text: impl Into<String>,
    ) -> Self {
        self.with_fix_edits(
            title,
            vec![TextEdit {
                span,
                new_text: new_text.into(),
            }],
        )
    }

    /// Adds a fix made of several edits.
    pub fn with_fix_edits(mut self, title: impl Into<String>, edits: Vec<TextEdit>) -> Self {
        self.fix = Some(Fix {
            title: title.into(),
            edits,
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $variant:ident = $num:literal, $sev:ident, $summary:literal, $example:literal; )*) => {
        /// A diagnostic code. The numbers are stable: never renumber or reuse one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed: `KM0001`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => concat!("KM", $num), )* }
            }

            /// The severity diagnostics of this code have.
            pub fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            /// One line saying what the code is about.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }

            /// A complete schema that produces this diagnostic.
            pub fn example(self) -> &'static str {
                match self { $( Code::$variant => $example, )* }
            }
        }
    };
}

catalogue! {
    /// The parser met a token it did not expect.
    Syntax = "0001", Error, "syntax error: a token that does not fit here",
        "karmem demo;\nstruct A inline { X uint8 = 1; }\n";
    /// A character that is not part of the language.
    UnexpectedChar = "0002", Error, "a character that is not part of the language",
        "karmem demo;\nstruct A inline { X uint8; } #\n";
    /// A NUL byte in the file (upstream silently stops reading there).
    NulByte = "0003", Error, "a NUL byte in the file",
        "karmem demo;\nstruct A inline { X uint8; }\n\0";
    /// Something required is missing (`;`, `}`, `)`, a type, a name).
    Missing = "0004", Error, "something required is missing (`;`, `}`, a type, a name)",
        "karmem demo;\nstruct A inline { X uint8 }\n";
    /// The file does not start with the `karmem` header.
    Header = "0005", Error, "the file must start with `karmem <name>;`",
        "\nkarmem demo;\nstruct A inline { X uint8; }\n";
    /// Spacing that upstream's reader does not accept (one space after `karmem`, `enum` and
    /// `struct`; a space between a name and what follows it).
    Spacing = "0006", Error, "spacing that the upstream toolchain rejects",
        "karmem demo;\nenum E uint8 { A=0; }\n";
    /// A field, an enum value or a declaration head split over several lines.
    LineBreak = "0007", Error, "a field, enum value or declaration head must be on one line",
        "karmem demo;\nstruct A inline\n{ X uint8; }\n";
    /// A tag written where upstream does not accept one, or a malformed tag.
    TagSyntax = "0008", Error, "a malformed tag, or a tag where none is allowed",
        "karmem demo;\nstruct A inline { X uint8 @doc(two words); }\n";
    /// A comment in a schema that must build with the upstream toolchain.
    CommentNotPortable = "0009", Error, "comments are not accepted by the upstream toolchain",
        "karmem demo;\n// upstream-compatible mode is on\nstruct A inline { X uint8; }\n";
    /// A name that starts with a lower-case letter.
    LowercaseName = "0100", Error, "names of types, fields and values must not start lower-case",
        "karmem demo;\nstruct A inline { x uint8; }\n";
    /// A name with a character that names cannot contain.
    InvalidName = "0101", Error, "a name with a character it cannot contain",
        "karmem demo;\nenum Color2 uint8 { Red; }\n";
    /// Two types with the same name.
    DuplicateType = "0102", Error, "two declarations with the same name",
        "karmem demo;\nstruct A inline { X uint8; }\nstruct A inline { Y uint8; }\n";
    /// Two fields of one struct with the same name.
    DuplicateField = "0103", Error, "two fields of one struct with the same name",
        "karmem demo;\nstruct A inline { X uint8; X uint16; }\n";
    /// Two values of one enum with the same name.
    DuplicateValue = "0104", Error, "two values of one enum with the same name",
        "karmem demo;\nenum E uint8 { A; A; }\n";
    /// A type name that names no primitive and no earlier declaration.
    UnknownType = "0200", Error, "a type that is not a primitive or an earlier declaration",
        "karmem demo;\nstruct A inline { X B; }\nstruct B inline { Y uint8; }\n";
    /// An enum or a table used as the element of an array or slice.
    ArrayOfEnumOrTable = "0201", Error, "enums and tables cannot be array or slice elements",
        "karmem demo;\nstruct T table { X uint8; }\nstruct A table { Y []T; }\n";
    /// An array length or slice limit that is not a 32-bit decimal number.
    InvalidLength = "0202", Error, "an array length or slice limit that is not a 32-bit number",
        "karmem demo;\nstruct A inline { X [99999999999]uint8; }\n";
    /// A struct whose size does not fit in 32 bits.
    SizeOverflow = "0203", Error, "a struct larger than the format's 2^32 − 1 byte limit",
        "karmem demo;\nstruct A inline @packed() { X [4294967295]uint16; }\n";
    /// An enum base that is not one of the eight integer types.
    InvalidEnumBase = "0300", Error, "an enum base type that is not an integer type",
        "karmem demo;\nenum E byte { A; }\n";
    /// An enum value that does not fit its base type.
    EnumValueRange = "0301", Error, "an enum value that does not fit the base type",
        "karmem demo;\nenum E int8 { A; B = 128; }\n";
    /// An enum with no value written or computed as exactly `0`.
    EnumNoZero = "0302", Error, "an enum needs a value that is exactly 0",
        "karmem demo;\nenum E uint8 { A = 1; B = 2; }\n";
    /// An enum or struct with no values or fields.
    Empty = "0303", Error, "an enum or struct with no values or fields",
        "karmem demo;\nstruct A inline { }\n";
    /// A struct class that is not `inline` or `table`.
    InvalidClass = "0400", Error, "a struct class that is not `inline` or `table`",
        "karmem demo;\nstruct A { X uint8; }\n";
    /// A `@packed` value other than empty, `true` or `false`.
    InvalidPacked = "0401", Error, "`@packed` takes no value, `true` or `false`",
        "karmem demo;\nstruct A inline @packed(maybe) { X uint8; }\n";
    /// An `@id` value that is not a decimal 64-bit number.
    InvalidId = "0402", Error, "`@id` takes a decimal 64-bit number",
        "karmem demo;\nstruct A inline @id(abc) { X uint8; }\n";
    /// Spaces inside a type name (`uint 8`): accepted, but surely a typo.
    SpacedType = "1001", Warning, "spaces inside a type",
        "karmem demo;\nstruct A inline { X uint 8; }\n";
    /// `char` outside a slice: upstream's generators emit broken code for it.
    CharOutsideSlice = "1002", Warning, "`char` is meant for strings (`[]char`, `[<N]char`)",
        "karmem demo;\nstruct A inline { X char; }\n";
    /// `[0]T` or `[<0]T`: the field can hold no data.
    ZeroLength = "1003", Warning, "an array or slice limit of zero holds no data",
        "karmem demo;\nstruct A inline { X [0]uint8; }\n";
    /// Two values of one enum with the same number.
    DuplicateEnumNumber = "1004", Warning, "two values of one enum with the same number",
        "karmem demo;\nenum E uint8 { A; B = 0; }\n";
    /// Two structs with the same id.
    DuplicateId = "1005", Warning, "two structs with the same id",
        "karmem demo;\nstruct A inline @id(1) { X uint8; }\nstruct B inline @id(1) { X uint8; }\n";
    /// A non-packed inline struct carries padding bytes.
    Padding = "2001", Hint, "padding bytes in a non-packed inline struct",
        "karmem demo;\nstruct A inline { X uint32; }\n";
    /// An unbounded slice in a table: a message can make a reader allocate without limit.
    UnboundedSlice = "2002", Hint, "an unbounded slice in a table",
        "karmem demo;\nstruct A table { X []uint8; }\n";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or(())
    }
}

/// Renders `docs/diagnostics.md` from the catalogue. `describe` gives, for each code's
/// example, the message the analyzer produces for it (so the page shows real output).
pub fn render_docs(describe: impl Fn(Code) -> String) -> String {
    let mut out = String::from(
        "# Diagnostics\n\n\
         Every diagnostic `karmem check` and the language server report has a stable code.\n\
         Errors mean the schema is rejected (by the upstream toolchain too, or by our stricter\n\
         rules of `policy.md` §3); warnings and hints never fail a build unless\n\
         `--deny-warnings` is given. Hints are shown by the editor and by `karmem check --hints`.\n\n\
         This page is generated from `syntax/src/diagnostics.rs`; a test keeps it in sync.\n\n\
         | code | severity | summary |\n|---|---|---|\n",
    );
    for code in Code::ALL {
        let anchor = code.as_str().to_lowercase();
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} |\n",
            code.as_str(),
            anchor,
            code.severity().as_str(),
            code.summary()
        ));
    }
    for code in Code::ALL {
        out.push_str(&format!(
            "\n## {}\n\n{} ({}).\n\nExample:\n\n```km\n{}```\n\nReported as: {}\n",
            code.as_str(),
            capitalise(code.summary()),
            code.severity().as_str(),
            code.example().replace('\0', "␀"),
            describe(*code)
        ));
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
