//! The Zig driver of the cross-language harness: our generator's `<module>_generated.zig`,
//! our runtime (`codegen/runtime/zig/karmem.zig`, registered as the package `karmem`) and
//! a `driver.zig` generated from the model, built with `zig build-exe` (Zig 0.10 syntax,
//! Debug mode, so safety checks catch out-of-bounds access and bad casts).
//!
//! Builds are cached: the sources are compared with the previous build's and the compiler
//! runs only when something changed. The compiler caches live below the build root.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use karmem_codegen::zig::{enum_type, ident, primitive_type};
use karmem_codegen::TargetOptions;
use karmem_syntax::model::{Class, Primitive, Schema, Struct, TypeModel, TypeTarget};
use serde_json::Value;

use super::{
    find_tool, float_bits_to_write, integer_text, run_command, runtime_dir, BuildInput, Case,
    Driver, Language,
};

/// The `zig` target.
pub struct Zig;

impl Language for Zig {
    fn name(&self) -> &'static str {
        "zig"
    }

    fn tools(&self) -> &'static [&'static str] {
        &["zig"]
    }

    fn build(&self, input: &BuildInput) -> Result<Driver, String> {
        let zig = find_tool("zig").ok_or("zig not installed")?;
        let analysis =
            karmem_syntax::analyze(input.text, &karmem_syntax::AnalysisOptions::default());
        let module = analysis.schema.module.clone();
        let files = karmem_codegen::generate(
            karmem_codegen::generator("zig").ok_or("no zig generator")?,
            &analysis,
            &format!("{module}.km"),
            &TargetOptions::new(),
        )
        .map_err(|e| format!("generate: {e}"))?;
        let generated = files.first().ok_or("no file generated")?;
        let runtime = std::fs::read_to_string(runtime_dir("zig").join("karmem.zig"))
            .map_err(|e| format!("runtime: {e}"))?;
        let driver = driver_source(input.schema, &generated.path, input.cases);

        let dir = input.dir;
        let program = dir.join("driver");
        let stamp = karmem_codegen::schema_hash(&format!(
            "{}\0{runtime}\0{driver}\0{}",
            generated.contents,
            zig.display()
        ));
        let stamp_path = dir.join("stamp");
        let up_to_date =
            program.is_file() && std::fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp);
        if !up_to_date {
            let _ = std::fs::remove_file(&stamp_path);
            std::fs::create_dir_all(dir.join("karmem")).map_err(|e| e.to_string())?;
            write(&dir.join("karmem/karmem.zig"), &runtime)?;
            write(&dir.join(&generated.path), &generated.contents)?;
            write(&dir.join("driver.zig"), &driver)?;
            let global = dir.parent().unwrap_or(dir).join("zig-global-cache");
            let mut cmd = Command::new(&zig);
            cmd.current_dir(dir)
                .args(["build-exe", "driver.zig", "--pkg-begin", "karmem"])
                .arg("karmem/karmem.zig")
                .args(["--pkg-end", "-femit-bin=driver"])
                .env("ZIG_GLOBAL_CACHE_DIR", &global)
                .env("ZIG_LOCAL_CACHE_DIR", dir.join("zig-cache"))
                .env("HOME", dir)
                .env("XDG_CACHE_HOME", dir.join("zig-cache"));
            run_command(&mut cmd, None)?;
            write(&stamp_path, &stamp)?;
        }
        Ok(Driver {
            program,
            args: Vec::new(),
            env: Vec::new(),
        })
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Whether the identifier `word` occurs in `body` (not inside a longer identifier, not
/// after a `.`), to discard exactly the unused parameters.
fn uses(body: &str, word: &str) -> bool {
    let bytes = body.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    body.match_indices(word).any(|(at, _)| {
        let end = at + word.len();
        (at == 0 || !(is_ident(bytes[at - 1]) || bytes[at - 1] == b'.'))
            && (end >= bytes.len() || !is_ident(bytes[end]))
    })
}

fn function(o: &mut String, signature: &str, params: &[&str], body: &str) {
    let _ = writeln!(o, "{signature} {{");
    for p in params {
        if !uses(body, p) {
            let _ = writeln!(o, "    _ = {p};");
        }
    }
    o.push_str(body);
    let _ = writeln!(o, "}}\n");
}

/// `Name` as a Zig string literal's content (schema names hold letters and numbers only).
fn text(name: &str) -> String {
    name.escape_default().to_string()
}

fn is_string(target: TypeTarget, model: TypeModel) -> bool {
    target == TypeTarget::Primitive(Primitive::Char)
        && matches!(model, TypeModel::Slice | TypeModel::SliceLimited)
}

/// The driver program for `schema` and `cases`.
fn driver_source(schema: &Schema, generated: &str, cases: &[Case]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "// The harness driver (generated by karmem-tests).\nconst std = @import(\"std\");\nconst karmem = @import(\"karmem\");\nconst km = @import(\"{generated}\");\n"
    );
    o.push_str(SUPPORT);
    for (i, s) in schema.structs.iter().enumerate() {
        dump_object(&mut o, i, s);
        dump_view(&mut o, schema, i, s);
    }
    for (i, case) in cases.iter().enumerate() {
        let index = schema
            .structs
            .iter()
            .position(|s| s.name == case.root)
            .expect("case root");
        let s = &schema.structs[index];
        let value = struct_value(schema, s, &case.value);
        let _ = writeln!(
            o,
            "fn case{i}() km.{} {{\n    return {value};\n}}\n",
            ident(&s.name)
        );
    }
    o.push_str("fn encode(w: anytype) !void {\n    var writer = try karmem.NewWriter(std.heap.page_allocator, 16);\n    defer writer.Free();\n");
    for i in 0..cases.len() {
        let _ = writeln!(
            o,
            "    {{\n        writer.Reset();\n        var value = case{i}();\n        _ = try value.WriteAsRoot(&writer);\n        try w.print(\"{{}}\\n\", .{{std.fmt.fmtSliceHexLower(writer.Bytes())}});\n    }}"
        );
    }
    o.push_str("}\n\nfn decodeOne(w: anytype, root: []const u8, reader: *karmem.Reader) !void {\n");
    for (i, s) in schema.structs.iter().enumerate() {
        let _ = writeln!(
            o,
            "    if (std.mem.eql(u8, root, \"{}\")) {{\n        var value = km.{}();\n        try value.ReadAsRoot(reader);\n        obj{i}(w, \"\", &value);\n        try w.writeAll(\"--\\n\");\n        view{i}(w, \"\", km.{}(reader, 0), reader);\n        return;\n    }}",
            text(&s.name),
            ident(&format!("New{}", s.name)),
            ident(&format!("New{}Viewer", s.name)),
        );
    }
    o.push_str("    return error.UnknownRoot;\n}\n");
    o.push_str(MAIN);
    o
}

