//! [`NameProblem`]: why a target cannot express a valid schema, located at the name that
//! causes it. Every target's `names::problems` returns these; [`crate::Generator::problems`]
//! exposes them to front-ends (the language server reports them per enabled target).

use karmem_syntax::Span;

/// A schema name a target cannot use as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameProblem {
    /// The offending name: a struct, enum, enum value or field name. For a collision
    /// between two names, the second one in source order (the message names the first);
    /// for duplicate struct ids, the second struct's name.
    pub span: Span,
    /// What is wrong, without the target's name (e.g. ``field `A.Reset` would collide with
    /// the method `Reset` of the native struct``).
    pub message: String,
}

impl NameProblem {
    /// A problem at `span`.
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        NameProblem {
            span,
            message: message.into(),
        }
    }
}

/// `Ok` when there are no problems; otherwise [`crate::GenerateError::Unsupported`] listing
/// every one: "the {language} target cannot express this schema: a; b".
pub fn refuse(language: &str, problems: Vec<NameProblem>) -> Result<(), crate::GenerateError> {
    if problems.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = problems.into_iter().map(|p| p.message).collect();
    Err(crate::targets_common::unsupported(
        language,
        list.join("; "),
    ))
}

/// For the targets' tests: the problems `generator` finds in the error-free `text`, as
/// (offset of the span, the text the span covers, message).
#[cfg(test)]
pub(crate) fn located(
    generator: &dyn crate::Generator,
    text: &str,
) -> Vec<(usize, String, String)> {
    let analysis = karmem_syntax::analyze(text, &karmem_syntax::AnalysisOptions::default());
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    generator
        .problems(&analysis.schema)
        .into_iter()
        .map(|p| {
            (
                p.span.start,
                text[p.span.start..p.span.end].to_string(),
                p.message,
            )
        })
        .collect()
}
