//! The AssemblyScript driver of the cross-language harness (`codegen/testing.md` §3).
//!
//! Layout of the build directory: `karmem.ts` (our runtime, copied), the generated
//! `<module>_generated.ts` (its `@assemblyscript.import` pointed at `./karmem`), `driver.ts`
//! (generated from the model and the cases: it exports `encode(): string` and
//! `decode(input: string): string`), compiled by `asc` to `driver.wasm` with ES-module
//! bindings `driver.js`, and `run.mjs`, the Node program that calls them (`node run.mjs
//! encode|decode`). A `stamp` file with a hash of the sources skips `asc` when nothing
//! changed. A warning of `asc` in the generated file or the runtime fails the build.
//!
//! Besides the protocol, the driver checks what the dumps cannot see: a fixed writer of
//! exactly the message's size writes the same bytes (twice, with `Reset` between) and one
//! byte less makes `WriteAsRoot` fail (messages over 8 bytes: an `Array<u8>` has room for
//! at least 8); `Reset` gives what `New<Struct>()` gives;
//! `PacketIdentifier()` is the constant; `Reader.SetSize` refuses sizes past the message.
//! A failed check throws, which fails the run.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use karmem_codegen::TargetOptions;
use karmem_syntax::model::{Class, Primitive, Schema, TypeModel, TypeTarget};
use serde_json::Value;

use super::{cached_build, find_tool, is_string, runtime_dir, BuildInput, Case, Driver, Language};

/// The `assemblyscript` target.
pub struct AssemblyScript;

impl Language for AssemblyScript {
    fn name(&self) -> &'static str {
        "assemblyscript"
    }

    fn tools(&self) -> &'static [&'static str] {
        &["asc", "node"]
    }

    fn build(&self, input: &BuildInput) -> Result<Driver, String> {
        let mut options = TargetOptions::new();
        options.insert("import", "./karmem");
        let files = super::generate("assemblyscript", input, &options)?;
        let runtime = std::fs::read_to_string(runtime_dir("assemblyscript").join("karmem.ts"))
            .map_err(|e| format!("runtime: {e}"))?;
        let driver = driver_source(input.schema, &input.schema.module, input.cases);
        let dir = input.dir;
        let mut sources = vec![
            ("karmem.ts".to_string(), runtime),
            ("driver.ts".to_string(), driver),
            ("run.mjs".to_string(), RUNNER.to_string()),
            (
                "package.json".to_string(),
                "{ \"type\": \"module\" }\n".to_string(),
            ),
        ];
        sources.extend(files.into_iter().map(|f| (f.path, f.contents)));
        let asc = find_tool("asc").ok_or("asc not installed")?;
        let node = find_tool("node").ok_or("node not installed")?;
        cached_build(
            dir,
            &sources,
            &[&asc],
            &["driver.wasm", "driver.js"],
            || compile(&asc, dir),
        )?;
        Ok(Driver {
            program: node,
            args: vec![dir.join("run.mjs").display().to_string()],
            env: Vec::new(),
        })
    }
}

/// `asc driver.ts --outFile driver.wasm --bindings esm`, failing on warnings in the
/// generated code or the runtime.
fn compile(asc: &Path, dir: &Path) -> Result<(), String> {
    let home = dir.join("home");
    std::fs::create_dir_all(&home).map_err(|e| format!("{}: {e}", home.display()))?;
    let mut cmd = Command::new(asc);
    cmd.current_dir(dir)
        .args(["driver.ts", "--outFile", "driver.wasm", "--bindings", "esm"])
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", &home)
        .env("XDG_CACHE_HOME", &home)
        .env("NO_COLOR", "1");
    let describe = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| format!("{describe}: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("{describe}: {}\n{stdout}\n{stderr}", out.status));
    }
    // Each diagnostic is a block starting with a line `WARNING ...`; a later line names
    // the file (`└─ in demo_generated.ts(3,5)`).
    let text = format!("{stdout}\n{stderr}");
    let mut blocks: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("WARNING") || line.starts_with("ERROR") || blocks.is_empty() {
            blocks.push(String::new());
        }
        if let Some(block) = blocks.last_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    let ours: Vec<&str> = blocks
        .iter()
        .filter(|b| b.starts_with("WARNING"))
        .filter(|b| b.contains("_generated.ts(") || b.contains("karmem.ts("))
        .map(String::as_str)
        .collect();
    if !ours.is_empty() {
        return Err(format!(
            "{describe}: warnings in the generated code or the runtime:\n{}",
            ours.join("")
        ));
    }
    Ok(())
}

