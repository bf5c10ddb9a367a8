//! Go to definition, find references, document highlights and rename.
//!
//! Names resolve through the model (`Field::target`); a reference the model could not
//! resolve (a type declared later, a struct naming itself: both errors) still points at
//! the declaration with that name, so these features help fix exactly those errors.
//! Fields and enum values are never referenced elsewhere: their only occurrence is their
//! declaration.

use super::locate::{self, Entity};
use super::{HighlightKind, NavTarget};
use crate::chars;
use crate::diagnostics::TextEdit;
use crate::model::{DeclRef, Primitive, Schema};
use crate::{Analysis, Span};

/// The declaration of the name at `offset` (a type reference, or a declaration's name).
pub fn definition(analysis: &Analysis, offset: usize) -> Option<NavTarget> {
    let (site, _) = locate::site_at(analysis, offset)?;
    let entity = locate::entity_of(analysis, &site)?;
    let (name_span, full_span) = locate::entity_spans(&analysis.schema, entity)?;
    Some(NavTarget {
        name_span,
        full_span,
    })
}

/// Every occurrence of the entity at `offset`: (span, is the declaration).
fn occurrences(analysis: &Analysis, offset: usize) -> Option<Vec<(Span, bool)>> {
    let (site, _) = locate::site_at(analysis, offset)?;
    let entity = locate::entity_of(analysis, &site)?;
    occurrences_of(analysis, entity)
}

/// Every occurrence of `entity` in source order: its name (the declaration) and, for an
/// enum or a struct, every type reference to it.
fn occurrences_of(analysis: &Analysis, entity: Entity) -> Option<Vec<(Span, bool)>> {
    let (name_span, _) = locate::entity_spans(&analysis.schema, entity)?;
    let mut found = vec![(name_span, true)];
    if let Entity::Decl(decl) = entity {
        found.extend(
            locate::type_references(analysis)
                .into_iter()
                .filter(|(_, target)| *target == decl)
                .map(|(span, _)| (span, false)),
        );
    }
    found.sort_by_key(|(span, _)| *span);
    found.dedup_by_key(|(span, _)| *span);
    Some(found)
}

/// Every reference to the declaration named at `offset`, optionally with its name.
pub fn references(analysis: &Analysis, offset: usize, include_declaration: bool) -> Vec<Span> {
    occurrences(analysis, offset)
        .map(|found| {
            found
                .into_iter()
                .filter(|(_, is_decl)| include_declaration || !is_decl)
                .map(|(span, _)| span)
                .collect()
        })
        .unwrap_or_default()
}

