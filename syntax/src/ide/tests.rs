//! Shared test helpers and the robustness tests of every feature.

use crate::{analyze, Analysis, AnalysisOptions};

/// Analyses `text` with its `$0` cursor marker removed; returns the cursor offset.
pub(crate) fn fixture(text: &str) -> (Analysis, usize) {
    let offset = text.find("$0").expect("the fixture has a `$0` cursor");
    let text = text.replacen("$0", "", 1);
    (analyze(&text, &AnalysisOptions::default()), offset)
}

/// Analyses `text` (no cursor).
pub(crate) fn analysis(text: &str) -> Analysis {
    analyze(text, &AnalysisOptions::default())
}

/// The benchmark schema of layout.md §6.1, written out for the tests.
pub(crate) const GAME: &str = "karmem game @packed(true) @golang.package(`km`);

/// Team colour.
enum Color uint8 { Red; Green; Blue; }
enum Team uint8 { Humans; Orcs; Zombies; Robots; Aliens; }

struct Vec3 inline { X float32; Y float32; Z float32; }

struct WeaponData table {
    Damage int32;
    Ammo uint16;
    ClipSize uint8;
    ReloadTime float32;
    Range int32;
}

struct Weapon inline { Data WeaponData; }

/// A monster.
struct MonsterData table {
    Pos Vec3;
    Mana int16;
    Health int16;
    Name [<512]char;
    Team Team;
    Inventory [<128]byte;
    Color Color;
    Hitbox [5]float64;
    Status [<10]int32;
    Weapons [4]Weapon;
    /// The way it walks.
    Path [<2000]Vec3;
    IsAlive bool;
}

struct Monster inline { Data MonsterData; }
struct Monsters table { Monsters [<2000]Monster; }
";

/// Files with errors of every kind, non-ASCII text, odd line breaks and NUL bytes.
const BROKEN: &[&str] = &[
    "",
    "karmem",
    "\u{FEFF}karmem é @x(`a;\nstruct 名前 inline { Ünïcode [<3]uint8 @t(`é`); Y 名前; }\r\nenum Ω uint8 { Α = 1; Β; }\0 junk",
    "karmem a;\nstruct A table { X B; Y [ ]C; Z [<]uint8 Q; }\nstruct B { }\nenum E byte { ; = ; A=1 }\nstruct C inline @packed(maybe) @id(x) { W []E; V [2]B; }\n}}}{{{ struct",
    "karmem demo;\nstruct A inline {\n  X uint8\n  Y uint 8;\n  Z [99999999999]uint8;\nenum E uint8 {\nstruct",
    "@@@ ``` [[[ <<< ;;; \u{2028}\u{85}\t\r\n /// x\n// y\n😀 struct 😀 table { 😀 😀; }",
    "karmem x;\nstruct A inline { X uint8; }\nstruct A table { X A; X []A; }\nenum A uint8 { A; A; }\nstruct B inline @id(1) { C A; }\nstruct C inline @id(1) { D B; }\n",
    "struct\tS inline{X uint8;}enum\u{A0}E uint8{A=0;}karmem late;",
];

fn check_span(text: &str, span: crate::Span, what: &str) {
    assert!(
        span.start <= span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end),
        "{what}: bad span {span:?} in {text:?}"
    );
}