/// The Node program: `node run.mjs encode|decode`.
const RUNNER: &str = r#"import { readFileSync } from "node:fs";
import { encode, decode } from "./driver.js";

const mode = process.argv[2];
if (mode === "encode") {
    process.stdout.write(encode());
} else if (mode === "decode") {
    process.stdout.write(decode(readFileSync(0, "utf8")));
} else {
    process.stderr.write("usage: run.mjs encode|decode\n");
    process.exit(2);
}
"#;

/// Helpers of every driver.
const PRELUDE: &str = r#"const HEX = "0123456789abcdef";

function hexPtr(ptr: usize, len: i32): string {
    let s = "";
    for (let i = 0; i < len; i++) {
        const b = load<u8>(ptr + <usize>i);
        s += HEX.charAt(b >> 4) + HEX.charAt(b & 15);
    }
    return s;
}

function hexArray(a: Array<u8>): string {
    return hexPtr(a.dataStart, a.length);
}

function hexString(text: string): string {
    const b = Uint8Array.wrap(String.UTF8.encode(text, false));
    return hexPtr(b.dataStart, b.length);
}

function fmtF32(x: f32): string {
    if (isNaN(x)) {
        return "nan";
    }
    return reinterpret<u32>(x).toString(16).padStart(8, "0");
}

function fmtF64(x: f64): string {
    if (isNaN(x)) {
        return "nan";
    }
    return reinterpret<u64>(x).toString(16).padStart(16, "0");
}

function fmtBool(x: bool): string {
    return x ? "true" : "false";
}

function nibble(c: i32): u8 {
    if (c >= 97) {
        return <u8>(c - 87);
    }
    if (c >= 65) {
        return <u8>(c - 55);
    }
    return <u8>(c - 48);
}

function unhex(text: string): StaticArray<u8> {
    const n = text.length >> 1;
    const out = new StaticArray<u8>(n);
    for (let i = 0; i < n; i++) {
        out[i] = (nibble(text.charCodeAt(2 * i)) << 4) | nibble(text.charCodeAt(2 * i + 1));
    }
    return out;
}

function finish(out: Array<string>): string {
    if (out.length == 0) {
        return "";
    }
    return out.join("\n") + "\n";
}
"#;

fn as_primitive(p: Primitive) -> &'static str {
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

fn is_table(schema: &Schema, target: TypeTarget) -> bool {
    matches!(target, TypeTarget::Struct(i) if schema.structs[i].class == Some(Class::Table))
}

