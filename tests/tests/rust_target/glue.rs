//! Test-only glue between the generated Rust code and JSON, generated from the model: per
//! struct `from_json_X` (canonical JSON, as `codec::decode` prints it → native value),
//! `to_json_X` (native → canonical JSON) and `view_json_X` (viewer → canonical JSON), and
//! the driver's dispatch. With these, the driver can be checked against the dynamic codec
//! for any schema.

use karmem_codegen::rust::field_ident;
use karmem_syntax::model::{Class, Primitive, Schema, Struct, TypeModel, TypeTarget};
use std::fmt::Write as _;

/// One schema compiled into the driver: `module` is the Rust module name (and the name
/// the driver protocol uses).
pub struct Module<'a> {
    pub module: &'a str,
    pub schema: &'a Schema,
    /// Structs the driver can encode/decode as roots.
    pub roots: Vec<String>,
}

fn rust_primitive(p: Primitive) -> &'static str {
    match p {
        Primitive::Bool => "bool",
        Primitive::Byte | Primitive::Char | Primitive::Uint8 => "u8",
        Primitive::Uint16 => "u16",
        Primitive::Uint32 => "u32",
        Primitive::Uint64 => "u64",
        Primitive::Int8 => "i8",
        Primitive::Int16 => "i16",
        Primitive::Int32 => "i32",
        Primitive::Int64 => "i64",
        Primitive::Float32 => "f32",
        Primitive::Float64 => "f64",
    }
}

/// JSON → element expression (`e` is a `&Value`).
fn from_elem(schema: &Schema, target: TypeTarget, e: &str) -> String {
    match target {
        TypeTarget::Primitive(Primitive::Bool) => format!("jb({e})"),
        TypeTarget::Primitive(Primitive::Float32) => format!("(jf({e}) as f32)"),
        TypeTarget::Primitive(Primitive::Float64) => format!("jf({e})"),
        TypeTarget::Primitive(p) => format!("(jn({e}) as {})", rust_primitive(p)),
        TypeTarget::Enum(i) => format!("enum_from_json_{}({e})", schema.enums[i].name),
        TypeTarget::Struct(i) => format!("from_json_{}({e})", schema.structs[i].name),
    }
}

/// Element value → JSON expression (`x` is the value, by value or reference as noted).
fn to_elem(schema: &Schema, target: TypeTarget, x: &str, view: bool) -> String {
    match target {
        TypeTarget::Primitive(Primitive::Bool) => format!("Value::Bool({x})"),
        TypeTarget::Primitive(Primitive::Float32) => format!("jfloat32({x})"),
        TypeTarget::Primitive(Primitive::Float64) => format!("jfloat64({x})"),
        TypeTarget::Primitive(_) => format!("Value::from({x})"),
        TypeTarget::Enum(i) => format!("enum_to_json_{}({x})", schema.enums[i].name),
        TypeTarget::Struct(i) => {
            if view {
                format!("view_json_{}({x})", schema.structs[i].name)
            } else {
                format!("to_json_{}(&{x})", schema.structs[i].name)
            }
        }
    }
}

fn default_view_elem(schema: &Schema, target: TypeTarget) -> String {
    match target {
        TypeTarget::Primitive(Primitive::Bool) => "Value::Bool(false)".into(),
        TypeTarget::Primitive(Primitive::Float32 | Primitive::Float64) => "jfloat64(0.0)".into(),
        TypeTarget::Primitive(_) => "Value::from(0u8)".into(),
        TypeTarget::Enum(i) => format!(
            "enum_to_json_{}(::core::default::Default::default())",
            schema.enums[i].name
        ),
        TypeTarget::Struct(i) => {
            let name = &schema.structs[i].name;
            format!("view_json_{name}({name}Viewer::null())")
        }
    }
}

fn is_string(target: TypeTarget, model: TypeModel) -> bool {
    target == TypeTarget::Primitive(Primitive::Char)
        && matches!(model, TypeModel::Slice | TypeModel::SliceLimited)
}

/// The glue module for one schema (`use super::<module>::*`).
pub fn glue(m: &Module) -> String {
    let schema = m.schema;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "#![allow(warnings, clippy::all)]\nuse crate::support::*;\nuse crate::{}::*;\nuse serde_json::{{Map, Value}};\n",
        m.module
    );
    for e in &schema.enums {
        let ty = rust_primitive(e.base.unwrap());
        let name = &e.name;
        let _ = writeln!(o, "pub fn enum_from_json_{name}(v: &Value) -> {name} {{\n    match v {{\n        Value::String(s) => match s.as_str() {{");
        for v in &e.values {
            let _ = writeln!(
                o,
                "            {:?} => {name}({}),",
                v.name,
                v.number.unwrap()
            );
        }
        let _ = writeln!(o, "            _ => panic!(\"unknown value {{s}}\"),\n        }},\n        _ => {name}(jn(v) as {ty}),\n    }}\n}}");
        let _ = writeln!(o, "pub fn enum_to_json_{name}(x: {name}) -> Value {{\n    match x.name() {{\n        Some(n) => Value::String(n.to_string()),\n        None => Value::from(x.0),\n    }}\n}}");
    }
    for s in &schema.structs {
        struct_glue(&mut o, schema, s);
    }
    o
}

