//! Error recovery: a file with several independent errors reports each one, with the
//! right span, and every declaration outside the broken ones is still analysed.

use karmem_syntax::{analyze, Analysis, AnalysisOptions, Code};

fn analyze_text(text: &str) -> Analysis {
    analyze(text, &AnalysisOptions::default())
}

/// The (code, text under the span) of every error.
fn errors(analysis: &Analysis) -> Vec<(Code, &str)> {
    analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.code, &analysis.text[d.span.range()]))
        .collect()
}

fn total(analysis: &Analysis, name: &str) -> Option<u32> {
    let s = analysis.schema.structs.iter().find(|s| s.name == name)?;
    s.size.as_ref().map(|size| size.total)
}

#[test]
fn three_independent_errors_are_all_reported() {
    let text = "karmem demo @packed(true);\n\
                struct A inline { X uint8; y uint16; }\n\
                struct B inline { X Missing; }\n\
                enum E uint8 { One = 1; }\n\
                struct C inline { X uint32; Y A; }\n";
    let analysis = analyze_text(text);
    assert_eq!(
        errors(&analysis),
        vec![
            (Code::LowercaseName, "y"),
            (Code::UnknownType, "Missing"),
            (Code::EnumNoZero, "E"),
        ]
    );
    // A has an error in a field name only: its layout is still known; C uses A.
    assert_eq!(total(&analysis, "A"), Some(3));
    assert_eq!(
        total(&analysis, "B"),
        None,
        "a struct with an unknown type has no layout"
    );
    assert_eq!(total(&analysis, "C"), Some(7));
}

#[test]
fn a_garbage_line_inside_a_struct_is_skipped() {
    let text = "karmem demo @packed(true);\n\
                struct A inline {\n    X uint8;\n    !!! what\n    Y uint16;\n}\n\
                struct B inline { Z A; }\n";
    let analysis = analyze_text(text);
    let errs = errors(&analysis);
    assert!(!errs.is_empty());
    assert!(
        errs.iter()
            .all(|(code, _)| *code == Code::UnexpectedChar || *code == Code::Syntax),
        "{errs:?}"
    );
    let a = &analysis.schema.structs[0];
    assert_eq!(
        a.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ["X", "Y"]
    );
    // The skipped line might have been a field: A's offsets (and so B's size) are unknown
    // rather than possibly wrong.
    assert_eq!(total(&analysis, "A"), None);
    assert_eq!(total(&analysis, "B"), None);
}

#[test]
fn missing_semicolons_and_braces_are_reported_where_they_belong() {
    let text = "karmem demo @packed(true);\n\
                struct A inline {\n    X uint8\n    Y uint16;\n\n\
                struct B table {\n    Z A;\n}\n";
    let analysis = analyze_text(text);
    let errs = errors(&analysis);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs.iter().all(|(code, _)| *code == Code::Missing));
    let missing: Vec<usize> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::Missing)
        .map(|d| d.span.start)
        .collect();
    // The `;` belongs right after `uint8`, the `}` after `Y uint16;`.
    assert_eq!(
        &text[..missing[0]],
        "karmem demo @packed(true);\nstruct A inline {\n    X uint8"
    );
    assert!(text[..missing[1]].ends_with("Y uint16;"));
    // Both structs are analysed: B is a table with A's reference.
    assert_eq!(total(&analysis, "A"), Some(3));
    assert_eq!(total(&analysis, "B"), Some(7));
}

#[test]
fn a_broken_declaration_head_does_not_hide_the_next_declarations() {
    let text = "karmem demo;\n\
                struct 1A inline { X uint8; }\n\
                enum Color uint8 { Red; Green; }\n\
                garbage here\n\
                struct P inline @packed() { C Color; }\n";
    let analysis = analyze_text(text);
    let errs = errors(&analysis);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(analysis.schema.enums.len(), 1);
    assert_eq!(total(&analysis, "P"), Some(1));
}

#[test]
fn errors_carry_fixes_and_related_spans() {
    let text = "karmem demo;\nstruct A inline { X B; }\nstruct B inline { Y uint8; }\nstruct A table { Z uint8; }\n";
    let analysis = analyze_text(text);
    let later = analysis
        .diagnostics
        .iter()
        .find(|d| d.code == Code::UnknownType)
        .unwrap();
    assert_eq!(&text[later.related[0].span.range()], "B");
    let fix = later
        .fix
        .as_ref()
        .expect("moving the declaration up is offered");
    assert_eq!(fix.edits.len(), 2);
    let duplicate = analysis
        .diagnostics
        .iter()
        .find(|d| d.code == Code::DuplicateType)
        .unwrap();
    assert_eq!(
        duplicate.related[0].span.start,
        text.find("A inline").unwrap()
    );
}

#[test]
fn truncated_files_are_errors_and_never_panic() {
    // policy.md §3: upstream accepts some truncated files (inside a tag, in the header);
    // we report every one of them.
    let text = "karmem demo @packed(true);\n/// doc\nenum E uint8 { A; B = 3; }\nstruct S table { X [<4]uint8; Y []uint8 @t(`v w`); }\n";
    for cut in [
        "karmem",
        "karmem demo @packed(tr",
        "karmem demo @packed(true)",
        "enum E uint8 { A; B =",
        "enum E uint8 {",
        "struct S table { X [<",
        "struct S table { X [<4]uint8; Y []uint8 @t(`v",
        "struct S table { X [<4]uint8; Y []uint8 @t(`v w`);",
    ] {
        let end = text
            .find(cut)
            .map(|i| i + cut.len())
            .unwrap_or_else(|| cut.len());
        let analysis = analyze_text(&text[..end]);
        assert!(
            analysis.has_errors(),
            "truncated file accepted: {:?}",
            &text[..end]
        );
    }
    for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
        // Must not panic; the complete file is clean.
        let analysis = analyze_text(&text[..end]);
        if end == text.len() {
            assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
        }
    }
}
