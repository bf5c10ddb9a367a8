//! The fidelity policy (`policy.md`) case by case: what upstream rejects we reject (with
//! our own code), the quirks upstream accepts that we reject on purpose (§3), and what we
//! accept with a warning (§4). Inputs follow `language.md` §9–§10.

use karmem_syntax::{analyze, AnalysisOptions, Code, Severity};

/// The codes of every diagnostic at `severity` or above.
fn codes(text: &str, at_least: Severity) -> Vec<Code> {
    analyze(text, &AnalysisOptions::default())
        .diagnostics
        .into_iter()
        .filter(|d| d.severity >= at_least)
        .map(|d| d.code)
        .collect()
}

fn body(decls: &str) -> String {
    format!("karmem a;\n{decls}\n")
}

#[track_caller]
fn rejected_with(text: &str, code: Code) {
    let errors = codes(text, Severity::Error);
    assert!(
        errors.contains(&code),
        "{text:?}: expected {code}, got {errors:?}"
    );
}

#[track_caller]
fn accepted(text: &str) {
    let errors = codes(text, Severity::Error);
    assert!(
        errors.is_empty(),
        "{text:?}: expected no errors, got {errors:?}"
    );
}

#[test]
fn upstream_rejections_are_errors() {
    rejected_with("karmem demo2;\n", Code::InvalidName);
    rejected_with(&body("enum E2 uint8 { A; }"), Code::InvalidName);
    rejected_with(&body("enum E byte { A; }"), Code::InvalidEnumBase);
    rejected_with(&body("enum E uint8 { A=1; B = 0; }"), Code::Spacing);
    rejected_with(&body("enum E uint8 { A = 1; B = 2; }"), Code::EnumNoZero);
    rejected_with(&body("enum E int8 { A; B = 128; }"), Code::EnumValueRange);
    rejected_with(&body("enum E int8 { A; B = -1; }"), Code::UnexpectedChar);
    rejected_with(&body("enum\tX uint8 { A; }"), Code::Spacing);
    rejected_with(&body("struct\tX inline { A uint8; }"), Code::Spacing);
    rejected_with(&body("struct A { X uint8; }"), Code::InvalidClass);
    rejected_with(&body("struct A inline {}"), Code::Empty);
    rejected_with(
        &body("struct xAbc inline { X uint8; }"),
        Code::LowercaseName,
    );
    rejected_with(
        &body("struct A inline { X B; }\nstruct B inline { Y uint8; }"),
        Code::UnknownType,
    );
    rejected_with(&body("struct A table { X A; }"), Code::UnknownType);
    rejected_with(
        &body("struct A inline { X uint8; X uint16; }"),
        Code::DuplicateField,
    );
    rejected_with(
        &body("struct A table { X uint8; }\nstruct B table { Y [2]A; }"),
        Code::ArrayOfEnumOrTable,
    );
    rejected_with(
        &body("enum E uint8 { A; }\nstruct B table { Y []E; }"),
        Code::ArrayOfEnumOrTable,
    );
    rejected_with(
        &body("struct A inline { X [99999999999]uint8; }"),
        Code::InvalidLength,
    );
    rejected_with(
        &body("struct A inline @id(abc) { X uint8; }"),
        Code::InvalidId,
    );
    rejected_with(
        &body("struct A inline @packed(maybe) { X uint8; }"),
        Code::InvalidPacked,
    );
    rejected_with(&body("struct A inline \n{ X uint8; }"), Code::LineBreak);
    rejected_with(&body("struct A inline { X\n uint8; }"), Code::LineBreak);
    rejected_with(&body("// comment").replace("karmem a;\n", ""), Code::Header);
    rejected_with(&body("struct A inline { X uint8; }\nxyz"), Code::Syntax);
    rejected_with(&body("struct A inline { X uint8;"), Code::Missing);
    rejected_with(
        &body("struct A inline { X [4]uint8 @doc(a b); }"),
        Code::TagSyntax,
    );
    rejected_with(
        &body("struct A inline { X uint8 @doc(a_b); }"),
        Code::TagSyntax,
    );
    rejected_with(
        &body("struct A inline { X uint8 @doc(`a)b`); }"),
        Code::TagSyntax,
    );
    rejected_with(
        &body("struct A inline { X uint8; }\nstruct A table { Y uint8; }"),
        Code::DuplicateType,
    );
    rejected_with(&body("struct A inline { X[4]uint8; }"), Code::Spacing);
    rejected_with(&body("struct A inline { X_Y uint8; }"), Code::InvalidName);
    rejected_with(&body("struct A inline { X [][]uint8; }"), Code::Syntax);
    // Q10: the last value of an enum is checked against earlier types.
    rejected_with(
        &body("enum E uint8 {A;}\nenum F uint8 {X; E;}"),
        Code::DuplicateType,
    );
    rejected_with(" karmem a;\n", Code::Header);
    rejected_with("karmem a demo;\n", Code::Syntax);
    rejected_with("karmem a@packed();\n", Code::Spacing);
    rejected_with("karmem a\n;\n", Code::LineBreak);
    rejected_with("", Code::Header);
}