fn struct_glue(o: &mut String, schema: &Schema, s: &Struct) {
    let name = &s.name;
    // from_json
    let _ = writeln!(o, "pub fn from_json_{name}(v: &Value) -> {name} {{\n    let mut x = {name}::new();\n    let o = v.as_object().expect(\"object\");");
    for f in &s.fields {
        let id = field_ident(&f.name);
        let t = f.target.unwrap();
        let _ = writeln!(o, "    if let Some(f) = o.get({:?}) {{", f.name);
        match f.model {
            TypeModel::Single => {
                let _ = writeln!(o, "        x.{id} = {};", from_elem(schema, t, "f"));
            }
            TypeModel::Array => {
                let _ = writeln!(
                    o,
                    "        for (i, e) in f.as_array().unwrap().iter().enumerate() {{ x.{id}[i] = {}; }}",
                    from_elem(schema, t, "e")
                );
            }
            _ if is_string(t, f.model) => {
                let _ = writeln!(o, "        x.{id} = f.as_str().unwrap().to_string();");
            }
            _ => {
                let _ = writeln!(
                    o,
                    "        x.{id} = f.as_array().unwrap().iter().map(|e| {}).collect();",
                    from_elem(schema, t, "e")
                );
            }
        }
        let _ = writeln!(o, "    }}");
    }
    let _ = writeln!(o, "    x\n}}");

    // to_json (native)
    let _ = writeln!(
        o,
        "pub fn to_json_{name}(x: &{name}) -> Value {{\n    let mut m = Map::new();"
    );
    for f in &s.fields {
        let id = field_ident(&f.name);
        let t = f.target.unwrap();
        let value = match f.model {
            TypeModel::Single => to_elem(schema, t, &format!("x.{id}"), false),
            _ if is_string(t, f.model) => format!("Value::String(x.{id}.clone())"),
            _ => format!(
                "Value::Array(x.{id}.iter().map(|e| {}).collect())",
                to_elem(schema, t, "*e", false).replace("&*e", "e")
            ),
        };
        let _ = writeln!(o, "    m.insert({:?}.to_string(), {value});", f.name);
    }
    let _ = writeln!(o, "    Value::Object(m)\n}}");

    // view_json (viewer)
    let _ = writeln!(
        o,
        "pub fn view_json_{name}(v: {name}Viewer<'_>) -> Value {{\n    let mut m = Map::new();"
    );
    for f in &s.fields {
        let id = field_ident(&f.name);
        let t = f.target.unwrap();
        let value = match f.model {
            TypeModel::Single => to_elem(schema, t, &format!("v.{id}()"), true),
            _ if is_string(t, f.model) => {
                format!("Value::String(v.{id}().to_string_lossy().into_owned())")
            }
            TypeModel::Array => format!(
                "{{ let mut a: Vec<Value> = v.{id}().iter().map(|e| {}).collect(); while a.len() < {} {{ a.push({}); }} Value::Array(a) }}",
                to_elem(schema, t, "e", true),
                f.length,
                default_view_elem(schema, t)
            ),
            _ => format!(
                "Value::Array(v.{id}().iter().map(|e| {}).collect())",
                to_elem(schema, t, "e", true)
            ),
        };
        let _ = writeln!(o, "    m.insert({:?}.to_string(), {value});", f.name);
    }
    let _ = writeln!(o, "    Value::Object(m)\n}}");
    let _ = s.class == Some(Class::Table);
}

/// JSON helpers shared by every glue module.
pub const SUPPORT: &str = r#"#![allow(dead_code)]
use serde_json::{Number, Value};

