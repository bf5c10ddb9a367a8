//! `docs/compatibility.md` is rendered from the rule catalogue: every rule's example pair
//! must report that rule, and the committed page must equal the rendering (run with
//! `UPDATE_EXPECT=1` to rewrite it).

use std::path::Path;

use karmem_syntax::compat::{self, render_docs, Category, Rule};
use karmem_syntax::line_index::{Encoding, LineIndex};
use karmem_syntax::{analyze, AnalysisOptions};

/// What the checker reports for a rule's example, as "`line:col` RULE — message".
fn example_output(rule: Rule) -> Option<String> {
    let old = analyze(rule.example_old(), &AnalysisOptions::default());
    let new = analyze(rule.example_new(), &AnalysisOptions::default());
    assert!(
        !old.has_errors() && !new.has_errors(),
        "{rule}: example has errors"
    );
    let index = LineIndex::new(&new.text);
    compat::check(&old, &new)
        .into_iter()
        .find(|v| v.rule == rule)
        .map(|v| {
            let pos = index.line_col(v.new_span.start, Encoding::Utf32);
            format!(
                "`{}:{}` {} — {}",
                pos.line + 1,
                pos.col + 1,
                rule,
                v.message
            )
        })
}

#[test]
fn every_example_reports_its_rule() {
    let missing: Vec<Rule> = Rule::ALL
        .iter()
        .copied()
        .filter(|r| example_output(*r).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "examples that do not report their rule: {missing:?}"
    );
}

#[test]
fn rule_ids_are_unique_and_well_formed() {
    let mut seen = std::collections::HashSet::new();
    for rule in Rule::ALL {
        let s = rule.as_str();
        assert!(
            !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
            "{s}"
        );
        assert!(seen.insert(s), "duplicate rule {s}");
        assert_eq!(s.parse::<Rule>(), Ok(*rule));
    }
    for category in Category::ALL {
        assert_eq!(category.as_str().parse::<Category>(), Ok(category));
    }
}

#[test]
fn categories_nest() {
    use Category::*;
    assert!(Wire.within(Wire) && Wire.within(Source));
    assert!(!Lossy.within(Wire) && Lossy.within(Lossy) && Lossy.within(Id));
    assert!(!Id.within(Lossy) && Id.within(Id) && Id.within(Source));
    assert!(!Source.within(Id) && Source.within(Source));
}

#[test]
fn committed_page_is_up_to_date() {
    let rendered = render_docs(|rule| example_output(rule).unwrap_or_default());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/compatibility.md");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &rendered).expect("write docs/compatibility.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/compatibility.md is out of date: run `UPDATE_EXPECT=1 cargo test -p karmem-tests --test compat_docs`"
    );
}
