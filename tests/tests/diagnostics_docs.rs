//! `docs/diagnostics.md` is rendered from the catalogue: every code's example must produce
//! that code, and the committed page must equal the rendering (run with
//! `UPDATE_EXPECT=1` to rewrite it).

use std::path::Path;

use karmem_syntax::diagnostics::render_docs;
use karmem_syntax::line_index::{Encoding, LineIndex};
use karmem_syntax::{analyze, AnalysisOptions, Code};

/// The diagnostic a code's example produces, as "`line:col`: message".
fn example_output(code: Code) -> Option<String> {
    let options = AnalysisOptions {
        upstream_compatible: code == Code::CommentNotPortable,
    };
    let analysis = analyze(code.example(), &options);
    let index = LineIndex::new(&analysis.text);
    analysis
        .diagnostics
        .iter()
        .find(|d| d.code == code)
        .map(|d| {
            let pos = index.line_col(d.span.start, Encoding::Utf32);
            format!(
                "`{}:{}` {} — {}",
                pos.line + 1,
                pos.col + 1,
                code,
                d.message
            )
        })
}

#[test]
fn every_example_produces_its_code() {
    let missing: Vec<Code> = Code::ALL
        .iter()
        .copied()
        .filter(|c| example_output(*c).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "examples that do not produce their code: {missing:?}"
    );
}

#[test]
fn codes_are_unique_and_well_formed() {
    let mut seen = std::collections::HashSet::new();
    for code in Code::ALL {
        let s = code.as_str();
        assert!(
            s.len() == 6 && s.starts_with("KM") && s[2..].chars().all(|c| c.is_ascii_digit()),
            "{s}"
        );
        assert!(seen.insert(s), "duplicate code {s}");
        assert_eq!(s.parse::<Code>(), Ok(*code));
    }
}

#[test]
fn committed_page_is_up_to_date() {
    let rendered = render_docs(|code| example_output(code).unwrap_or_default());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/diagnostics.md");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &rendered).expect("write docs/diagnostics.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/diagnostics.md is out of date: run `UPDATE_EXPECT=1 cargo test -p karmem-tests --test diagnostics_docs`"
    );
}
