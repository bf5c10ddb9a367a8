//! Inlay hints (field offsets and slot sizes, implicit enum values, struct sizes) and code
//! actions (the analyzer's fixes).

use super::hover::bytes;
use super::locate::ModelIndex;
use super::{CodeAction, InlayHint, InlayHintConfig, InlayKind};
use crate::ast::Decl;
use crate::diagnostics::Code;
use crate::{Analysis, Span};

/// Hints inside `range`.
pub fn inlay_hints(analysis: &Analysis, range: Span, config: &InlayHintConfig) -> Vec<InlayHint> {
    let schema = &analysis.schema;
    let index = ModelIndex::new(schema);
    let in_range = |offset: usize| range.start <= offset && offset <= range.end;
    let mut hints = Vec::new();
    for decl in &analysis.file.decls {
        // Skip declarations entirely outside the range.
        let span = decl.span();
        if span.end < range.start || span.start > range.end {
            continue;
        }
        match decl {
            Decl::Error(_) => {}
            Decl::Enum(e) => {
                let Some(model) = index.enum_of(schema, e).map(|i| &schema.enums[i]) else {
                    continue;
                };
                if !config.enum_values {
                    continue;
                }
                for (value, tree) in model.values.iter().zip(&e.values) {
                    let offset = tree.name.span.end;
                    if value.explicit || !in_range(offset) {
                        continue;
                    }
                    hints.push(InlayHint {
                        offset,
                        label: format!("= {}", value.value),
                        kind: InlayKind::EnumValue,
                        tooltip: Some(format!(
                            "`{}` has the implicit value {}: its position in the list (not the previous value + 1)",
                            value.name, value.value
                        )),
                    });
                }
            }
            Decl::Struct(s) => {
                let Some(model) = index.struct_of(schema, s).map(|i| &schema.structs[i]) else {
                    continue;
                };
                if config.struct_size {
                    if let (Some(size), Some(l_brace)) = (&model.size, s.l_brace) {
                        if in_range(l_brace.end) {
                            hints.push(InlayHint {
                                offset: l_brace.end,
                                label: bytes(size.total),
                                kind: InlayKind::StructSize,
                                tooltip: Some(format!(
                                    "`{}`: content {} + padding {} = total {}; minimum {}",
                                    model.name,
                                    size.content,
                                    size.padding,
                                    bytes(size.total),
                                    size.minimum
                                )),
                            });
                        }
                    }
                }
                if !config.field_layout {
                    continue;
                }
                for (field, tree) in model.fields.iter().zip(&s.fields) {
                    let Some(layout) = field.layout else { continue };
                    let offset = tree.semi.map_or(tree.span.end, |semi| semi.end);
                    if !in_range(offset) {
                        continue;
                    }
                    hints.push(InlayHint {
                        offset,
                        label: format!("@{} +{}", layout.offset, layout.field),
                        kind: InlayKind::FieldLayout,
                        tooltip: Some(format!(
                            "`{}`: offset {}, slot {}; minimum {}, allocation {} per element",
                            field.name,
                            layout.offset,
                            bytes(layout.field),
                            layout.minimum,
                            bytes(layout.allocation)
                        )),
                    });
                }
            }
        }
    }
    hints.sort_by_key(|h| h.offset);
    hints
}

/// Whether a diagnostic at `span` concerns `range`: they overlap; an empty span counts
/// when `range` touches its position, and an empty `range` (a cursor) when it is inside
/// `span` or at one of its ends.
fn overlaps(span: Span, range: Span) -> bool {
    if span.is_empty() {
        range.start <= span.start && span.start <= range.end
    } else if range.is_empty() {
        span.start <= range.start && range.start <= span.end
    } else {
        span.start < range.end && range.start < span.end
    }
}