/// Calls every feature at `offset` and checks what each promises.
fn exercise_offset(analysis: &Analysis, offset: usize) {
    use super::*;
    let text = &analysis.text;
    let len = text.len();
    if let Some(result) = hover(analysis, offset) {
        check_span(text, result.span, "hover");
        assert!(result.span.start <= offset && offset <= result.span.end);
        assert!(!result.markdown.is_empty());
    }
    if let Some(target) = definition(analysis, offset) {
        check_span(text, target.name_span, "definition");
        check_span(text, target.full_span, "definition");
    }
    for include in [false, true] {
        for span in references(analysis, offset, include) {
            check_span(text, span, "references");
        }
    }
    for (span, _) in highlights(analysis, offset) {
        check_span(text, span, "highlights");
    }
    if let Ok(span) = prepare_rename(analysis, offset) {
        check_span(text, span, "prepare_rename");
    }
    for name in ["Renamed", "Other2", "bad_name", ""] {
        if let Ok(edits) = rename(analysis, offset, name) {
            // Sorted, disjoint edits that all replace the same old name with the new one.
            for edit in &edits {
                check_span(text, edit.span, "rename");
                assert_eq!(edit.new_text, name);
                assert_eq!(&text[edit.span.range()], &text[edits[0].span.range()]);
            }
            for pair in edits.windows(2) {
                assert!(pair[0].span.end <= pair[1].span.start, "{pair:?}");
            }
        }
    }
    let _ = completions(analysis, offset);
    if offset <= len {
        check_span(text, completion_span(analysis, offset), "completion span");
    }
    let on_boundary = text.is_char_boundary(offset);
    if !on_boundary {
        assert_eq!(hover(analysis, offset), None);
        assert_eq!(definition(analysis, offset), None);
        assert!(completions(analysis, offset).is_empty());
    }
    let ranges = selection_ranges(analysis, offset);
    if on_boundary {
        assert_eq!(ranges.last(), Some(&crate::Span::new(0, len)));
    }
    for pair in ranges.windows(2) {
        assert!(pair[1].start <= pair[0].start && pair[0].end <= pair[1].end);
        assert!(pair[1].len() > pair[0].len());
    }
    for span in &ranges {
        check_span(text, *span, "selection");
    }
    let range = crate::Span::new(offset.saturating_sub(20), offset.saturating_add(20));
    for hint in inlay_hints(analysis, range, &InlayHintConfig::default()) {
        assert!(range.start <= hint.offset && hint.offset <= range.end && hint.offset <= len);
    }
    for range in [
        crate::Span::empty(offset),
        crate::Span::new(offset, len.max(offset)),
    ] {
        for action in code_actions(analysis, range) {
            for edit in &action.edits {
                check_span(text, edit.span, "code action");
            }
        }
    }
    if let Some(i) = struct_at(analysis, offset) {
        assert!(analysis.schema.structs[i].span.contains(offset));
    }
}

/// The features that do not take an offset, with their promises.
fn exercise_file(analysis: &Analysis) {
    use super::*;
    let text = &analysis.text;
    fn walk(text: &str, symbols: &[Symbol]) {
        for symbol in symbols {
            check_span(text, symbol.span, "symbol");
            check_span(text, symbol.name_span, "symbol name");
            assert!(!symbol.name.is_empty());
            walk(text, &symbol.children);
        }
    }
    walk(text, &document_symbols(analysis));
    let tokens = semantic_tokens(analysis);
    for pair in tokens.windows(2) {
        assert!(pair[0].span.end <= pair[1].span.start, "{pair:?}");
    }
    for token in &tokens {
        check_span(text, token.span, "semantic token");
        assert!(!token.span.is_empty() && !text[token.span.range()].contains('\n'));
    }
    for range in folding_ranges(analysis) {
        check_span(text, range.span, "folding");
    }
    let everything = crate::Span::new(0, usize::MAX);
    let mut previous = 0;
    for hint in inlay_hints(analysis, everything, &InlayHintConfig::default()) {
        assert!(hint.offset >= previous && hint.offset <= text.len());
        previous = hint.offset;
    }
}

#[test]
fn every_offset_of_broken_files() {
    for text in BROKEN.iter().copied().chain([GAME]) {
        let analysis = analysis(text);
        exercise_file(&analysis);
        for offset in (0..=text.len() + 2).chain([usize::MAX - 1, usize::MAX]) {
            exercise_offset(&analysis, offset);
        }
    }
}

#[test]
fn every_prefix_of_a_schema() {
    let text = GAME.replacen("Team;", "Team @x(`é`);", 1);
    let mut prefix_end = 0;
    while prefix_end <= text.len() {
        if text.is_char_boundary(prefix_end) {
            let analysis = analysis(&text[..prefix_end]);
            exercise_file(&analysis);
            for offset in [0, prefix_end / 2, prefix_end.saturating_sub(1), prefix_end] {
                exercise_offset(&analysis, offset);
            }
        }
        prefix_end += 3;
    }
}
