//! The cross-language harness (`codegen/testing.md` §3): for one schema and a list of
//! values, each [`Language`] generates its code with our generator, puts our runtime and a
//! driver program beside it (the driver is generated from the model, like the Rust target
//! test's glue, so any schema can be driven), builds it, and runs it.
//!
//! # Driver protocol
//!
//! * `DRIVER encode` prints one line per [`Case`] (in order): the message built with the
//!   generated native API and written with `WriteAsRoot`, as lower-case hex.
//! * `DRIVER decode` reads lines `ROOT HEX` from stdin until EOF. For each, it prints the
//!   [canonical dump](canonical_dump) of the value read with the object API
//!   (`ReadAsRoot` into a fresh value), a line `--`, the canonical dump of the same
//!   message walked with the viewers, and a line `==`.
//!
//! # Canonical dump
//!
//! One `path=value` line per leaf, fields in schema order, depth first. A root field's
//! path is its name; a nested field's is `parent.Name`; an element's is `path[i]`.
//! Arrays (`[N]T`) and slices (`[]T`, `[<N]T`) other than strings first print `path#=count`.
//! Strings (`[]char`, `[<N]char`) print `path=` and the bytes as lower-case hex.
//! Integers, `byte`, `char` outside strings and enums print the decimal number (signed
//! types signed); bools `true`/`false`; floats the bit pattern as lower-case hex,
//! zero-padded to 8 (`float32`) or 16 (`float64`) digits, except that any NaN prints `nan`.

pub mod assemblyscript;
pub mod c;
pub mod golang;
pub mod zig;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use karmem_codegen::{GeneratedFile, TargetOptions};
use karmem_syntax::model::{Primitive, Schema, TypeModel, TypeTarget};
use karmem_syntax::{analyze, AnalysisOptions};
use serde_json::Value;

/// One value the driver builds: the root struct's name and the value in canonical JSON
/// (as `karmem_codegen::codec::decode` prints it: every field present).
#[derive(Debug, Clone)]
pub struct Case {
    pub root: String,
    pub value: Value,
}

/// What a language needs to build its driver for one schema.
pub struct BuildInput<'a> {
    /// The schema text (for the generator) and its model.
    pub text: &'a str,
    pub schema: &'a Schema,
    /// The values `DRIVER encode` writes.
    pub cases: &'a [Case],
    /// An empty-or-reused directory the language owns for this schema; builds may cache
    /// there between runs.
    pub dir: &'a Path,
}

/// A built driver: how to run it.
#[derive(Debug, Clone)]
pub struct Driver {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

/// One dump of a decoded message: object API and viewers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dump {
    pub object: Vec<String>,
    pub view: Vec<String>,
}

/// A target language of the harness.
pub trait Language: Sync {
    /// The karmem target name (`golang`).
    fn name(&self) -> &'static str;
    /// The programs it needs ([`find_tool`] names).
    fn tools(&self) -> &'static [&'static str];
    /// Generates the code (through `karmem_codegen::generate`), copies the runtime from
    /// `codegen/runtime/<lang>/`, writes the driver and builds it. The error is the
    /// compiler's output.
    fn build(&self, input: &BuildInput) -> Result<Driver, String>;
}

/// Every language of the harness.
pub fn languages() -> Vec<&'static dyn Language> {
    vec![
        &golang::Go,
        &c::C,
        &zig::Zig,
        &assemblyscript::AssemblyScript,
    ]
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("workspace root")
}

/// The runtime directory of `lang` (`codegen/runtime/<lang>`).
pub fn runtime_dir(lang: &str) -> PathBuf {
    workspace_root().join("codegen/runtime").join(lang)
}

/// Where harness builds go: below the workspace's target directory, so re-runs reuse them.
pub fn build_root() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let root = if target.is_absolute() {
        target
    } else {
        workspace_root().join(target)
    };
    root.join("crosslang")
}

