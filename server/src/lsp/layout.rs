//! The `karmem/layout` request (docs/lsp-extensions.md): the layout JSON of
//! `karmem layout --json` (`karmem_syntax::layout_json`), for one struct or the whole file.

use karmem_syntax::layout_json::to_json;
use karmem_syntax::Analysis;
use serde::Deserialize;
use serde_json::{json, Value};
use tower_lsp_server::ls_types::{Position, TextDocumentIdentifier};

pub const METHOD: &str = "karmem/layout";

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LayoutParams {
    pub text_document: TextDocumentIdentifier,
    #[serde(default)]
    pub position: Option<Position>,
}

/// The report for `analysis`: `{"struct": <object>, "complete": bool}` for the struct with
/// index `struct_index` in `schema.structs`, else the whole document plus `"complete"`.
///
/// `complete` is false when the file has errors. Then the numbers the model does not know
/// (the size of a struct whose layout depends on something broken, and its fields' offsets
/// and sizes) are `null` instead of the `0` the CLI report would print.
pub fn report(analysis: &Analysis, struct_index: Option<usize>) -> Value {
    let complete = !analysis.has_errors();
    let schema = &analysis.schema;
    let mut doc = to_json(schema);

    // The report lists structs in source order.
    let mut order: Vec<usize> = (0..schema.structs.len()).collect();
    order.sort_by_key(|&i| schema.structs[i].name_span.start);

    if let Some(structs) = doc.get_mut("structs").and_then(Value::as_array_mut) {
        for (report, &i) in structs.iter_mut().zip(&order) {
            let s = &schema.structs[i];
            if s.size.is_none() {
                report["size"] = Value::Null;
            }
            if let Some(fields) = report.get_mut("fields").and_then(Value::as_array_mut) {
                for (f_report, f) in fields.iter_mut().zip(&s.fields) {
                    if f.layout.is_none() {
                        f_report["offset"] = Value::Null;
                        f_report["size"] = Value::Null;
                    }
                }
            }
        }
    }

    if let Some(i) = struct_index {
        if let Some(rank) = order.iter().position(|&j| j == i) {
            if let Some(s) = doc.get("structs").and_then(|s| s.get(rank)) {
                return json!({ "struct": s.clone(), "complete": complete });
            }
        }
    }
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("complete".to_string(), Value::Bool(complete));
    }
    doc
}
