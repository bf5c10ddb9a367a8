//! `karmem layout FILE [--json]`: the memory layout of every struct, and the enums.

use std::fmt::Write as _;
use std::io::Write;

use karmem_syntax::layout_json;
use karmem_syntax::model::{Class, DeclRef, Enum, Schema, Struct};

use super::report;
use super::{input, LayoutArgs, Status};

pub fn run(args: &LayoutArgs) -> Status {
    let source = match input::load(&args.file, &args.analysis.options()) {
        Ok(source) => source,
        Err(error) => {
            report::print_error(&error);
            return Status::Trouble;
        }
    };
    if source.analysis.has_errors() {
        // A schema with errors has no trustworthy layout: no report, only diagnostics.
        report::emit_human(&source, &report::shown(&source, false));
        return Status::Failure;
    }
    let schema = &source.analysis.schema;
    let mut out = if args.json {
        serde_json::to_string_pretty(&layout_json::to_json(schema)).unwrap_or_default()
    } else {
        render(schema)
    };
    if !out.ends_with('\n') {
        out.push('\n');
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Status::Success
}

/// The human-readable report: a header for the schema, then every declaration in source
/// order (enums with their values, structs with a table of their fields).
pub fn render(schema: &Schema) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "schema {}: {}, largest struct {} bytes",
        schema.module,
        if schema.packed {
            "packed"
        } else {
            "not packed"
        },
        schema.largest
    );
    if !schema.tags.is_empty() {
        let tags: Vec<String> = schema
            .tags
            .iter()
            .map(|t| format!("@{}({})", t.name, t.value))
            .collect();
        let _ = writeln!(out, "tags: {}", tags.join(" "));
    }
    for &decl in &schema.order {
        out.push('\n');
        match decl {
            DeclRef::Enum(i) => render_enum(&mut out, &schema.enums[i]),
            DeclRef::Struct(i) => render_struct(&mut out, &schema.structs[i]),
        }
    }
    out
}

fn render_enum(out: &mut String, e: &Enum) {
    let _ = writeln!(
        out,
        "enum {} {}{}",
        e.name,
        e.base_text,
        if e.sequential { " (sequential)" } else { "" }
    );
    let width = e
        .values
        .iter()
        .map(|v| v.name.chars().count())
        .max()
        .unwrap_or(0);
    for v in &e.values {
        let _ = writeln!(out, "    {:<width$} = {}", v.name, v.value);
    }
}

fn render_struct(out: &mut String, s: &Struct) {
    let class = s.class.map_or("(no class)", Class::as_str);
    let _ = writeln!(
        out,
        "struct {} {}, {}, id {}{}",
        s.name,
        class,
        if s.packed { "packed" } else { "not packed" },
        s.id,
        if s.id_explicit { " (@id)" } else { "" }
    );
    let Some(size) = &s.size else {
        let _ = writeln!(out, "    (layout unknown)");
        return;
    };
    let _ = writeln!(
        out,
        "    minimum {}, content {}, padding {}, total {}",
        size.minimum, size.content, size.padding, size.total
    );

    let mut rows: Vec<[String; 5]> = vec![[
        "offset".into(),
        "size".into(),
        "alloc".into(),
        "field".into(),
        "type".into(),
    ]];
    if s.class == Some(Class::Table) {
        rows.push([
            "0".into(),
            "4".into(),
            String::new(),
            "(size header)".into(),
            String::new(),
        ]);
    }
    for f in &s.fields {
        match f.layout {
            Some(l) => rows.push([
                l.offset.to_string(),
                l.field.to_string(),
                l.allocation.to_string(),
                f.name.clone(),
                f.type_text.clone(),
            ]),
            None => rows.push([
                "?".into(),
                "?".into(),
                "?".into(),
                f.name.clone(),
                f.type_text.clone(),
            ]),
        }
    }
    if size.padding > 0 {
        rows.push([
            size.content.to_string(),
            size.padding.to_string(),
            String::new(),
            "(padding)".into(),
            String::new(),
        ]);
    }
    let mut widths = [0usize; 5];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in &rows {
        let line = format!(
            "    {:>w0$}  {:>w1$}  {:>w2$}  {:<w3$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
}