/// `name` from the project's toolchain cache (`.cache/toolchains/bin`, filled by
/// `scripts/install-toolchains.sh`), else from `PATH`.
pub fn find_tool(name: &str) -> Option<PathBuf> {
    let cached = std::env::var_os("KARMEM_TOOLCHAINS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".cache/toolchains"))
        .join("bin")
        .join(name);
    if cached.is_file() {
        return Some(cached);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// True when running in CI (`CI` set to anything but `false`/`0`/empty): missing tools
/// fail instead of skipping.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The tools `lang` needs, or `None` after printing "skipped: <tool> not installed".
/// Panics in CI instead: a missing toolchain is never skipped silently there.
pub fn require_tools(lang: &dyn Language) -> Option<()> {
    for tool in lang.tools() {
        require_tool(tool, &format!("the {} harness", lang.name()))?;
    }
    Some(())
}

/// [`find_tool`]`(name)`, or `None` after printing "skipped: <name> not installed" (`who`
/// names what needs it). Panics in CI instead, like [`require_tools`].
pub fn require_tool(name: &str, who: &str) -> Option<PathBuf> {
    let found = find_tool(name);
    if found.is_none() {
        skip(&format!(
            "{name} not installed (needed by {who}; run scripts/install-toolchains.sh)"
        ));
    }
    found
}

/// Prints "skipped: <why>" for a test that returns early because something it needs is
/// missing; panics in CI instead, where nothing may be skipped.
pub fn skip(why: &str) {
    assert!(!in_ci(), "CI must not skip: {why}");
    println!("skipped: {why}");
}

/// Generates `input`'s schema with the `lang` target (file name `<module>.km`).
pub fn generate(
    lang: &str,
    input: &BuildInput,
    options: &TargetOptions,
) -> Result<Vec<GeneratedFile>, String> {
    let analysis = analyze(input.text, &AnalysisOptions::default());
    let generator =
        karmem_codegen::generator(lang).ok_or_else(|| format!("no {lang} generator"))?;
    let name = format!("{}.km", analysis.schema.module);
    let files = karmem_codegen::generate(generator, &analysis, &name, options)
        .map_err(|e| format!("generate: {e}"))?;
    if files.is_empty() {
        return Err(format!("the {lang} generator wrote nothing"));
    }
    Ok(files)
}

/// Whether a field of `model` and `target` is a string (`[]char`, `[<N]char`).
pub fn is_string(target: TypeTarget, model: TypeModel) -> bool {
    target == TypeTarget::Primitive(Primitive::Char)
        && matches!(model, TypeModel::Slice | TypeModel::SliceLimited)
}

/// The build cache of every language: runs `build` in `dir` unless the previous build
/// there had the same inputs. The inputs are `sources` (paths relative to `dir`, written
/// before `build` runs) and the paths of the `tools`; a file `stamp` holds their hash,
/// and the build is skipped while it matches and every file of `outputs` exists. The stamp
/// is removed before building, so a failed build is retried on the next run.
pub fn cached_build(
    dir: &Path,
    sources: &[(String, String)],
    tools: &[&Path],
    outputs: &[&str],
    build: impl FnOnce() -> Result<(), String>,
) -> Result<(), String> {
    let mut inputs = String::new();
    for (name, text) in sources {
        inputs.push_str(name);
        inputs.push('\0');
        inputs.push_str(text);
        inputs.push('\0');
    }
    for tool in tools {
        inputs.push_str(&tool.display().to_string());
        inputs.push('\0');
    }
    let stamp = karmem_codegen::schema_hash(&inputs);
    let stamp_path = dir.join("stamp");
    let up_to_date = std::fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp)
        && outputs.iter().all(|o| dir.join(o).is_file());
    if up_to_date {
        return Ok(());
    }
    let _ = std::fs::remove_file(&stamp_path);
    for (name, text) in sources {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    build()?;
    std::fs::write(&stamp_path, stamp).map_err(|e| format!("{}: {e}", stamp_path.display()))
}

/// Runs `cmd`, returning stdout, or an error with the command line, status and output.
pub fn run_command(cmd: &mut Command, stdin: Option<&str>) -> Result<String, String> {
    let describe = format!("{cmd:?}");
    let mut child = cmd
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{describe}: {e}"))?;
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        let input = input.to_string();
        // Written from a thread so a driver that prints while reading cannot deadlock.
        std::thread::spawn(move || {
            let _ = pipe.write_all(input.as_bytes());
        });
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{describe}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!(
            "{describe}: {}\nstdout:\n{stdout}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(stdout)
}

impl Driver {
    fn command(&self, mode: &str) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args).arg(mode);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// `DRIVER encode`: one hex line per case.
    pub fn encode(&self) -> Result<Vec<String>, String> {
        let out = run_command(&mut self.command("encode"), None)?;
        Ok(out.lines().map(|l| l.trim().to_string()).collect())
    }

    /// `DRIVER decode` of every message.
    pub fn decode(&self, messages: &[(String, Vec<u8>)]) -> Result<Vec<Dump>, String> {
        let input: String = messages
            .iter()
            .map(|(root, bytes)| format!("{root} {}\n", crate::fixtures::hex(bytes)))
            .collect();
        let out = run_command(&mut self.command("decode"), Some(&input))?;
        let mut dumps = Vec::new();
        let mut object = Vec::new();
        let mut view = Vec::new();
        let mut in_view = false;
        for line in out.lines() {
            match line {
                "--" => in_view = true,
                "==" => {
                    dumps.push(Dump {
                        object: std::mem::take(&mut object),
                        view: std::mem::take(&mut view),
                    });
                    in_view = false;
                }
                _ if in_view => view.push(line.to_string()),
                _ => object.push(line.to_string()),
            }
        }
        if dumps.len() != messages.len() {
            return Err(format!(
                "decode answered {} messages of {}:\n{out}",
                dumps.len(),
                messages.len()
            ));
        }
        Ok(dumps)
    }
}

/// The canonical dump (see the module docs) of `value`, a canonical JSON value of struct
/// `root` (as `karmem_codegen::codec::decode` prints it).
pub fn canonical_dump(schema: &Schema, root: &str, value: &Value) -> Vec<String> {
    let index = schema
        .structs
        .iter()
        .position(|s| s.name == root)
        .unwrap_or_else(|| panic!("no struct {root}"));
    let mut out = Vec::new();
    dump_struct(schema, index, value, "", &mut out);
    out
}

fn dump_struct(schema: &Schema, index: usize, value: &Value, prefix: &str, out: &mut Vec<String>) {
    for field in &schema.structs[index].fields {
        let path = format!("{prefix}{}", field.name);
        let member = &value[field.name.as_str()];
        let target = field.target.expect("a valid schema");
        if is_string(target, field.model) {
            let text = member.as_str().unwrap_or_default();
            out.push(format!("{path}={}", crate::fixtures::hex(text.as_bytes())));
        } else if field.model == TypeModel::Single {
            dump_element(schema, target, member, &path, out);
        } else {
            let empty = Vec::new();
            let items = member.as_array().unwrap_or(&empty);
            out.push(format!("{path}#={}", items.len()));
            for (i, item) in items.iter().enumerate() {
                dump_element(schema, target, item, &format!("{path}[{i}]"), out);
            }
        }
    }
}

fn dump_element(
    schema: &Schema,
    target: TypeTarget,
    value: &Value,
    path: &str,
    out: &mut Vec<String>,
) {
    match target {
        TypeTarget::Struct(i) => dump_struct(schema, i, value, &format!("{path}."), out),
        TypeTarget::Enum(i) => {
            let e = &schema.enums[i];
            let number = match value {
                Value::String(name) => e
                    .values
                    .iter()
                    .find(|v| &v.name == name)
                    .map(enum_number)
                    .unwrap_or_else(|| panic!("enum {} has no value {name}", e.name)),
                other => other.to_string(),
            };
            out.push(format!("{path}={number}"));
        }
        TypeTarget::Primitive(Primitive::Bool) => {
            out.push(format!("{path}={}", value.as_bool().unwrap_or(false)))
        }
        TypeTarget::Primitive(p @ (Primitive::Float32 | Primitive::Float64)) => {
            let single = p == Primitive::Float32;
            let text = match float_bits(value, single) {
                None => "nan".to_string(),
                Some(bits) if single => format!("{bits:08x}"),
                Some(bits) => format!("{bits:016x}"),
            };
            out.push(format!("{path}={text}"));
        }
        TypeTarget::Primitive(_) => out.push(format!("{path}={value}")),
    }
}

/// The bit pattern a writer stores for a canonical JSON float (`None` for NaN, whose
/// payload JSON does not carry). Drivers that build values write NaN as
/// `f32::NAN.to_bits()` (`0x7fc00000`) / `f64::NAN.to_bits()` (`0x7ff8000000000000`),
/// as the dynamic codec does.
pub fn float_bits(value: &Value, single: bool) -> Option<u64> {
    let x = match value {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(s) if s == "Infinity" => f64::INFINITY,
        Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
        Value::String(_) => return None,
        _ => 0.0,
    };
    if single {
        Some(u64::from((x as f32).to_bits()))
    } else {
        Some(x.to_bits())
    }
}

/// Bits to write for a canonical JSON float, NaN included (see [`float_bits`]).
pub fn float_bits_to_write(value: &Value, single: bool) -> u64 {
    float_bits(value, single).unwrap_or(if single {
        u64::from(f32::NAN.to_bits())
    } else {
        f64::NAN.to_bits()
    })
}

/// The decimal integer a canonical JSON integer or enum value stands for (enum names are
/// resolved in `schema`), as text in the target's range (`-5`, `18446744073709551615`).
pub fn integer_text(schema: &Schema, target: TypeTarget, value: &Value) -> String {
    match (target, value) {
        (TypeTarget::Enum(i), Value::String(name)) => schema.enums[i]
            .values
            .iter()
            .find(|v| &v.name == name)
            .map(enum_number)
            .unwrap_or_else(|| panic!("enum value {name}")),
        (_, Value::Bool(b)) => u8::from(*b).to_string(),
        (_, Value::Null) => "0".to_string(),
        (_, other) => other.to_string(),
    }
}

fn enum_number(value: &karmem_syntax::model::EnumValue) -> String {
    value
        .number
        .map_or_else(|| value.value.clone(), |n| n.to_string())
}
