//! Edits of `karmem.toml` that keep the user's formatting and comments (through
//! `toml_edit`), for the language server's "accept this break" quick fix.

use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

/// `text` (the contents of a `karmem.toml`, possibly empty) with `name` (`Type`,
/// `Type.Member` or `*`) added to `[breaking] ignore.<rule>`. The `[breaking]` table and its
/// `ignore` entry are created when missing; an `ignore` written as an inline table or as a
/// `[breaking.ignore]` table is extended in place. Returns `Ok(None)` when the entry is
/// already there, and an error when the text is not TOML or has a conflicting shape.
pub fn add_ignore(text: &str, rule: &str, name: &str) -> Result<Option<String>, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        format!("karmem.toml is not valid TOML: {}", e.message())
    })?;
    let breaking = doc
        .entry("breaking")
        .or_insert_with(|| Item::Table(Table::new()));
    let breaking = breaking
        .as_table_like_mut()
        .ok_or("`breaking` in karmem.toml is not a table")?;
    if breaking.get("ignore").is_none() {
        breaking.insert(
            "ignore",
            Item::Value(Value::InlineTable(InlineTable::new())),
        );
    }
    let ignore = breaking
        .get_mut("ignore")
        .and_then(Item::as_table_like_mut)
        .ok_or("`breaking.ignore` in karmem.toml is not a table")?;
    if ignore.get(rule).is_none() {
        ignore.insert(rule, Item::Value(Value::Array(Array::new())));
    }
    let names = ignore
        .get_mut(rule)
        .and_then(Item::as_array_mut)
        .ok_or_else(|| format!("`breaking.ignore.{rule}` in karmem.toml is not an array"))?;
    if names.iter().any(|v| v.as_str() == Some(name)) {
        return Ok(None);
    }
    names.push(name);
    Ok(Some(doc.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use std::path::Path;

    fn ignores(text: &str) -> Vec<(String, Vec<String>)> {
        let config = config::parse(Path::new("/p/karmem.toml"), text).expect(text);
        config
            .breaking
            .ignore
            .iter()
            .map(|e| {
                (
                    e.rule.value.as_str().to_string(),
                    e.names.iter().map(|n| n.value.clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn creates_the_section_in_an_empty_or_unrelated_file() {
        let text = add_ignore("", "STRUCT_ID_CHANGED", "User")
            .unwrap()
            .unwrap();
        assert_eq!(
            ignores(&text),
            [("STRUCT_ID_CHANGED".into(), vec!["User".into()])]
        );
        let before = "# project\n[[generate]]\nschemas = [\"*.km\"] # all\ntargets = [\"rust\"]\nout = \"gen\"\n";
        let text = add_ignore(before, "TABLE_FIELD_REMOVED", "User.Name")
            .unwrap()
            .unwrap();
        assert!(text.starts_with(before), "formatting kept:\n{text}");
        assert_eq!(
            ignores(&text),
            [("TABLE_FIELD_REMOVED".into(), vec!["User.Name".into()])]
        );
    }

    #[test]
    fn extends_existing_entries_in_either_shape() {
        let inline =
            "[breaking]\nlevel = \"lossy\" # keep\nignore = { STRUCT_ID_CHANGED = [\"A\"] }\n";
        let text = add_ignore(inline, "STRUCT_ID_CHANGED", "B")
            .unwrap()
            .unwrap();
        assert!(text.contains("level = \"lossy\" # keep"));
        assert_eq!(
            ignores(&text),
            [("STRUCT_ID_CHANGED".into(), vec!["A".into(), "B".into()])]
        );
        let table = "[breaking.ignore]\nSTRUCT_ID_CHANGED = [\"A\"]\n";
        let text = add_ignore(table, "TABLE_FIELD_REMOVED", "A.X")
            .unwrap()
            .unwrap();
        let mut got = ignores(&text);
        got.sort();
        assert_eq!(
            got,
            [
                ("STRUCT_ID_CHANGED".into(), vec!["A".into()]),
                ("TABLE_FIELD_REMOVED".into(), vec!["A.X".into()])
            ]
        );
    }

    #[test]
    fn an_existing_entry_or_a_broken_file_changes_nothing() {
        let text = "[breaking]\nignore = { STRUCT_ID_CHANGED = [\"A\"] }\n";
        assert_eq!(add_ignore(text, "STRUCT_ID_CHANGED", "A"), Ok(None));
        assert!(add_ignore("[breaking\n", "STRUCT_ID_CHANGED", "A").is_err());
        assert!(add_ignore("breaking = 3\n", "STRUCT_ID_CHANGED", "A").is_err());
        assert!(add_ignore(
            "[breaking]\nignore = { STRUCT_ID_CHANGED = \"A\" }\n",
            "STRUCT_ID_CHANGED",
            "A"
        )
        .is_err());
    }
}
