//! Printing diagnostics: source excerpts (codespan-reporting), JSON lines, GitHub Actions
//! annotations, and the summary line.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream, WriteColor};
use codespan_reporting::term::{self, Config};
use karmem_syntax::line_index::{Encoding, LineIndex};
use karmem_syntax::{Diagnostic, Severity, Span};
use serde::Serialize;

use super::input::Source;

/// Whether a diagnostic is shown: errors and warnings always, hints only when asked for.
pub fn is_shown(diagnostic: &Diagnostic, hints: bool) -> bool {
    hints || diagnostic.severity != Severity::Hint
}

/// The diagnostics of `source` that are shown.
pub fn shown(source: &Source, hints: bool) -> Vec<&Diagnostic> {
    source
        .analysis
        .diagnostics
        .iter()
        .filter(|d| is_shown(d, hints))
        .collect()
}

/// Prints `error: {message}` on standard error.
pub fn print_error(message: impl std::fmt::Display) {
    eprintln!("error: {message}");
}

/// Colours for standard error: only when it is a terminal.
pub fn stderr_color() -> ColorChoice {
    if std::io::stderr().is_terminal() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    }
}

/// Prints diagnostics with source excerpts on standard error.
pub fn emit_human(source: &Source, diagnostics: &[&Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let stream = StandardStream::stderr(stderr_color());
    let mut out = stream.lock();
    render_human(&mut out, &source.name, &source.analysis.text, diagnostics);
}

/// Renders diagnostics with source excerpts: `error[KM0200]: message`, the primary span,
/// related spans as secondary labels and the fix title as a `help:` note.
pub fn render_human(out: &mut dyn WriteColor, name: &str, text: &str, diagnostics: &[&Diagnostic]) {
    let file = SimpleFile::new(name, text);
    let config = Config::default();
    for diagnostic in diagnostics {
        let report = to_report(text, diagnostic);
        if term::emit_to_write_style(out, &config, &file, &report).is_err() {
            // Should not happen (spans are clamped); fall back to a plain line.
            let index = LineIndex::new(text);
            let pos = index.line_col(diagnostic.span.start, Encoding::Utf32);
            let _ = writeln!(
                out,
                "{}[{}]: {}\n  --> {}:{}:{}",
                diagnostic.severity.as_str(),
                diagnostic.code,
                diagnostic.message,
                name,
                pos.line + 1,
                pos.col + 1
            );
        }
    }
}

fn to_report(text: &str, diagnostic: &Diagnostic) -> Report<()> {
    let severity = match diagnostic.severity {
        Severity::Error => ReportSeverity::Error,
        Severity::Warning => ReportSeverity::Warning,
        Severity::Hint => ReportSeverity::Help,
    };
    let mut labels = vec![Label::primary((), byte_range(text, diagnostic.span))];
    for related in &diagnostic.related {
        labels.push(
            Label::secondary((), byte_range(text, related.span)).with_message(&related.message),
        );
    }
    let notes = diagnostic
        .fix
        .iter()
        .map(|fix| format!("help: {}", fix.title))
        .collect();
    Report::new(severity)
        .with_code(diagnostic.code.as_str())
        .with_message(&diagnostic.message)
        .with_labels(labels)
        .with_notes(notes)
}

/// The span clamped to the text and widened to character boundaries.
pub fn byte_range(text: &str, span: Span) -> Range<usize> {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// 1-based start and end positions, columns in characters; the end is just past the last
/// character of the span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Position {
    pub fn of(index: &LineIndex, span: Span) -> Position {
        let (start, end) = index.range(span, Encoding::Utf32);
        Position {
            line: start.line + 1,
            column: start.col + 1,
            end_line: end.line + 1,
            end_column: end.col + 1,
        }
    }
}

/// One line of `check --format json`.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub severity: &'static str,
    pub code: &'static str,
    pub message: &'a str,
}

/// `check --format json`: one JSON object (no newline).
pub fn json_line(file: &str, index: &LineIndex, diagnostic: &Diagnostic) -> String {
    let pos = Position::of(index, diagnostic.span);
    let line = JsonDiagnostic {
        file,
        line: pos.line,
        column: pos.column,
        end_line: pos.end_line,
        end_column: pos.end_column,
        severity: diagnostic.severity.as_str(),
        code: diagnostic.code.as_str(),
        message: &diagnostic.message,
    };
    serde_json::to_string(&line).unwrap_or_default()
}