pub fn jn(v: &Value) -> i128 {
    match v {
        Value::Number(n) => n.as_u64().map(i128::from).or(n.as_i64().map(i128::from)).expect("integer"),
        Value::String(s) => s.parse().expect("integer string"),
        other => panic!("not an integer: {other}"),
    }
}
pub fn jb(v: &Value) -> bool { v.as_bool().expect("bool") }
pub fn jf(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => match s.as_str() { "NaN" => f64::NAN, "Infinity" => f64::INFINITY, "-Infinity" => f64::NEG_INFINITY, _ => panic!("float {s}") },
        other => panic!("not a float: {other}"),
    }
}
pub fn jfloat64(x: f64) -> Value {
    if x.is_nan() { Value::String("NaN".into()) }
    else if x.is_infinite() { Value::String(if x > 0.0 { "Infinity" } else { "-Infinity" }.into()) }
    else { Value::Number(Number::from_f64(x).unwrap()) }
}
pub fn jfloat32(x: f32) -> Value {
    if x.is_finite() { jfloat64(x.to_string().parse().unwrap()) } else { jfloat64(f64::from(x)) }
}
pub fn hex(bytes: &[u8]) -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() }
pub fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}
"#;

/// The driver's `main.rs`: one `mod` per generated file (with the strict lints of
/// `rust.md` §3.6), one glue module each, and the line protocol:
///
/// * `E <module> <Type> <json>` → the hex of `encode()` (also checked against a re-used
///   writer and `check_limits`);
/// * `D <module> <Type> <hex>` → `{"obj": …, "reused": …, "view": …}`: the object API
///   decode, a decode into a value that held the previous message of that type, and the
///   viewer walk, as canonical JSON.
pub fn main_rs(modules: &[Module]) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "#![allow(dead_code, unused_imports, clippy::all)]\nuse std::collections::HashMap;\nuse std::io::{{BufRead, Write}};\nuse serde_json::{{json, Value}};\nmod support;\n/// The runtime under another path (`@rust.import`).\npub use karmem_runtime as kmrt;\n/// A generated file used through `include!`.\n#[allow(dead_code)]\nmod included {{\n    include!(\"game.rs\");\n}}\n");
    for m in modules {
        let _ = writeln!(
            o,
            "/// Generated.\n#[deny(warnings, missing_docs, clippy::all, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]\npub mod {0};\nmod {0}_glue;",
            m.module
        );
    }
    let _ = writeln!(o, "\nfn run(cmd: &str, module: &str, ty: &str, arg: &str, prev: &mut HashMap<String, Vec<u8>>) -> String {{\n    match (cmd, module, ty) {{");
    for m in modules {
        for root in &m.roots {
            let g = format!("{}_glue", m.module);
            let t = format!("{}::{root}", m.module);
            let _ = writeln!(
                o,
                r#"        ("E", {module:?}, {root:?}) => {{
            let x: {t} = {g}::from_json_{root}(&serde_json::from_str(arg).unwrap());
            let bytes = x.encode().unwrap();
            let mut w = karmem_runtime::Writer::new(7);
            w.alloc(3).unwrap();
            w.reset();
            x.write_as_root(&mut w).unwrap();
            assert_eq!(w.bytes(), &bytes[..], "re-used writer");
            let _ = x.check_limits();
            support::hex(&bytes)
        }}
        ("D", {module:?}, {root:?}) => {{
            let bytes = support::unhex(arg);
            let key = format!("{module}.{root}");
            let obj = {t}::decode(&bytes);
            let mut reused = {t}::decode(prev.get(&key).map(|b| &b[..]).unwrap_or(&[]));
            let r = karmem_runtime::Reader::new(&bytes);
            reused.read_as_root(&r);
            let mut budgeted = {t}::new();
            budgeted.read_as_root_with_budget(&r, u64::MAX).unwrap();
            assert_eq!(format!("{{budgeted:?}}"), format!("{{obj:?}}"), "budget");
            assert!({t}::new().read_as_root_with_budget(&r, 0).is_err());
            let from: {t} = {t}Viewer::new(&r, 0).into();
            assert_eq!(format!("{{from:?}}"), format!("{{obj:?}}"), "From<Viewer>");
            let _ = format!("{{:?}}", {t}Viewer::new(&r, 0));
            prev.insert(key, bytes.clone());
            let view = {g}::view_json_{root}({t}Viewer::new(&r, 0));
            json!({{"obj": {g}::to_json_{root}(&obj), "reused": {g}::to_json_{root}(&reused), "view": view}}).to_string()
        }}"#,
                module = m.module,
            );
        }
    }
    let _ = writeln!(
        o,
        "        _ => panic!(\"unknown command {{cmd}} {{module}} {{ty}}\"),\n    }}\n}}"
    );
    let _ = writeln!(
        o,
        r#"
fn main() {{
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut prev = HashMap::new();
    for line in stdin.lock().lines() {{
        let line = line.unwrap();
        let mut parts = line.splitn(4, ' ');
        let (cmd, module, ty) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let arg = parts.next().unwrap_or("");
        let result = run(cmd, module, ty, arg, &mut prev);
        writeln!(out, "{{result}}").unwrap();
    }}
}}"#
    );
    o
}