const SUPPORT: &str = r#"var arena_state = std.heap.ArenaAllocator.init(std.heap.page_allocator);

fn dup(comptime T: type, items: []const T) []T {
    return arena_state.allocator().dupe(T, items) catch unreachable;
}

fn putF32(w: anytype, v: f32) void {
    if (std.math.isNan(v)) {
        w.writeAll("nan\n") catch unreachable;
    } else {
        w.print("{x:0>8}\n", .{@bitCast(u32, v)}) catch unreachable;
    }
}

fn putF64(w: anytype, v: f64) void {
    if (std.math.isNan(v)) {
        w.writeAll("nan\n") catch unreachable;
    } else {
        w.print("{x:0>16}\n", .{@bitCast(u64, v)}) catch unreachable;
    }
}

"#;

const MAIN: &str = r#"
pub fn main() !void {
    const alloc = arena_state.allocator();
    const args = try std.process.argsAlloc(alloc);
    if (args.len < 2) return error.MissingMode;
    var buffered = std.io.bufferedWriter(std.io.getStdOut().writer());
    const w = buffered.writer();
    if (std.mem.eql(u8, args[1], "encode")) {
        try encode(w);
    } else if (std.mem.eql(u8, args[1], "decode")) {
        const input = try std.io.getStdIn().reader().readAllAlloc(alloc, 1 << 30);
        var lines = std.mem.split(u8, input, "\n");
        while (lines.next()) |line| {
            const space = std.mem.indexOfScalar(u8, line, ' ') orelse continue;
            const digits = std.mem.trim(u8, line[space + 1 ..], " \r");
            var bytes = try alloc.alloc(u8, digits.len / 2);
            _ = try std.fmt.hexToBytes(bytes, digits);
            var reader = karmem.NewReader(alloc, bytes);
            try decodeOne(w, line[0..space], &reader);
            try w.writeAll("==\n");
        }
    } else {
        return error.UnknownMode;
    }
    try buffered.flush();
}
"#;