/// The fixes of the diagnostics that overlap `range`.
///
/// A fix is preferred when it fixes an error, except where the fix is one guess among
/// several (a typo suggestion for an unknown type, a class for a struct that has none).
pub fn code_actions(analysis: &Analysis, range: Span) -> Vec<CodeAction> {
    analysis
        .diagnostics
        .iter()
        .enumerate()
        .filter(|(_, d)| overlaps(d.span, range))
        .filter_map(|(i, d)| {
            let fix = d.fix.as_ref()?;
            let guess = match d.code {
                // `Change to `uint8``: the closest name, one edit; moving a declaration up
                // (two edits) is certain.
                Code::UnknownType => fix.edits.len() == 1,
                // `Make it a table` inserts a class; fixing a misspelling replaces it.
                Code::InvalidClass => fix.edits.iter().all(|e| e.span.is_empty()),
                _ => false,
            };
            Some(CodeAction {
                title: fix.title.clone(),
                diagnostic: i,
                edits: fix.edits.clone(),
                is_preferred: d.is_error() && !guess,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{analysis, fixture, GAME};
    use super::*;
    use crate::diagnostics::Severity;

    fn labels(text: &str, range: Span, config: &InlayHintConfig) -> Vec<(String, String)> {
        let analysis = analysis(text);
        inlay_hints(&analysis, range, config)
            .into_iter()
            .map(|h| {
                (
                    text[..h.offset]
                        .lines()
                        .last()
                        .unwrap_or("")
                        .trim()
                        .to_string(),
                    h.label,
                )
            })
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn field_offsets_struct_sizes_and_implicit_values() {
        let start = GAME.find("enum Team").unwrap();
        let end = GAME.find("struct Weapon ").unwrap();
        let hints = labels(GAME, Span::new(start, end), &InlayHintConfig::default());
        assert_eq!(
            hints,
            pairs(&[
                ("enum Team uint8 { Humans", "= 0"),
                ("enum Team uint8 { Humans; Orcs", "= 1"),
                ("enum Team uint8 { Humans; Orcs; Zombies", "= 2"),
                ("enum Team uint8 { Humans; Orcs; Zombies; Robots", "= 3"),
                (
                    "enum Team uint8 { Humans; Orcs; Zombies; Robots; Aliens",
                    "= 4"
                ),
                ("struct Vec3 inline {", "12 bytes"),
                ("struct Vec3 inline { X float32;", "@0 +4"),
                ("struct Vec3 inline { X float32; Y float32;", "@4 +4"),
                (
                    "struct Vec3 inline { X float32; Y float32; Z float32;",
                    "@8 +4"
                ),
                ("struct WeaponData table {", "19 bytes"),
                ("Damage int32;", "@4 +4"),
                ("Ammo uint16;", "@8 +2"),
                ("ClipSize uint8;", "@10 +1"),
                ("ReloadTime float32;", "@11 +4"),
                ("Range int32;", "@15 +4"),
            ])
        );
        // layout.md §6.1: `Path` at 102, 8 bytes.
        let analysis = analysis(GAME);
        let path = GAME.find("Path").unwrap();
        let hints = inlay_hints(
            &analysis,
            Span::new(path, path + 20),
            &InlayHintConfig::default(),
        );
        assert_eq!(hints.len(), 1);
        assert_eq!(hints[0].label, "@102 +8");
        assert_eq!(hints[0].offset, path + "Path [<2000]Vec3;".len());
        assert_eq!(
            hints[0].tooltip.as_deref(),
            Some(
                "`Path`: offset 102, slot 8 bytes; minimum 24000, allocation 12 bytes per element"
            )
        );
    }

    #[test]
    fn config_and_explicit_values() {
        let text = "karmem demo;\nenum E uint8 { A = 0; B; }\nstruct S inline { X uint8 }\n";
        let all = Span::new(0, text.len());
        assert_eq!(
            labels(text, all, &InlayHintConfig::default()),
            pairs(&[
                ("enum E uint8 { A = 0; B", "= 1"),
                ("struct S inline {", "8 bytes"),
                ("struct S inline { X uint8", "@0 +1"),
            ])
        );
        let only_fields = InlayHintConfig {
            field_layout: true,
            enum_values: false,
            struct_size: false,
        };
        assert_eq!(
            labels(text, all, &only_fields),
            pairs(&[("struct S inline { X uint8", "@0 +1")])
        );
        let none = InlayHintConfig {
            field_layout: false,
            enum_values: false,
            struct_size: false,
        };
        assert!(labels(text, all, &none).is_empty());
        // No layout, no hints; a range past the end, no hints.
        assert!(labels(
            "karmem demo;\nstruct A inline { X B; }\n",
            Span::new(0, 40),
            &InlayHintConfig::default()
        )
        .is_empty());
        assert!(labels(text, Span::new(500, 600), &InlayHintConfig::default()).is_empty());
    }

    #[test]
    fn code_actions_from_fixes() {
        let (analysis, offset) =
            fixture("karmem demo;\nstruct A inline @packed(true) { x$0 uint8; }\n");
        let actions = code_actions(&analysis, Span::empty(offset));
        assert_eq!(actions.len(), 1);
        assert_eq!(actions[0].title, "Rename to `X`");
        assert!(actions[0].is_preferred);
        assert_eq!(
            analysis.diagnostics[actions[0].diagnostic].code,
            Code::LowercaseName
        );
        assert_eq!(actions[0].edits[0].new_text, "X");
        // Elsewhere: nothing.
        assert!(code_actions(&analysis, Span::empty(3)).is_empty());

        // A missing `;` (an empty span) is found by a range that touches it.
        let text = "karmem demo;\nstruct A inline @packed(true) { X uint8 }\n";
        let analysis = super::super::tests::analysis(text);
        let at = text.find("uint8").unwrap() + 5;
        let line = Span::new(text.find("struct").unwrap(), text.len());
        for range in [
            Span::empty(at),
            line,
            Span::new(at - 3, at),
            Span::new(at, at + 2),
        ] {
            let actions = code_actions(&analysis, range);
            assert_eq!(actions.len(), 1, "{range:?}");
            assert_eq!(actions[0].title, "Insert `;`");
        }
        assert!(code_actions(&analysis, Span::new(at - 3, at - 1)).is_empty());

        // Hints and guesses are not preferred; a certain fix of an error is.
        let text = "karmem demo;\nstruct A inline { X uint9; }\nstruct B inline { Y C; }\nstruct C inline { Z uint8; }\n";
        let analysis = super::super::tests::analysis(text);
        let actions = code_actions(&analysis, Span::new(0, text.len()));
        let titles: Vec<(&str, bool)> = actions
            .iter()
            .map(|a| (a.title.as_str(), a.is_preferred))
            .collect();
        assert_eq!(
            titles,
            [
                ("Change to `uint8`", false),
                ("Move `C` above `B`", true),
                ("Add `@packed(true)` (this changes the layout)", false),
            ]
        );
        assert_eq!(
            analysis.diagnostics[actions[2].diagnostic].severity,
            Severity::Hint
        );
        assert_eq!(actions[1].edits.len(), 2);
    }
}