/// `check --format github`: one workflow command (no newline).
pub fn github_line(file: &str, index: &LineIndex, diagnostic: &Diagnostic) -> String {
    let pos = Position::of(index, diagnostic.span);
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Hint => "notice",
    };
    format!(
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(file),
        pos.line,
        pos.column,
        pos.end_line,
        pos.end_column,
        escape_property(diagnostic.code.as_str()),
        escape_data(&diagnostic.message)
    )
}

/// Writes diagnostics one per line: as [`json_line`]s when `json`, else as
/// [`github_line`]s.
pub fn write_lines(
    out: &mut dyn std::io::Write,
    json: bool,
    name: &str,
    text: &str,
    diagnostics: &[&Diagnostic],
) {
    let index = LineIndex::new(text);
    for diagnostic in diagnostics {
        let line = if json {
            json_line(name, &index, diagnostic)
        } else {
            github_line(name, &index, diagnostic)
        };
        // A closed pipe is not worth a panic.
        let _ = writeln!(out, "{line}");
    }
}

/// Escapes a workflow command's message (`%`, CR, LF).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (the message escapes plus `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Counts of shown diagnostics, for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub hints: usize,
}

impl Counts {
    pub fn add(&mut self, diagnostics: &[&Diagnostic]) {
        for d in diagnostics {
            match d.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Hint => self.hints += 1,
            }
        }
    }

    /// `2 errors, 1 warning in 3 files` (hints are mentioned when shown).
    pub fn summary(&self, files: usize, with_hints: bool) -> String {
        let mut s = format!(
            "{}, {}",
            plural(self.errors, "error"),
            plural(self.warnings, "warning")
        );
        if with_hints {
            let _ = write!(s, ", {}", plural(self.hints, "hint"));
        }
        let _ = write!(s, " in {}", plural(files, "file"));
        s
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codespan_reporting::term::termcolor::NoColor;
    use karmem_syntax::Code;

    fn sample() -> Diagnostic {
        // The error is on `B` of line 2, after a non-ASCII character (2 bytes, 1 column).
        Diagnostic::new(Code::UnknownType, Span::new(27, 28), "unknown type `B`")
            .with_related(Span::new(0, 6), "header here")
            .with_fix("declare `B` first", Span::new(0, 0), "")
    }

    const TEXT: &str = "karmem demo;\nstruct Ä { X B; }\n";

    #[test]
    fn human_output_has_code_location_related_and_help() {
        let mut out = NoColor::new(Vec::new());
        let d = sample();
        render_human(&mut out, "a.km", TEXT, &[&d]);
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(text.contains("error[KM0200]: unknown type `B`"), "{text}");
        assert!(text.contains("a.km:2:"), "{text}");
        assert!(text.contains("header here"), "{text}");
        assert!(text.contains("help: declare `B` first"), "{text}");
    }

    #[test]
    fn out_of_range_spans_do_not_panic() {
        let mut out = NoColor::new(Vec::new());
        let d = Diagnostic::new(Code::Missing, Span::new(15, 500), "x")
            .with_related(Span::new(999, 1000), "y");
        render_human(&mut out, "a.km", TEXT, &[&d]);
        assert!(!out.into_inner().is_empty());
    }

    #[test]
    fn byte_range_stays_in_text() {
        assert_eq!(byte_range("aé", Span::new(2, 9)), 1..3);
        assert_eq!(byte_range("", Span::new(5, 9)), 0..0);
    }

    #[test]
    fn json_positions_are_one_based_characters() {
        let index = LineIndex::new(TEXT);
        let d = sample();
        let line = json_line("a.km", &index, &d);
        assert_eq!(
            line,
            r#"{"file":"a.km","line":2,"column":14,"end_line":2,"end_column":15,"severity":"error","code":"KM0200","message":"unknown type `B`"}"#
        );
    }

    #[test]
    fn github_annotations_escape() {
        let index = LineIndex::new(TEXT);
        let mut d = sample();
        d.message = "50% of a\nline".into();
        let line = github_line("dir,x:y.km", &index, &d);
        assert_eq!(
            line,
            "::error file=dir%2Cx%3Ay.km,line=2,col=14,endLine=2,endColumn=15,title=KM0200::50%25 of a%0Aline"
        );
    }

    #[test]
    fn summary_wording() {
        let counts = Counts {
            errors: 2,
            warnings: 1,
            hints: 0,
        };
        assert_eq!(counts.summary(3, false), "2 errors, 1 warning in 3 files");
        assert_eq!(
            Counts::default().summary(1, true),
            "0 errors, 0 warnings, 0 hints in 1 file"
        );
    }
}