/// How the dump prints one element of type `target` held in `expr` (`object`: a native
/// value; else a viewer's), with the path text `path` and format arguments `args`.
fn dump_element(
    o: &mut String,
    target: TypeTarget,
    expr: &str,
    path: &str,
    args: &str,
    object: bool,
    indent: &str,
) {
    match target {
        TypeTarget::Primitive(Primitive::Float32) => {
            let _ = writeln!(o, "{indent}w.print(\"{path}=\", .{{{args}}}) catch unreachable;\n{indent}putF32(w, {expr});");
        }
        TypeTarget::Primitive(Primitive::Float64) => {
            let _ = writeln!(o, "{indent}w.print(\"{path}=\", .{{{args}}}) catch unreachable;\n{indent}putF64(w, {expr});");
        }
        TypeTarget::Primitive(Primitive::Bool) => {
            let _ = writeln!(
                o,
                "{indent}w.print(\"{path}={{}}\\n\", .{{{args}, {expr}}}) catch unreachable;"
            );
        }
        TypeTarget::Primitive(_) => {
            let _ = writeln!(
                o,
                "{indent}w.print(\"{path}={{d}}\\n\", .{{{args}, {expr}}}) catch unreachable;"
            );
        }
        TypeTarget::Enum(_) => {
            let _ = writeln!(
                o,
                "{indent}w.print(\"{path}={{d}}\\n\", .{{{args}, @enumToInt({expr})}}) catch unreachable;"
            );
        }
        TypeTarget::Struct(i) => {
            let _ = writeln!(
                o,
                "{indent}{{\n{indent}    var buf: [1024]u8 = undefined;\n{indent}    const p = std.fmt.bufPrint(&buf, \"{path}.\", .{{{args}}}) catch unreachable;"
            );
            if object {
                let _ = writeln!(o, "{indent}    obj{i}(w, p, {expr});");
            } else {
                let _ = writeln!(o, "{indent}    view{i}(w, p, {expr}, r);");
            }
            let _ = writeln!(o, "{indent}}}");
        }
    }
}

fn dump_object(o: &mut String, index: usize, s: &Struct) {
    let mut body = String::new();
    for f in &s.fields {
        let target = f.target.expect("valid schema");
        let name = ident(&f.name);
        let label = text(&f.name);
        let field = format!("x.{name}");
        if is_string(target, f.model) {
            let _ = writeln!(body, "    w.print(\"{{s}}{label}={{}}\\n\", .{{prefix, std.fmt.fmtSliceHexLower({field})}}) catch unreachable;");
        } else if f.model == TypeModel::Single {
            let expr = match target {
                TypeTarget::Struct(_) => format!("&{field}"),
                _ => field,
            };
            dump_element(
                &mut body,
                target,
                &expr,
                &format!("{{s}}{label}"),
                "prefix",
                true,
                "    ",
            );
        } else {
            let _ = writeln!(body, "    w.print(\"{{s}}{label}#={{d}}\\n\", .{{prefix, {field}.len}}) catch unreachable;");
            let _ = writeln!(body, "    for ({field}) |*e, i| {{");
            dump_element(
                &mut body,
                target,
                if matches!(target, TypeTarget::Struct(_)) {
                    "e"
                } else {
                    "e.*"
                },
                &format!("{{s}}{label}[{{d}}]"),
                "prefix, i",
                true,
                "        ",
            );
            let _ = writeln!(body, "    }}");
        }
    }
    function(
        o,
        &format!(
            "fn obj{index}(w: anytype, prefix: []const u8, x: *const km.{}) void",
            ident(&s.name)
        ),
        &["w", "prefix", "x"],
        &body,
    );
}

