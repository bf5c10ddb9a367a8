//! Unit tests of the checker; the data-driven tests per rule are in
//! `tests/tests/compat.rs`.

use super::*;
use crate::{analyze, AnalysisOptions};

fn run(old: &str, new: &str) -> Vec<Violation> {
    let old = analyze(old, &AnalysisOptions::default());
    let new = analyze(new, &AnalysisOptions::default());
    assert!(!old.has_errors(), "{:?}", old.diagnostics);
    assert!(!new.has_errors(), "{:?}", new.diagnostics);
    check(&old, &new)
}

fn rules(old: &str, new: &str) -> Vec<Rule> {
    run(old, new).into_iter().map(|v| v.rule).collect()
}

#[test]
fn every_example_reports_its_rule() {
    for rule in Rule::ALL {
        let found = rules(rule.example_old(), rule.example_new());
        assert!(found.contains(rule), "{rule}: {found:?}");
    }
}

#[test]
fn identical_schemas_have_no_violations() {
    for rule in Rule::ALL {
        assert_eq!(
            rules(rule.example_old(), rule.example_old()),
            vec![],
            "{rule}"
        );
        assert_eq!(
            rules(rule.example_new(), rule.example_new()),
            vec![],
            "{rule}"
        );
    }
}

#[test]
fn the_id_fix_pins_the_old_id() {
    let old = "karmem demo;\nstruct User table {\n    Id uint32;\n}\n";
    let new = "karmem demo;\nstruct Account table @packed(true) {\n    Id uint32;\n}\n";
    let new_analysis = analyze(new, &AnalysisOptions::default());
    let violations = run(old, new);
    let id = violations
        .iter()
        .find(|v| v.rule == Rule::StructIdChanged)
        .expect("id change");
    let fix = id.fix.as_ref().expect("a fix");
    let mut text = new.to_string();
    for edit in fix.edits.iter().rev() {
        text.replace_range(edit.span.range(), &edit.new_text);
    }
    assert_eq!(
        text,
        "karmem demo;\nstruct Account table @packed(true) @id(11139411273728609426) {\n    Id uint32;\n}\n"
    );
    let fixed = analyze(&text, &AnalysisOptions::default());
    assert!(check(&analyze(old, &AnalysisOptions::default()), &fixed)
        .iter()
        .all(|v| v.rule != Rule::StructIdChanged));
    // An explicit id is replaced.
    let violations = run(
        "karmem demo;\nstruct A table @id(5) {\n    X uint8;\n}\n",
        "karmem demo;\nstruct A table @id(6) {\n    X uint8;\n}\n",
    );
    let edit = &violations[0].fix.as_ref().unwrap().edits[0];
    assert_eq!(edit.new_text, "@id(5)");
    let _ = new_analysis;
}

#[test]
fn ignore_entries() {
    let v = run(
        "karmem demo;\nstruct User table {\n    Id uint32;\n    Legacy uint8;\n}\n",
        "karmem demo;\nstruct User table {\n    Id uint32;\n}\n",
    )
    .remove(0);
    assert_eq!(
        (v.subject.as_str(), v.member.as_deref()),
        ("User", Some("Legacy"))
    );
    assert!(v.matches_ignore("*"));
    assert!(v.matches_ignore("User"));
    assert!(v.matches_ignore("User.Legacy"));
    assert!(!v.matches_ignore("User.Id"));
    assert!(!v.matches_ignore("Use"));
    assert!(!v.matches_ignore("Legacy"));
}

#[test]
fn bare_schemas_can_be_compared() {
    let old = analyze(
        Rule::StructRemoved.example_old(),
        &AnalysisOptions::default(),
    );
    let new = analyze(
        Rule::StructRemoved.example_new(),
        &AnalysisOptions::default(),
    );
    let v = check_schemas(&old.schema, &new.schema);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].new_span, Span::default());
}

#[test]
fn renames_need_clear_evidence() {
    // Two candidates with the same contents: no rename, removals instead.
    let found = rules(
        "karmem demo;\nstruct A table {\n    X uint8;\n}\nstruct B table {\n    X uint8;\n}\n",
        "karmem demo;\nstruct C table {\n    X uint8;\n}\nstruct D table {\n    X uint8;\n}\n",
    );
    assert_eq!(found, [Rule::StructRemoved, Rule::StructRemoved]);
    // A field that kept its name now names the renamed struct.
    let found = rules(
        "karmem demo;\nstruct P inline {\n    X uint8;\n}\nstruct T table {\n    At P;\n}\n",
        "karmem demo;\nstruct Q inline {\n    X uint8;\n    Y uint8;\n}\nstruct T table {\n    At Q;\n}\n",
    );
    assert!(found.contains(&Rule::StructRenamed), "{found:?}");
    assert!(found.contains(&Rule::InlineFieldAdded), "{found:?}");
    // A field renamed and retyped at once is a removal plus an addition.
    let found = rules(
        "karmem demo;\nstruct T table {\n    A uint32;\n    B uint32;\n}\n",
        "karmem demo;\nstruct T table {\n    A uint32;\n    C float32;\n}\n",
    );
    assert_eq!(
        found,
        [Rule::TableLastFieldRemoved, Rule::TableFieldSlotReused]
    );
}

#[test]
fn example_violations_have_a_message_and_effects() {
    // (`Violation::category` is `rule.category()` by definition; nothing to check there.)
    for rule in Rule::ALL {
        for v in run(rule.example_old(), rule.example_new()) {
            assert!(!v.message.is_empty() && !v.effects.is_empty(), "{v:?}");
        }
    }
}

#[test]
fn huge_arrays_are_compared_without_flattening() {
    let found = rules(
        "karmem demo;\nstruct T table {\n    A [100000]uint32;\n    B uint8;\n}\n",
        "karmem demo;\nstruct T table {\n    A [100000]float32;\n    B uint8;\n}\n",
    );
    assert_eq!(found, [Rule::FieldTypeReinterpreted]);
    let found = rules(
        "karmem demo;\nstruct T table {\n    A [100000]uint32;\n    B uint8;\n}\n",
        "karmem demo;\nstruct T table {\n    A [100000]int32;\n    B uint8;\n}\n",
    );
    assert_eq!(found, [Rule::FieldValueRangeChanged]);
    let found = rules(
        "karmem demo;\nstruct T table {\n    A [100000]uint32;\n    B uint8;\n}\n",
        "karmem demo;\nstruct T table {\n    A [100000]uint16;\n    B uint8;\n}\n",
    );
    assert_eq!(found, [Rule::FieldTypeChanged]);
    let found = rules(
        "karmem demo;\nstruct T table {\n    A [100000]uint32;\n}\n",
        "karmem demo;\nstruct T table {\n    A [100001]uint32;\n}\n",
    );
    assert_eq!(found, [Rule::TableLastFieldResized]);
}
