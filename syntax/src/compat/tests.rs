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
        assert_eq!(rules(rule.example_old(), rule.example_old()), vec![], "{rule}");
        assert_eq!(rules(rule.example_new(), rule.example_new()), vec![], "{rule}");
    }
}

#[test]
#[ignore]
fn dump_examples() {
    for rule in Rule::ALL {
        println!("== {rule}");
        for v in run(rule.example_old(), rule.example_new()) {
            println!("  {} [{}] {} | new {:?} old {:?}", v.rule, v.category(), v.message, v.new_span, v.old_span);
            for e in &v.effects { println!("      {}: {}", e.who.as_str(), e.what); }
            if let Some(h) = &v.help { println!("      help: {h}"); }
        }
    }
}
