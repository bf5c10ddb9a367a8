//! The conformance corpus (`../shared/corpus`): every schema with upstream's verdict.
//!
//! * `NAME.json`: upstream accepts; our layout JSON must equal it as a JSON value — unless
//!   policy.md §3 makes us stricter, in which case the error must be one of those rules.
//! * `NAME.upstream-error`: upstream rejects; we must report an error of the matching kind,
//!   on the line upstream names (upstream lines are 0-based, ours 1-based).

use std::path::{Path, PathBuf};

use karmem_syntax::line_index::{Encoding, LineIndex};
use karmem_syntax::{analyze, layout_json, Analysis, AnalysisOptions, Code, Diagnostic};

fn corpus_dirs() -> Option<Vec<PathBuf>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if !root.is_dir() {
        println!("skipped: ../shared not present");
        return None;
    }
    Some(vec![root.join("generated"), root.join("upstream")])
}

fn schemas(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "km"));
    files.sort();
    files
}

fn load(path: &Path) -> (String, Analysis) {
    let bytes = std::fs::read(path).expect("corpus file is readable");
    // Upstream decodes invalid UTF-8 as U+FFFD; so do we for the corpus.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let analysis = analyze(&text, &AnalysisOptions::default());
    (text, analysis)
}

fn errors(analysis: &Analysis) -> Vec<&Diagnostic> {
    analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect()
}

/// Codes with which policy.md §3 rejects input upstream accepts.
const STRICTER: &[Code] = &[
    Code::NulByte,
    Code::Header,
    Code::Spacing,
    Code::Missing,
    Code::DuplicateType,
    Code::TagSyntax,
    Code::InvalidLength,
    Code::SizeOverflow,
    Code::Syntax,
];

/// The codes that name the problem behind an upstream message (language.md §6).
fn expected_codes(message: &str) -> &'static [Code] {
    let table: &[(&str, &[Code])] = &[
        (
            "bufio: invalid use of UnreadRune",
            &[Code::Spacing, Code::Missing, Code::Syntax, Code::LineBreak],
        ),
        ("invalid header, expecting \"karmem", &[Code::Header]),
        (
            "invalid header",
            &[
                Code::Header,
                Code::Spacing,
                Code::InvalidName,
                Code::LineBreak,
                Code::Missing,
                Code::Syntax,
                Code::UnexpectedChar,
            ],
        ),
        ("invalid value of", &[Code::InvalidPacked]),
        (
            "invalid tag",
            &[Code::TagSyntax, Code::Syntax, Code::UnexpectedChar],
        ),
        // A header without `;` makes upstream skip text up to the next `;`: the cause is
        // the missing `;`, the symptom a declaration that "does not start with enum".
        (
            "invalid type, expecting \"enum\" or \"struct\"",
            &[Code::Syntax, Code::UnexpectedChar, Code::Missing],
        ),
        // A missing `}` makes upstream read the next `struct` keyword as a field name.
        (
            "invalid field name, names can't start with lowercase",
            &[Code::LowercaseName, Code::Missing],
        ),
        (
            "invalid enum name, expecting",
            &[Code::InvalidName, Code::Syntax],
        ),
        (
            "invalid enum, expecting \"[type] [@tag()] {\"",
            &[Code::Syntax],
        ),
        (
            "invalid enum, expecting",
            &[Code::Syntax, Code::LineBreak, Code::UnexpectedChar],
        ),
        ("invalid name, enum names", &[Code::Syntax]),
        (
            "invalid enum name, got",
            &[
                Code::Spacing,
                Code::Syntax,
                Code::InvalidName,
                Code::LineBreak,
                Code::UnexpectedChar,
                Code::Empty,
            ],
        ),
        (
            "invalid enum value",
            &[
                Code::Syntax,
                Code::UnexpectedChar,
                Code::LineBreak,
                Code::TagSyntax,
            ],
        ),
        ("strconv.Parse", &[Code::EnumValueRange]),
        ("invalid enum type", &[Code::InvalidEnumBase]),
        ("duplicated enum field name", &[Code::DuplicateValue]),
        ("duplicated enum name", &[Code::DuplicateType]),
        ("doesn't have default value", &[Code::EnumNoZero]),
        (
            "invalid struct name, can't start with number",
            &[Code::Syntax],
        ),
        (
            "invalid struct name",
            &[Code::InvalidName, Code::Syntax, Code::InvalidClass],
        ),
        ("invalid struct format", &[Code::InvalidClass, Code::Syntax]),
        ("invalid struct, missing type", &[Code::InvalidClass]),
        (
            "invalid struct, missing open",
            &[Code::LineBreak, Code::Syntax, Code::InvalidClass],
        ),
        (
            "invalid name, names can't start with numbers",
            &[Code::Syntax],
        ),
        (
            "invalid struct field name",
            &[
                Code::Empty,
                Code::Syntax,
                Code::InvalidName,
                Code::LineBreak,
                Code::UnexpectedChar,
                Code::Spacing,
            ],
        ),
        ("invalid array type name", &[Code::Syntax]),
        ("invalid length of", &[Code::InvalidLength, Code::Syntax]),
        ("invalid type name, types must start", &[Code::Syntax]),
        ("invalid array length", &[Code::Syntax]),
        (
            "invalid struct field type",
            &[
                Code::Syntax,
                Code::UnexpectedChar,
                Code::Missing,
                Code::LineBreak,
                Code::TagSyntax,
            ],
        ),
        ("duplicated struct field name", &[Code::DuplicateField]),
        ("invalid type of", &[Code::UnknownType]),
        ("invalid usafe of array/slice", &[Code::ArrayOfEnumOrTable]),
        (
            "invalid struct, expecting \"}\"",
            &[
                Code::Syntax,
                Code::Missing,
                Code::UnexpectedChar,
                Code::NulByte,
            ],
        ),
        ("duplicated struct name", &[Code::DuplicateType]),
        ("invalid id of", &[Code::InvalidId]),
    ];
    table
        .iter()
        .find(|(pattern, _)| message.contains(pattern))
        .map(|(_, codes)| *codes)
        .unwrap_or(&[])
}