/// The occurrences of the name at `offset` in this file.
pub fn highlights(analysis: &Analysis, offset: usize) -> Vec<(Span, HighlightKind)> {
    occurrences(analysis, offset)
        .map(|found| {
            found
                .into_iter()
                .map(|(span, is_decl)| {
                    let kind = if is_decl {
                        HighlightKind::Write
                    } else {
                        HighlightKind::Read
                    };
                    (span, kind)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The entity a rename at `offset` renames and the span of the word there.
fn rename_target(analysis: &Analysis, offset: usize) -> Result<(Entity, Span), String> {
    let Some((site, span)) = locate::site_at(analysis, offset) else {
        return Err("nothing to rename here".to_string());
    };
    if let locate::Site::TypeRef { decl, index, .. } = site {
        let name = decl.fields[index]
            .ty
            .as_ref()
            .map(|t| t.element_text())
            .unwrap_or_default();
        if Primitive::from_name(&name).is_some() {
            return Err(format!(
                "`{name}` is a primitive type and cannot be renamed"
            ));
        }
        return match locate::entity_of(analysis, &site) {
            Some(entity) => Ok((entity, span)),
            None => Err(format!("`{name}` is not declared in this file")),
        };
    }
    match locate::entity_of(analysis, &site) {
        Some(entity) => Ok((entity, span)),
        None => Err(match site {
            locate::Site::EnumBase(..) => "a primitive type cannot be renamed".to_string(),
            locate::Site::Module(_) => {
                "the module name is not renamed here: edit the header (it names the generated files)"
                    .to_string()
            }
            locate::Site::Tag { .. } => "tags cannot be renamed".to_string(),
            locate::Site::Keyword | locate::Site::Class(..) => {
                "keywords cannot be renamed".to_string()
            }
            _ => "nothing to rename here".to_string(),
        }),
    }
}

/// The span a rename at `offset` would replace, or why it cannot be renamed.
pub fn prepare_rename(analysis: &Analysis, offset: usize) -> Result<Span, String> {
    rename_target(analysis, offset).map(|(_, span)| span)
}

/// The edits renaming the declaration at `offset` (and every reference) to `new_name`,
/// or why not (invalid name, lower-case first letter, a collision).
///
/// Enums, structs, enum values and fields can be renamed; renaming a type updates every
/// field that uses it. Renaming a struct changes its id (a hash of its name) unless the
/// struct has an `@id` tag: generated code sees a new `PacketIdentifier`, the wire format
/// does not change (ids are never written to it).
pub fn rename(analysis: &Analysis, offset: usize, new_name: &str) -> Result<Vec<TextEdit>, String> {
    let (entity, _) = rename_target(analysis, offset)?;
    let schema = &analysis.schema;
    let (name_span, _) =
        locate::entity_spans(schema, entity).ok_or_else(|| "nothing to rename here".to_string())?;
    let old_name = locate::slice(&analysis.text, name_span);
    check_name(entity, new_name)?;
    if new_name == old_name {
        return Ok(Vec::new());
    }
    check_collision(schema, entity, new_name)?;
    Ok(occurrences_of(analysis, entity)
        .unwrap_or_default()
        .into_iter()
        .map(|(span, _)| TextEdit {
            span,
            new_text: new_name.to_string(),
        })
        .collect())
}

fn describe(entity: Entity) -> &'static str {
    match entity {
        Entity::Decl(DeclRef::Enum(_)) => "an enum name",
        Entity::Decl(DeclRef::Struct(_)) => "a struct name",
        Entity::Value(..) => "an enum value name",
        Entity::Field(..) => "a field name",
    }
}

/// The character rules of language.md §3.5, with the reason a name breaks them.
fn check_name(entity: Entity, new_name: &str) -> Result<(), String> {
    let what = describe(entity);
    let Some(first) = new_name.chars().next() else {
        return Err(format!("{what} cannot be empty"));
    };
    if Primitive::from_name(new_name).is_some() {
        return Err(format!("`{new_name}` is a primitive type"));
    }
    if chars::is_lower(first) {
        return Err(format!(
            "`{new_name}` starts with a lower-case letter; {what} must start with a capital"
        ));
    }
    if !chars::is_letter(first) {
        return Err(format!("`{new_name}` must start with a letter"));
    }
    let letters_only = matches!(entity, Entity::Decl(DeclRef::Enum(_)));
    if let Some(bad) = new_name
        .chars()
        .find(|&c| !(chars::is_letter(c) || (!letters_only && chars::is_number(c))))
    {
        let rule = if letters_only {
            "may contain only letters (no digits, no `_`)"
        } else {
            "may contain only letters and digits (no `_`)"
        };
        return Err(format!(
            "`{new_name}` contains {}: {what} {rule}",
            crate::parser::describe_char(&bad.to_string())
        ));
    }
    Ok(())
}

fn check_collision(schema: &Schema, entity: Entity, new_name: &str) -> Result<(), String> {
    match entity {
        Entity::Decl(decl) => {
            let clash = schema
                .order
                .iter()
                .any(|&other| other != decl && schema.decl_name(other) == new_name);
            if clash {
                return Err(format!("a type named `{new_name}` already exists"));
            }
            // Upstream rejects an enum whose last value is named like an earlier type
            // (language.md §7.1, Q10).
            let start = match decl {
                DeclRef::Enum(i) => schema.enums[i].span.start,
                DeclRef::Struct(i) => schema.structs[i].span.start,
            };
            if let Some(e) = schema.enums.iter().find(|e| {
                e.span.start > start && e.values.last().is_some_and(|v| v.name == new_name)
            }) {
                return Err(format!(
                    "the last value of the later enum `{}` is named `{new_name}`; the upstream toolchain rejects an enum whose last value is named like an earlier type",
                    e.name
                ));
            }
        }
        Entity::Field(s, f) => {
            let clash = schema.structs[s]
                .fields
                .iter()
                .enumerate()
                .any(|(i, field)| i != f && field.name == new_name);
            if clash {
                return Err(format!(
                    "struct `{}` already has a field named `{new_name}`",
                    schema.structs[s].name
                ));
            }
        }
        Entity::Value(e, v) => {
            let en = &schema.enums[e];
            if en
                .values
                .iter()
                .enumerate()
                .any(|(i, value)| i != v && value.name == new_name)
            {
                return Err(format!(
                    "enum `{}` already has a value named `{new_name}`",
                    en.name
                ));
            }
            // Upstream checks an enum's last value name against the types declared before
            // the enum (language.md §7.1, Q10) and rejects a clash.
            if v + 1 == en.values.len() {
                let clash = schema.order.iter().any(|&other| {
                    let span = match other {
                        DeclRef::Enum(i) => schema.enums[i].span,
                        DeclRef::Struct(i) => schema.structs[i].span,
                    };
                    span.start < en.span.start && schema.decl_name(other) == new_name
                });
                if clash {
                    return Err(format!(
                        "`{new_name}` names a type declared above; the upstream toolchain rejects an enum whose last value is named like an earlier type"
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{analysis, fixture, GAME};
    use super::*;

    /// The text of each span.
    fn texts<'a>(text: &'a str, spans: &[Span]) -> Vec<&'a str> {
        spans.iter().map(|s| &text[s.range()]).collect()
    }

    /// The offset just after the first occurrence of `marker` in `text`.
    fn after(text: &str, marker: &str) -> usize {
        text.find(marker).expect("marker") + marker.len()
    }

    #[test]
    fn definition_of_a_type_reference() {
        let (analysis, offset) = fixture(
            "karmem demo;\nstruct Vec inline { X uint8; }\n\nstruct A table { P V$0ec; }\n",
        );
        let target = definition(&analysis, offset).expect("definition");
        assert_eq!(&analysis.text[target.name_span.range()], "Vec");
        assert_eq!(
            &analysis.text[target.full_span.range()],
            "struct Vec inline { X uint8; }"
        );
    }

    #[test]
    fn definition_of_a_later_or_self_reference_still_navigates() {
        let text = "karmem demo;\nstruct A inline { X B; }\nstruct B inline { Y uint8; }\n";
        let analysis = analysis(text);
        let target = definition(&analysis, after(text, "X B")).expect("definition");
        assert_eq!(target.name_span.start, text.find("B inline").unwrap());
        let text = "karmem demo;\nstruct A table { X A; }\n";
        let analysis = super::super::tests::analysis(text);
        let target = definition(&analysis, after(text, "X A")).expect("definition");
        assert_eq!(target.name_span.start, text.find("A table").unwrap());
    }

    #[test]
    fn definition_of_declarations_and_primitives() {
        let analysis = analysis(GAME);
        // A declaration's name is its own definition; so are fields and values.
        let at = after(GAME, "struct Vec");
        assert_eq!(
            definition(&analysis, at).map(|t| &GAME[t.name_span.range()]),
            Some("Vec3")
        );
        let at = after(GAME, "Ammo");
        let target = definition(&analysis, at).expect("field");
        assert_eq!(&GAME[target.full_span.range()], "Ammo uint16;");
        let at = after(GAME, "Gre");
        let target = definition(&analysis, at).expect("value");
        assert_eq!(&GAME[target.full_span.range()], "Green;");
        // Primitives, keywords and tags have no declaration.
        assert_eq!(definition(&analysis, after(GAME, "X flo")), None);
        assert_eq!(definition(&analysis, after(GAME, "stru")), None);
        assert_eq!(definition(&analysis, after(GAME, "@pack")), None);
        assert_eq!(definition(&analysis, GAME.len() + 10), None);
    }

    #[test]
    fn references_in_every_struct() {
        let analysis = analysis(GAME);
        let at = after(GAME, "struct Vec");
        let refs = references(&analysis, at, false);
        assert_eq!(texts(GAME, &refs), ["Vec3", "Vec3"]);
        assert_eq!(refs[0].start, after(GAME, "Pos "));
        assert_eq!(refs[1].start, after(GAME, "Path [<2000]"));
        let with_decl = references(&analysis, at, true);
        assert_eq!(with_decl.len(), 3);
        assert_eq!(with_decl[0].start, GAME.find("Vec3 inline").unwrap());
        // From a reference, the same set.
        assert_eq!(references(&analysis, after(GAME, "Pos V"), true), with_decl);
        // An enum used once; a table used by an inline wrapper.
        assert_eq!(
            references(&analysis, after(GAME, "enum Col"), false).len(),
            1
        );
        assert_eq!(
            references(&analysis, after(GAME, "struct WeaponD"), false).len(),
            1
        );
        // Fields and values: only the declaration.
        assert_eq!(
            references(&analysis, after(GAME, "Ammo"), false),
            Vec::<Span>::new()
        );
        assert_eq!(references(&analysis, after(GAME, "Ammo"), true).len(), 1);
    }

    #[test]
    fn references_include_uses_before_the_declaration() {
        let text = "karmem demo;\nstruct A inline { X B; }\nstruct B inline { Y uint8; }\nstruct C inline { Z B; W [2]B; }\n";
        let analysis = analysis(text);
        let refs = references(&analysis, after(text, "struct B"), false);
        assert_eq!(texts(text, &refs), ["B", "B", "B"]);
        assert_eq!(refs[0].start, after(text, "X "));
        let highlights = highlights(&analysis, after(text, "Z B"));
        assert_eq!(highlights.len(), 4);
        assert_eq!(
            highlights
                .iter()
                .filter(|(_, k)| *k == HighlightKind::Write)
                .map(|(s, _)| s.start)
                .collect::<Vec<_>>(),
            [text.find("B inline").unwrap()]
        );
        assert!(highlights.windows(2).all(|w| w[0].0.start < w[1].0.start));
    }

    #[test]
    fn rename_a_struct_updates_every_reference() {
        let analysis = analysis(GAME);
        let at = after(GAME, "Pos Ve");
        assert_eq!(
            prepare_rename(&analysis, at).map(|s| &GAME[s.range()]),
            Ok("Vec3")
        );
        let edits = rename(&analysis, at, "Vector").expect("rename");
        assert_eq!(edits.len(), 3);
        assert!(edits
            .iter()
            .all(|e| e.new_text == "Vector" && &GAME[e.span.range()] == "Vec3"));
        // Applying the edits gives a schema with the same layout.
        let mut renamed = GAME.to_string();
        for edit in edits.iter().rev() {
            renamed.replace_range(edit.span.range(), &edit.new_text);
        }
        let after_rename = super::super::tests::analysis(&renamed);
        assert!(!after_rename.has_errors());
        assert_eq!(after_rename.schema.structs[0].name, "Vector");
        assert_eq!(
            after_rename.schema.structs[3].fields[10].layout,
            analysis.schema.structs[3].fields[10].layout
        );
    }

    #[test]
    fn rename_fields_and_values() {
        let analysis = analysis(GAME);
        let edits = rename(&analysis, after(GAME, "Ammo"), "Bullets").expect("rename");
        assert_eq!(edits.len(), 1);
        assert_eq!(&GAME[edits[0].span.range()], "Ammo");
        let edits = rename(&analysis, after(GAME, "Gre"), "Lime").expect("rename");
        assert_eq!(edits.len(), 1);
        assert_eq!(&GAME[edits[0].span.range()], "Green");
        // Digits are fine in field, value and struct names; the same name is no change.
        assert!(rename(&analysis, after(GAME, "Ammo"), "Ammo2").is_ok());
        assert_eq!(
            rename(&analysis, after(GAME, "Ammo"), "Ammo"),
            Ok(Vec::new())
        );
        assert!(rename(&analysis, after(GAME, "struct Vec"), "Vec4").is_ok());
    }

    #[test]
    fn rename_refusals() {
        let analysis = analysis(GAME);
        let refused = |marker: &str, name: &str| {
            rename(&analysis, after(GAME, marker), name).expect_err(name)
        };
        assert!(refused("struct Vec", "vector").contains("lower-case"));
        assert!(refused("struct Vec", "Vec_3").contains("only letters and digits"));
        assert!(refused("struct Vec", "3D").contains("must start with a letter"));
        assert!(refused("struct Vec", "").contains("cannot be empty"));
        assert!(refused("struct Vec", "uint8").contains("primitive"));
        assert!(refused("struct Vec", "Team").contains("already exists"));
        assert!(refused("enum Col", "Colour2").contains("only letters (no digits"));
        assert!(refused("enum Col", "Team").contains("already exists"));
        assert!(refused("Ammo", "Damage").contains("already has a field named `Damage`"));
        assert!(refused("Gre", "Blue").contains("already has a value named `Blue`"));
        assert!(refused("Ammo", "ammo").contains("lower-case"));
        // The last value of an enum may not take the name of an earlier type (Q10).
        assert!(refused("Alien", "Color").contains("last value"));
        assert!(rename(&analysis, after(GAME, "Orc"), "Color").is_ok());
        assert!(refused("enum Col", "Aliens").contains("last value of the later enum `Team`"));
        // `Team` comes before `Vec3`: no clash.
        assert!(rename(&analysis, after(GAME, "struct Vec"), "Aliens").is_ok());
        assert!(rename(&analysis, after(GAME, "struct Vec"), "Orcs").is_ok());
        // Nothing renameable.
        for marker in ["stru", "@pack", "Hitbox [5]flo", "karmem ga", "table"] {
            assert!(
                prepare_rename(&analysis, after(GAME, marker)).is_err(),
                "{marker}"
            );
        }
        assert!(prepare_rename(&analysis, after(GAME, "Hitbox [5]flo"))
            .unwrap_err()
            .contains("primitive"));
        let text = "karmem demo;\nstruct A inline { X Nope; }\n";
        let analysis = super::super::tests::analysis(text);
        assert!(prepare_rename(&analysis, after(text, "X No"))
            .unwrap_err()
            .contains("not declared"));
    }
}