fn dump_view(o: &mut String, schema: &Schema, index: usize, s: &Struct) {
    let mut body = String::new();
    for f in &s.fields {
        let target = f.target.expect("valid schema");
        let name = ident(&f.name);
        let label = text(&f.name);
        let table_field = matches!(target, TypeTarget::Struct(i) if schema.structs[i].class == Some(Class::Table));
        let with_reader =
            f.model == TypeModel::Slice || f.model == TypeModel::SliceLimited || table_field;
        let call = if with_reader {
            format!("x.{name}(r)")
        } else {
            format!("x.{name}()")
        };
        if is_string(target, f.model) {
            let _ = writeln!(body, "    w.print(\"{{s}}{label}={{}}\\n\", .{{prefix, std.fmt.fmtSliceHexLower({call})}}) catch unreachable;");
        } else if f.model == TypeModel::Single {
            dump_element(
                &mut body,
                target,
                &call,
                &format!("{{s}}{label}"),
                "prefix",
                false,
                "    ",
            );
        } else {
            let _ = writeln!(body, "    {{\n        const items = {call};");
            let _ = writeln!(body, "        w.print(\"{{s}}{label}#={{d}}\\n\", .{{prefix, items.len}}) catch unreachable;");
            let _ = writeln!(body, "        for (items) |*e, i| {{");
            let expr = match target {
                TypeTarget::Struct(_) => "e".to_string(),
                TypeTarget::Primitive(Primitive::Bool) => "e.* != 0".to_string(),
                _ => "e.*".to_string(),
            };
            dump_element(
                &mut body,
                target,
                &expr,
                &format!("{{s}}{label}[{{d}}]"),
                "prefix, i",
                false,
                "            ",
            );
            let _ = writeln!(body, "        }}\n    }}");
        }
    }
    function(
        o,
        &format!(
            "fn view{index}(w: anytype, prefix: []const u8, x: *const km.{}, r: *karmem.Reader) void",
            ident(&format!("{}Viewer", s.name))
        ),
        &["w", "prefix", "x", "r"],
        &body,
    );
}

/// A native value of struct `s` as a Zig expression (from canonical JSON).
fn struct_value(schema: &Schema, s: &Struct, value: &Value) -> String {
    let mut parts = Vec::new();
    for f in &s.fields {
        let target = f.target.expect("valid schema");
        let member = &value[f.name.as_str()];
        let name = ident(&f.name);
        let expr = if is_string(target, f.model) {
            let bytes = member.as_str().unwrap_or_default().as_bytes();
            let list: Vec<String> = bytes.iter().map(|b| b.to_string()).collect();
            format!("dup(u8, &[_]u8{{{}}})", list.join(", "))
        } else if f.model == TypeModel::Single {
            element_value(schema, target, member)
        } else {
            let empty = Vec::new();
            let items = member.as_array().unwrap_or(&empty);
            let list: Vec<String> = items
                .iter()
                .map(|item| element_value(schema, target, item))
                .collect();
            let ty = element_type(schema, target);
            if f.model == TypeModel::Array {
                format!("[_]{ty}{{{}}}", list.join(", "))
            } else if list.is_empty() {
                format!("&[_]{ty}{{}}")
            } else {
                format!("dup({ty}, &[_]{ty}{{{}}})", list.join(", "))
            }
        };
        parts.push(format!(".{name} = {expr}"));
    }
    format!("km.{}{{{}}}", ident(&s.name), parts.join(", "))
}

fn element_type(schema: &Schema, target: TypeTarget) -> String {
    match target {
        TypeTarget::Primitive(p) => primitive_type(p).to_string(),
        TypeTarget::Enum(i) => format!("km.{}", ident(&enum_type(&schema.enums[i].name))),
        TypeTarget::Struct(i) => format!("km.{}", ident(&schema.structs[i].name)),
    }
}

fn element_value(schema: &Schema, target: TypeTarget, value: &Value) -> String {
    match target {
        TypeTarget::Primitive(Primitive::Bool) => value.as_bool().unwrap_or(false).to_string(),
        TypeTarget::Primitive(Primitive::Float32) => {
            format!(
                "@bitCast(f32, @as(u32, 0x{:08x}))",
                float_bits_to_write(value, true)
            )
        }
        TypeTarget::Primitive(Primitive::Float64) => {
            format!(
                "@bitCast(f64, @as(u64, 0x{:016x}))",
                float_bits_to_write(value, false)
            )
        }
        TypeTarget::Primitive(p) => {
            format!(
                "@as({}, {})",
                primitive_type(p),
                integer_text(schema, target, value)
            )
        }
        TypeTarget::Enum(_) => format!(
            "@intToEnum({}, {})",
            element_type(schema, target),
            integer_text(schema, target, value)
        ),
        TypeTarget::Struct(i) => struct_value(schema, &schema.structs[i], value),
    }
}