/// Splits `error on F:LINE:COL: MESSAGE` into (line, message).
fn parse_upstream_error(text: &str) -> (u32, String) {
    let rest = text
        .trim_end()
        .strip_prefix("error on ")
        .expect("upstream error format");
    let mut parts = rest.splitn(4, ':');
    let _file = parts.next();
    let line: u32 = parts
        .next()
        .and_then(|l| l.parse().ok())
        .expect("line number");
    let _col = parts.next();
    let message = parts.next().unwrap_or("").trim().to_string();
    (line, message)
}

/// The JSON pointer of the first place where two values differ, with both values.
fn first_difference(
    expected: &serde_json::Value,
    actual: &serde_json::Value,
    at: String,
) -> String {
    use serde_json::Value;
    match (expected, actual) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                match b.get(key) {
                    Some(other) if other != value => {
                        return first_difference(value, other, format!("{at}/{key}"))
                    }
                    None => return format!("{at}/{key}: missing"),
                    _ => {}
                }
            }
            format!("{at}: extra keys")
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            let i = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(0);
            first_difference(&a[i], &b[i], format!("{at}/{i}"))
        }
        _ => format!("{at}: expected {expected}, found {actual}"),
    }
}

fn describe(path: &Path, analysis: &Analysis) -> String {
    let index = LineIndex::new(&analysis.text);
    let mut out = format!("{}:\n", path.display());
    for d in &analysis.diagnostics {
        let pos = index.line_col(d.span.start, Encoding::Utf32);
        out.push_str(&format!(
            "  {}:{} {} {} {}\n",
            pos.line + 1,
            pos.col + 1,
            d.severity.as_str(),
            d.code,
            d.message
        ));
    }
    out
}

#[test]
fn corpus_matches_upstream() {
    let Some(dirs) = corpus_dirs() else { return };
    let mut failures = Vec::new();
    let (mut accepted, mut rejected, mut stricter) = (0, 0, 0);
    for dir in dirs {
        for path in schemas(&dir) {
            let (_, analysis) = load(&path);
            let json_path = path.with_extension("json");
            let error_path = path.with_extension("upstream-error");
            if json_path.exists() {
                let errors = errors(&analysis);
                if errors.is_empty() {
                    let expected: serde_json::Value =
                        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap())
                            .unwrap();
                    let actual = layout_json::to_json(&analysis.schema);
                    if actual != expected {
                        failures.push(format!(
                            "{}: layout differs at {}",
                            path.display(),
                            first_difference(&expected, &actual, String::new())
                        ));
                    }
                    accepted += 1;
                } else if errors.iter().all(|d| STRICTER.contains(&d.code)) {
                    stricter += 1;
                    println!(
                        "stricter than upstream (policy.md §3): {}",
                        describe(&path, &analysis)
                    );
                } else {
                    failures.push(format!(
                        "upstream accepts, we reject: {}",
                        describe(&path, &analysis)
                    ));
                }
            } else if error_path.exists() {
                rejected += 1;
                let (line, message) =
                    parse_upstream_error(&std::fs::read_to_string(&error_path).unwrap());
                let codes = expected_codes(&message);
                let index = LineIndex::new(&analysis.text);
                // Our lines are 1-based, upstream's 0-based (and one more after an un-read line
                // feed, Q16). Upstream reports where its reader gives up, which can be some
                // lines after the cause (a missing `;` or `}`, an enum without 0 reported at
                // its `}`), while we point at the cause: so our error must be of the right
                // kind, at most one line after upstream's and at most ten lines before it.
                let upstream_line = line + 1;
                let matching = errors(&analysis).into_iter().any(|d| {
                    let our_line = index.line_col(d.span.start, Encoding::Utf8).line + 1;
                    codes.contains(&d.code)
                        && our_line <= upstream_line + 1
                        && our_line + 10 >= upstream_line
                });
                if !matching {
                    failures.push(format!(
                        "upstream rejects with `{message}` on line {} (1-based); we report: {}",
                        line + 1,
                        describe(&path, &analysis)
                    ));
                }
            }
        }
    }
    println!("corpus: {accepted} accepted with equal layouts, {stricter} rejected by policy, {rejected} rejected like upstream");
    // A missing or emptied corpus directory must not pass as a clean run.
    assert!(
        accepted > 50 && rejected > 50,
        "only {accepted} accepted and {rejected} rejected corpus schemas checked"
    );
    assert!(
        failures.is_empty(),
        "{} corpus failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