#[test]
fn stricter_than_upstream() {
    // Q1, Q2: truncated files and NUL bytes.
    rejected_with("karmem", Code::Missing);
    rejected_with("karmem a @x(", Code::TagSyntax);
    rejected_with(&body("struct A inline @foo(x"), Code::Syntax);
    rejected_with(
        &body("struct A inline { X uint8; }\0garbage"),
        Code::NulByte,
    );
    // Q3, Q4: the header is `karmem` + one space + a name.
    rejected_with("karmemXdemo;\n", Code::Syntax);
    rejected_with("karmem  demo;\n", Code::Spacing);
    rejected_with("karmem ;\n", Code::Missing);
    // Q7
    rejected_with(&body("struct A inline { X [5<3]uint8; }"), Code::Syntax);
    rejected_with(&body("struct A inline { X [<3]<uint8; }"), Code::Syntax);
    // Q8: other enum value spellings.
    for value in ["A 1;", "A == 1;", "A = ;", "A = 1 2;"] {
        let text = body(&format!("enum E uint8 {{ Z; {value} }}"));
        assert!(
            !codes(&text, Severity::Error).is_empty(),
            "{text:?} accepted"
        );
    }
    // Q9, Q11: duplicate type names of any kind.
    rejected_with(
        &body("enum E uint8 {A;}\nenum E uint16 {B;}"),
        Code::DuplicateType,
    );
    rejected_with(
        &body("enum E uint8 {A;}\nstruct E inline { X uint8; }"),
        Code::DuplicateType,
    );
    // Q13: a tag between a field name and its type.
    rejected_with(&body("struct A inline { X @t()uint8; }"), Code::Syntax);
    // Q15: sizes over 32 bits.
    rejected_with(
        &body("struct A inline { X [4294967295]uint8; }"),
        Code::SizeOverflow,
    );
    rejected_with(
        &body("struct A inline { X [2147483648]uint16; }"),
        Code::SizeOverflow,
    );
}

#[test]
fn accepted_with_warnings() {
    let spaced = body("struct A inline @packed() { X uint 8; Y [ 5 ] uint8; }");
    accepted(&spaced);
    assert_eq!(
        codes(&spaced, Severity::Warning),
        [Code::SpacedType, Code::SpacedType]
    );
    let char_field = body("struct A inline @packed() { X char; Y [4]char; Z []char; }");
    assert_eq!(
        codes(&char_field, Severity::Warning),
        [Code::CharOutsideSlice, Code::CharOutsideSlice]
    );
    let zero = body("struct A inline @packed() { X [0]uint8; Y [<0]uint8; }");
    assert_eq!(
        codes(&zero, Severity::Warning),
        [Code::ZeroLength, Code::ZeroLength]
    );
    let dup_values = body("enum E uint8 { A; B = 0; }");
    assert_eq!(
        codes(&dup_values, Severity::Warning),
        [Code::DuplicateEnumNumber]
    );
    let dup_ids = body("struct A inline @packed() @id(1) { X uint8; }\nstruct B inline @packed() @id(1) { X uint8; }");
    assert_eq!(codes(&dup_ids, Severity::Warning), [Code::DuplicateId]);
    let hints = body("struct A inline { X uint8; }\nstruct T table { Y []uint8; }");
    assert_eq!(
        codes(&hints, Severity::Hint),
        [Code::Padding, Code::UnboundedSlice]
    );
}

#[test]
fn accepted_forms() {
    accepted("karmem demo;\n");
    accepted("\u{FEFF}karmem demo;\r\nstruct A inline { X uint8; }\r\n");
    accepted("karmem demo @packed(true) @key(`天地 玄黄`)\n    @golang.package(km);\n");
    accepted(&body(
        "struct A inline{ X uint8; }struct B inline @x()@y(){ Y A; }",
    ));
    accepted(&body("enum E\tuint8 {A;B;}"));
    accepted(&body("enum E uint8 { A =0; B = 2; C; }"));
    accepted(&body(
        "struct 名前 inline { Ǆ uint8; X1 [007]uint8; Table uint8; }",
    ));
    accepted(&body("/// doc\nstruct A inline { X uint8; // trailing\n}"));
    accepted(&body(
        "struct A inline @id(18446744073709551615) { X uint8; }",
    ));
    accepted(&body("struct A inline { X [<4294967295]uint8; }"));
    accepted(&body("enum E int64 { A; B = 9223372036854775807; }"));
}

#[test]
fn comments_are_errors_in_upstream_compatible_mode() {
    let text = body("// c\nstruct A inline { X uint8; } /// d");
    let options = AnalysisOptions {
        upstream_compatible: true,
    };
    let analysis = analyze(&text, &options);
    let errors: Vec<Code> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect();
    assert_eq!(errors, [Code::CommentNotPortable, Code::CommentNotPortable]);
}