/// An AssemblyScript string literal (UTF-16 escapes for everything but printable ASCII).
fn string_literal(text: &str) -> String {
    let mut out = String::from("\"");
    for unit in text.encode_utf16() {
        match unit {
            0x22 => out.push_str("\\\""),
            0x5c => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(unit as u8)),
            _ => {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out.push('"');
    out
}

/// A literal of a number, enum or bool element.
fn literal(schema: &Schema, target: TypeTarget, value: &Value) -> String {
    let base = match target {
        TypeTarget::Primitive(Primitive::Bool) => {
            return if value.as_bool().unwrap_or(false) {
                "true".into()
            } else {
                "false".into()
            };
        }
        TypeTarget::Primitive(Primitive::Float32) => {
            let bits = super::float_bits_to_write(value, true);
            return format!("reinterpret<f32>(<u32>0x{bits:x})");
        }
        TypeTarget::Primitive(Primitive::Float64) => {
            let bits = super::float_bits_to_write(value, false);
            return format!("reinterpret<f64>(<u64>0x{bits:x})");
        }
        TypeTarget::Primitive(p) => p,
        TypeTarget::Enum(i) => schema.enums[i].base.expect("enum base"),
        TypeTarget::Struct(_) => unreachable!("struct literal"),
    };
    let text = super::integer_text(schema, target, value);
    let n: i128 = text.parse().unwrap_or(0);
    let bits = base.size() * 8;
    let mask: u128 = if bits == 64 {
        u128::from(u64::MAX)
    } else {
        (1u128 << bits) - 1
    };
    let raw = (n as u128) & mask;
    format!("<{}>(<u64>0x{raw:x})", as_primitive(base))
}

struct DriverGen<'a> {
    schema: &'a Schema,
    out: String,
    counter: usize,
}

impl DriverGen<'_> {
    fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }

    /// Statements setting the fields of the native value `target` (a struct) to `value`.
    fn assign(&mut self, index: usize, value: &Value, target: &str, indent: usize) {
        let schema = self.schema;
        let pad = "    ".repeat(indent);
        for f in &schema.structs[index].fields {
            let member = &value[f.name.as_str()];
            if member.is_null() {
                continue;
            }
            let t = f.target.expect("a valid schema");
            let place = format!("{target}.{}", f.name);
            if is_string(t, f.model) {
                let text = member.as_str().unwrap_or_default();
                let _ = writeln!(self.out, "{pad}{place} = {};", string_literal(text));
                continue;
            }
            match f.model {
                TypeModel::Single => self.set_element(t, member, &place, indent),
                TypeModel::Array => {
                    let items = member.as_array().cloned().unwrap_or_default();
                    for (i, item) in items.iter().enumerate().take(f.length as usize) {
                        self.set_element(t, item, &format!("{place}[{i}]"), indent);
                    }
                }
                TypeModel::Slice | TypeModel::SliceLimited => {
                    let items = member.as_array().cloned().unwrap_or_default();
                    for item in &items {
                        match t {
                            TypeTarget::Struct(i) => {
                                let name = &schema.structs[i].name;
                                let var = self.fresh("e");
                                let _ = writeln!(self.out, "{pad}{{");
                                let _ = writeln!(self.out, "{pad}    const {var} = g.New{name}();");
                                self.assign(i, item, &var, indent + 1);
                                let _ = writeln!(self.out, "{pad}    {place}.push({var});");
                                let _ = writeln!(self.out, "{pad}}}");
                            }
                            _ => {
                                let _ = writeln!(
                                    self.out,
                                    "{pad}{place}.push({});",
                                    literal(schema, t, item)
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    fn set_element(&mut self, t: TypeTarget, value: &Value, place: &str, indent: usize) {
        match t {
            TypeTarget::Struct(i) => self.assign(i, value, place, indent),
            _ => {
                let pad = "    ".repeat(indent);
                let _ = writeln!(
                    self.out,
                    "{pad}{place} = {};",
                    literal(self.schema, t, value)
                );
            }
        }
    }

    fn format(t: TypeTarget, expr: &str) -> String {
        match t {
            TypeTarget::Primitive(Primitive::Bool) => format!("fmtBool({expr})"),
            TypeTarget::Primitive(Primitive::Float32) => format!("fmtF32({expr})"),
            TypeTarget::Primitive(Primitive::Float64) => format!("fmtF64({expr})"),
            _ => format!("{expr}.toString()"),
        }
    }

    /// `dumpObj_<S>` and `dumpView_<S>` for struct `index`.
    fn dumps(&mut self, index: usize) {
        let schema = self.schema;
        let s = &schema.structs[index];
        let name = &s.name;
        for view in [false, true] {
            if view {
                let _ = writeln!(
                    self.out,
                    "function dumpView_{name}(v: g.{name}Viewer, r: karmem.Reader, p: string, out: Array<string>): void {{"
                );
            } else {
                let _ = writeln!(
                    self.out,
                    "function dumpObj_{name}(x: g.{name}, p: string, out: Array<string>): void {{"
                );
            }
            for f in &s.fields {
                let t = f.target.expect("a valid schema");
                let n = &f.name;
                let takes_reader = matches!(f.model, TypeModel::Slice | TypeModel::SliceLimited)
                    || (f.model == TypeModel::Single && is_table(schema, t));
                let get = if !view {
                    format!("x.{n}")
                } else if takes_reader {
                    format!("v.{n}(r)")
                } else {
                    format!("v.{n}()")
                };
                let dump_struct = |i: usize, expr: &str, prefix: &str| {
                    let sname = &schema.structs[i].name;
                    if view {
                        format!("dumpView_{sname}({expr}, r, {prefix}, out);")
                    } else {
                        format!("dumpObj_{sname}({expr}, {prefix}, out);")
                    }
                };
                if is_string(t, f.model) {
                    let _ = writeln!(self.out, "    out.push(p + \"{n}=\" + hexString({get}));");
                    continue;
                }
                match (f.model, t) {
                    (TypeModel::Single, TypeTarget::Struct(i)) => {
                        let line = dump_struct(i, &get, &format!("p + \"{n}.\""));
                        let _ = writeln!(self.out, "    {line}");
                    }
                    (TypeModel::Single, _) => {
                        let _ = writeln!(
                            self.out,
                            "    out.push(p + \"{n}=\" + {});",
                            Self::format(t, &get)
                        );
                    }
                    _ => {
                        let count = if view { "s.Length()" } else { "s.length" };
                        let _ = writeln!(self.out, "    {{");
                        let _ = writeln!(self.out, "        const s = {get};");
                        let _ = writeln!(
                            self.out,
                            "        out.push(p + \"{n}#=\" + {count}.toString());"
                        );
                        let _ = writeln!(self.out, "        for (let i = 0; i < s.length; i++) {{");
                        let path = format!("p + \"{n}[\" + i.toString() + \"]\"");
                        if let TypeTarget::Struct(i) = t {
                            let line = dump_struct(i, "s[i]", &format!("{path} + \".\""));
                            let _ = writeln!(self.out, "            {line}");
                        } else {
                            let _ = writeln!(
                                self.out,
                                "            out.push({path} + \"=\" + {});",
                                Self::format(t, "s[i]")
                            );
                        }
                        let _ = writeln!(self.out, "        }}");
                        let _ = writeln!(self.out, "    }}");
                    }
                }
            }
            let _ = writeln!(self.out, "}}\n");
        }
    }

    /// `encode<k>()`: case `k` built with the native API, written with a growable writer
    /// and checked with fixed writers.
    fn encode_case(&mut self, k: usize, case: &Case) {
        let schema = self.schema;
        let index = schema
            .structs
            .iter()
            .position(|s| s.name == case.root)
            .unwrap_or_else(|| panic!("no struct {}", case.root));
        let name = &case.root;
        let _ = writeln!(self.out, "function encode{k}(): string {{");
        let _ = writeln!(self.out, "    const x = g.New{name}();");
        self.assign(index, &case.value, "x", 1);
        let o = &mut self.out;
        let _ = writeln!(o, "    const w = karmem.NewWriter(64);");
        let _ = writeln!(o, "    if (!g.{name}.WriteAsRoot(x, w)) {{");
        let _ = writeln!(o, "        throw new Error(\"WriteAsRoot failed\");");
        let _ = writeln!(o, "    }}");
        let _ = writeln!(o, "    const hex = hexArray(w.Bytes());");
        let _ = writeln!(o, "    const n = w.Bytes().length;");
        let _ = writeln!(
            o,
            "    const fixed = karmem.NewFixedWriter(new Array<u8>(n));"
        );
        let _ = writeln!(o, "    for (let round = 0; round < 2; round++) {{");
        let _ = writeln!(o, "        fixed.Reset();");
        let _ = writeln!(o, "        const ok = g.{name}.WriteAsRoot(x, fixed);");
        let _ = writeln!(
            o,
            "        if (!ok || hexPtr(fixed.Pointer(), fixed.Bytes().length) != hex) {{"
        );
        let _ = writeln!(o, "            throw new Error(\"fixed writer\");");
        let _ = writeln!(o, "        }}");
        let _ = writeln!(o, "    }}");
        // (`new Array<u8>(m)` has room for at least 8 bytes.)
        let _ = writeln!(
            o,
            "    if (n > 8 && g.{name}.WriteAsRoot(x, karmem.NewFixedWriter(new Array<u8>(n - 1)))) {{"
        );
        let _ = writeln!(
            o,
            "        throw new Error(\"a full fixed writer did not fail\");"
        );
        let _ = writeln!(o, "    }}");
        let _ = writeln!(o, "    return hex;");
        let _ = writeln!(o, "}}\n");
    }

    fn decode(&mut self) {
        let o = &mut self.out;
        let _ = writeln!(o, "export function decode(input: string): string {{");
        let _ = writeln!(o, "    const out = new Array<string>();");
        let _ = writeln!(o, "    const lines = input.split(\"\\n\");");
        let _ = writeln!(o, "    for (let k = 0; k < lines.length; k++) {{");
        let _ = writeln!(o, "        const line = lines[k].trim();");
        let _ = writeln!(o, "        if (line.length == 0) {{");
        let _ = writeln!(o, "            continue;");
        let _ = writeln!(o, "        }}");
        let _ = writeln!(o, "        const space = line.indexOf(\" \");");
        let _ = writeln!(
            o,
            "        const root = space < 0 ? line : line.substring(0, space);"
        );
        let _ = writeln!(
            o,
            "        const bytes = unhex(space < 0 ? \"\" : line.substring(space + 1).trim());"
        );
        let _ = writeln!(o, "        const r = karmem.NewReader(bytes);");
        let _ = writeln!(
            o,
            "        if (!r.SetSize(<u32>bytes.length) || r.SetSize(<u32>bytes.length + 1)) {{"
        );
        let _ = writeln!(o, "            throw new Error(\"SetSize\");");
        let _ = writeln!(o, "        }}");
        for (i, s) in self.schema.structs.iter().enumerate() {
            let name = &s.name;
            let head = if i == 0 { "if" } else { "} else if" };
            let _ = writeln!(o, "        {head} (root == \"{name}\") {{");
            let _ = writeln!(o, "            const x = g.New{name}();");
            let _ = writeln!(o, "            g.{name}.ReadAsRoot(x, r);");
            let _ = writeln!(o, "            dumpObj_{name}(x, \"\", out);");
            let _ = writeln!(o, "            out.push(\"--\");");
            let _ = writeln!(
                o,
                "            dumpView_{name}(g.New{name}Viewer(r, 0), r, \"\", out);"
            );
            let _ = writeln!(o, "            out.push(\"==\");");
            // `Reset` gives what `New` gives; the packet identifier is the constant.
            let _ = writeln!(o, "            g.{name}.Reset(x);");
            let _ = writeln!(o, "            const reset = new Array<string>();");
            let _ = writeln!(o, "            const fresh = new Array<string>();");
            let _ = writeln!(o, "            dumpObj_{name}(x, \"\", reset);");
            let _ = writeln!(o, "            dumpObj_{name}(g.New{name}(), \"\", fresh);");
            let _ = writeln!(
                o,
                "            if (reset.join(\"\\n\") != fresh.join(\"\\n\") || g.{name}.PacketIdentifier() != g.PacketIdentifier{name}) {{"
            );
            let _ = writeln!(
                o,
                "                throw new Error(\"Reset or PacketIdentifier of {name}\");"
            );
            let _ = writeln!(o, "            }}");
        }
        if self.schema.structs.is_empty() {
            let _ = writeln!(o, "        {{");
        } else {
            let _ = writeln!(o, "        }} else {{");
        }
        let _ = writeln!(o, "            throw new Error(\"unknown root \" + root);");
        let _ = writeln!(o, "        }}");
        let _ = writeln!(o, "    }}");
        let _ = writeln!(o, "    return finish(out);");
        let _ = writeln!(o, "}}");
    }
}

/// `driver.ts` for `schema` (module `module`) and `cases`.
pub fn driver_source(schema: &Schema, module: &str, cases: &[Case]) -> String {
    let mut d = DriverGen {
        schema,
        out: String::new(),
        counter: 0,
    };
    let _ = writeln!(
        d.out,
        "import * as karmem from \"./karmem\";\nimport * as g from \"./{module}_generated\";\n"
    );
    d.out.push_str(PRELUDE);
    d.out.push('\n');
    for (k, case) in cases.iter().enumerate() {
        d.encode_case(k, case);
    }
    let _ = writeln!(d.out, "export function encode(): string {{");
    let _ = writeln!(d.out, "    const out = new Array<string>();");
    for k in 0..cases.len() {
        let _ = writeln!(d.out, "    out.push(encode{k}());");
    }
    let _ = writeln!(d.out, "    return finish(out);");
    let _ = writeln!(d.out, "}}\n");
    for index in 0..schema.structs.len() {
        d.dumps(index);
    }
    d.decode();
    d.out
}
