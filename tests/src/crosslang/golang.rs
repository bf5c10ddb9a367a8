//! The Go driver of the cross-language harness (`codegen/testing.md` §3, Go recipe).
//!
//! `build` generates `<module>_generated.go` with our `golang` generator into `gen/`, copies
//! our runtime (`codegen/runtime/golang/`) to `runtime/`, writes a throw-away module
//! (`go.mod` requiring `karmem.org/golang` with a `replace` pointing at the copy, so no
//! network is needed), generates the driver from the model and the cases, and builds it
//! with `go build` (`GOFLAGS=-mod=mod GOPROXY=off`, `HOME`/`GOCACHE`/`GOPATH` below the
//! build directory). The generated file must also be `go vet` clean and gofmt-formatted.
//! Builds are reused while the sources are unchanged.
//!
//! The driver's code lives in the generated package (file `karmem_driver.go`; all its
//! names start with `kmd`, which no schema name can), so it works for any package name
//! and for schema names Go does not export; `main.go` only calls it.
//!
//! Besides the protocol of [`super`], the driver checks the runtime and the object API:
//! every case is also written with a re-used writer whose memory holds garbage and with
//! a fixed writer of exactly the right size (same bytes required), a fixed writer one byte
//! too small must fail; each message is also read into one long-lived value per root type
//! (holding the previous message's slices), whose dump must equal the fresh one, and
//! `Reset` must give the zero value's dump. A mismatch prints a line that fails the
//! comparison.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use karmem_codegen::TargetOptions;
use karmem_syntax::model::{Class, Primitive, Schema, Struct, TypeModel, TypeTarget};
use serde_json::Value;

use super::{
    cached_build, find_tool, float_bits_to_write, integer_text, is_string, run_command, BuildInput,
    Case, Driver, Language,
};

/// The `golang` target.
pub struct Go;

impl Language for Go {
    fn name(&self) -> &'static str {
        "golang"
    }

    fn tools(&self) -> &'static [&'static str] {
        &["go"]
    }

    fn build(&self, input: &BuildInput) -> Result<Driver, String> {
        let files = super::generate("golang", input, &TargetOptions::new())?;
        let generated = format!("gen/{}", files[0].path);
        let mut sources: Vec<(String, String)> = files
            .into_iter()
            .map(|f| (format!("gen/{}", f.path), f.contents))
            .collect();
        sources.extend(runtime_sources()?);
        sources.push((
            "go.mod".to_string(),
            "module kmdriver\n\ngo 1.17\n\nrequire karmem.org/golang v0.0.0\n\nreplace karmem.org/golang => ./runtime\n".to_string(),
        ));
        sources.push((
            "main.go".to_string(),
            "package main\n\nimport gen \"kmdriver/gen\"\n\nfunc main() {\n\tgen.Karmem_driver_main()\n}\n".to_string(),
        ));
        sources.push((
            "gen/karmem_driver.go".to_string(),
            driver_source(input.schema, input.cases),
        ));
        let dir = input.dir;
        let go = find_tool("go").ok_or("go not found")?;
        cached_build(dir, &sources, &[&go], &["driver"], || {
            run_command(go_command(&go, dir).args(["vet", "./gen"]), None)?;
            check_gofmt(&go, &dir.join(&generated))?;
            run_command(
                go_command(&go, dir).args(["build", "-o", "driver", "."]),
                None,
            )
            .map(drop)
        })?;
        Ok(Driver {
            program: dir.join("driver"),
            args: Vec::new(),
            env: Vec::new(),
        })
    }
}

/// A `go` command for the module in `dir`: offline, with its caches and configuration
/// below `dir` (no user `go env` file).
pub fn go_command(go: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new(go);
    let home = dir.join(".gohome");
    cmd.current_dir(dir)
        .env("HOME", &home)
        .env("GOCACHE", home.join("cache"))
        .env("GOPATH", home.join("path"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("GOENV", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOWORK", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GO111MODULE", "on")
        .env("CGO_ENABLED", "0");
    cmd
}

/// `gofmt -l FILE` must print nothing. gofmt sits beside the real `go` binary; without
/// it the check is skipped.
fn check_gofmt(go: &Path, file: &Path) -> Result<(), String> {
    let real = go.canonicalize().unwrap_or_else(|_| go.to_path_buf());
    let gofmt: PathBuf = real.with_file_name("gofmt");
    if !gofmt.is_file() {
        return Ok(());
    }
    let out = run_command(Command::new(&gofmt).arg("-l").arg(file), None)?;
    if out.trim().is_empty() {
        Ok(())
    } else {
        let diff =
            run_command(Command::new(&gofmt).arg("-d").arg(file), None).unwrap_or_else(|e| e);
        Err(format!(
            "{} is not gofmt-formatted:\n{diff}",
            file.display()
        ))
    }
}

/// The runtime's `go.mod` and non-test `.go` files, as sources below `runtime/`.
fn runtime_sources() -> Result<Vec<(String, String)>, String> {
    let from = super::runtime_dir("golang");
    let entries = std::fs::read_dir(&from).map_err(|e| format!("{}: {e}", from.display()))?;
    let mut sources = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if name == "go.mod" || (name.ends_with(".go") && !name.ends_with("_test.go")) {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            sources.push((format!("runtime/{name}"), text));
        }
    }
    sources.sort();
    Ok(sources)
}

fn go_primitive(p: Primitive) -> &'static str {
    match p {
        Primitive::Bool => "bool",
        Primitive::Byte => "byte",
        Primitive::Char | Primitive::Uint8 => "uint8",
        Primitive::Uint16 => "uint16",
        Primitive::Uint32 => "uint32",
        Primitive::Uint64 => "uint64",
        Primitive::Int8 => "int8",
        Primitive::Int16 => "int16",
        Primitive::Int32 => "int32",
        Primitive::Int64 => "int64",
        Primitive::Float32 => "float32",
        Primitive::Float64 => "float64",
    }
}

/// A Go string literal of `text`'s bytes (every byte escaped).
fn go_string(text: &str) -> String {
    let mut out = String::from("\"");
    for b in text.bytes() {
        let _ = write!(out, "\\x{b:02x}");
    }
    out.push('"');
    out
}

/// A Go string literal of a schema name (letters and digits, no escapes needed).
fn go_name(name: &str) -> String {
    format!("\"{name}\"")
}

/// The statement that prints one leaf element `e` (a Go expression) at path `path` (a Go
/// string expression).
fn dump_leaf(target: TypeTarget, e: &str, path: &str) -> String {
    match target {
        TypeTarget::Primitive(Primitive::Bool) => {
            format!("fmt.Fprintf(o, \"%s=%s\\n\", {path}, kmdBool({e}))")
        }
        TypeTarget::Primitive(Primitive::Float32) => {
            format!("fmt.Fprintf(o, \"%s=%s\\n\", {path}, kmdF32({e}))")
        }
        TypeTarget::Primitive(Primitive::Float64) => {
            format!("fmt.Fprintf(o, \"%s=%s\\n\", {path}, kmdF64({e}))")
        }
        _ => format!("fmt.Fprintf(o, \"%s=%d\\n\", {path}, {e})"),
    }
}

/// The driver file (in the package of the generated code).
fn driver_source(schema: &Schema, cases: &[Case]) -> String {
    let package = generated_package(schema);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "package {package}\n\nimport (\n\t\"bufio\"\n\t\"encoding/hex\"\n\t\"fmt\"\n\t\"io\"\n\t\"math\"\n\t\"os\"\n\t\"strings\"\n\t\"unsafe\"\n\n\tkarmem \"karmem.org/golang\"\n)\n"
    );
    o.push_str(SUPPORT);
    for s in &schema.structs {
        dump_native(&mut o, schema, s);
        dump_view(&mut o, schema, s);
    }
    for (i, case) in cases.iter().enumerate() {
        let _ = writeln!(o, "\nfunc kmdCase{i}() *{} {{", case.root);
        let _ = writeln!(o, "\tx := New{}()", case.root);
        let index = schema
            .structs
            .iter()
            .position(|s| s.name == case.root)
            .expect("case root");
        assign_struct(&mut o, schema, index, &case.value, "x");
        let _ = writeln!(o, "\treturn &x\n}}");
    }
    let _ = writeln!(o, "\nfunc kmdEncode(o io.Writer) {{");
    for i in 0..cases.len() {
        let _ = writeln!(o, "\tkmdEmit(o, kmdCase{i}())");
    }
    let _ = writeln!(o, "}}");
    for s in &schema.structs {
        let _ = writeln!(o, "\nvar kmdPrev{} {}", s.name, s.name);
    }
    let _ = writeln!(
        o,
        "\nfunc kmdDecode(o io.Writer, root string, r *karmem.Reader, n int) {{\n\tswitch root {{"
    );
    for s in &schema.structs {
        let name = &s.name;
        let _ = writeln!(
            o,
            r#"	case {root}:
		var x {name}
		x.ReadAsRoot(r)
		var fresh, reused, zero strings.Builder
		kmdDump{name}(&fresh, &x, "")
		kmdPrev{name}.ReadAsRoot(r)
		kmdDump{name}(&reused, &kmdPrev{name}, "")
		if fresh.String() != reused.String() {{
			fmt.Fprintf(o, "mismatch: reading into a re-used {name} gives\n%s", reused.String())
		}}
		if n%2 == 1 {{
			kmdPrev{name}.Reset()
			reused.Reset()
			kmdDump{name}(&reused, &kmdPrev{name}, "")
			z := New{name}()
			kmdDump{name}(&zero, &z, "")
			if zero.String() != reused.String() {{
				fmt.Fprintf(o, "mismatch: Reset {name} gives\n%s", reused.String())
			}}
		}}
		io.WriteString(o, fresh.String())
		io.WriteString(o, "--\n")
		kmdView{name}(o, New{name}Viewer(r, 0), r, "")"#,
            root = go_name(name),
        );
    }
    let _ = writeln!(
        o,
        "\tdefault:\n\t\tpanic(\"unknown root \" + root)\n\t}}\n\tio.WriteString(o, \"==\\n\")\n}}"
    );
    o
}

/// The package clause of the generated file (`@golang.package`, else the module).
fn generated_package(schema: &Schema) -> String {
    schema
        .tag("golang.package")
        .map_or_else(|| schema.module.clone(), |t| t.value.clone())
}

/// Statements assigning the canonical JSON `value` of struct `index` to the Go place `x`
/// (zero values are left as `NewX` made them).
fn assign_struct(o: &mut String, schema: &Schema, index: usize, value: &Value, x: &str) {
    let s = &schema.structs[index];
    for f in &s.fields {
        let member = &value[f.name.as_str()];
        let target = f.target.expect("valid schema");
        let place = format!("{x}.{}", f.name);
        if is_string(target, f.model) {
            let text = member.as_str().unwrap_or_default();
            if !text.is_empty() {
                let _ = writeln!(o, "\t{place} = {}", go_string(text));
            }
            continue;
        }
        match f.model {
            TypeModel::Single => assign_element(o, schema, target, member, &place),
            TypeModel::Array => {
                for (i, item) in member.as_array().into_iter().flatten().enumerate() {
                    assign_element(o, schema, target, item, &format!("{place}[{i}]"));
                }
            }
            TypeModel::Slice | TypeModel::SliceLimited => {
                let items = member.as_array().cloned().unwrap_or_default();
                if items.is_empty() {
                    continue;
                }
                let ty = match target {
                    TypeTarget::Primitive(p) => go_primitive(p).to_string(),
                    TypeTarget::Enum(i) => schema.enums[i].name.clone(),
                    TypeTarget::Struct(i) => schema.structs[i].name.clone(),
                };
                let _ = writeln!(o, "\t{place} = make([]{ty}, {})", items.len());
                for (i, item) in items.iter().enumerate() {
                    assign_element(o, schema, target, item, &format!("{place}[{i}]"));
                }
            }
        }
    }
}

fn assign_element(o: &mut String, schema: &Schema, target: TypeTarget, value: &Value, place: &str) {
    match target {
        TypeTarget::Struct(i) => assign_struct(o, schema, i, value, place),
        TypeTarget::Primitive(Primitive::Bool) => {
            if value.as_bool().unwrap_or(false) {
                let _ = writeln!(o, "\t{place} = true");
            }
        }
        TypeTarget::Primitive(p @ (Primitive::Float32 | Primitive::Float64)) => {
            let single = p == Primitive::Float32;
            let bits = float_bits_to_write(value, single);
            if bits != 0 {
                let f = if single {
                    "Float32frombits"
                } else {
                    "Float64frombits"
                };
                let _ = writeln!(o, "\t{place} = math.{f}({bits:#x})");
            }
        }
        TypeTarget::Primitive(_) | TypeTarget::Enum(_) => {
            let text = integer_text(schema, target, value);
            if text != "0" {
                let _ = writeln!(o, "\t{place} = {text}");
            }
        }
    }
}

/// `kmdDumpX`: the canonical dump of a native value.
fn dump_native(o: &mut String, schema: &Schema, s: &Struct) {
    let name = &s.name;
    let _ = writeln!(
        o,
        "\nfunc kmdDump{name}(o io.Writer, x *{name}, p string) {{"
    );
    for f in &s.fields {
        let target = f.target.expect("valid schema");
        let id = &f.name;
        let path = format!("p+{}", go_name(id));
        if is_string(target, f.model) {
            let _ = writeln!(
                o,
                "\tfmt.Fprintf(o, \"%s=%s\\n\", {path}, hex.EncodeToString([]byte(x.{id})))"
            );
            continue;
        }
        match (f.model, target) {
            (TypeModel::Single, TypeTarget::Struct(i)) => {
                let t = &schema.structs[i].name;
                let _ = writeln!(o, "\tkmdDump{t}(o, &x.{id}, {path}+\".\")");
            }
            (TypeModel::Single, _) => {
                let _ = writeln!(o, "\t{}", dump_leaf(target, &format!("x.{id}"), &path));
            }
            _ => {
                let _ = writeln!(o, "\tfmt.Fprintf(o, \"%s#=%d\\n\", {path}, len(x.{id}))");
                let _ = writeln!(o, "\tfor i := range x.{id} {{");
                let _ = writeln!(o, "\t\tq := fmt.Sprintf(\"%s[%d]\", {path}, i)");
                match target {
                    TypeTarget::Struct(i) => {
                        let t = &schema.structs[i].name;
                        let _ = writeln!(o, "\t\tkmdDump{t}(o, &x.{id}[i], q+\".\")");
                    }
                    _ => {
                        let _ =
                            writeln!(o, "\t\t{}", dump_leaf(target, &format!("x.{id}[i]"), "q"));
                    }
                }
                let _ = writeln!(o, "\t}}");
            }
        }
    }
    let _ = writeln!(o, "}}");
}

/// `kmdViewX`: the canonical dump through the viewers.
fn dump_view(o: &mut String, schema: &Schema, s: &Struct) {
    let name = &s.name;
    let _ = writeln!(
        o,
        "\nfunc kmdView{name}(o io.Writer, v *{name}Viewer, r *karmem.Reader, p string) {{"
    );
    for f in &s.fields {
        let target = f.target.expect("valid schema");
        let id = &f.name;
        let path = format!("p+{}", go_name(id));
        if is_string(target, f.model) {
            let _ = writeln!(
                o,
                "\tfmt.Fprintf(o, \"%s=%s\\n\", {path}, hex.EncodeToString([]byte(v.{id}(r))))"
            );
            continue;
        }
        let table = |i: usize| schema.structs[i].class == Some(Class::Table);
        match (f.model, target) {
            (TypeModel::Single, TypeTarget::Struct(i)) => {
                let t = &schema.structs[i].name;
                let arg = if table(i) { "r" } else { "" };
                let _ = writeln!(o, "\tkmdView{t}(o, v.{id}({arg}), r, {path}+\".\")");
            }
            (TypeModel::Single, _) => {
                let _ = writeln!(o, "\t{}", dump_leaf(target, &format!("v.{id}()"), &path));
            }
            (TypeModel::Array, _) => {
                let n = f.length;
                let _ = writeln!(o, "\ta{id} := v.{id}()");
                let _ = writeln!(o, "\tfmt.Fprintf(o, \"%s#=%d\\n\", {path}, {n})");
                let _ = writeln!(o, "\tfor i := 0; i < {n}; i++ {{");
                let _ = writeln!(o, "\t\tq := fmt.Sprintf(\"%s[%d]\", {path}, i)");
                match target {
                    TypeTarget::Struct(i) => {
                        let t = &schema.structs[i].name;
                        let _ = writeln!(o, "\t\te := (*{t}Viewer)(unsafe.Pointer(&_Null))");
                        let _ =
                            writeln!(o, "\t\tif i < len(a{id}) {{\n\t\t\te = &a{id}[i]\n\t\t}}");
                        let _ = writeln!(o, "\t\tkmdView{t}(o, e, r, q+\".\")");
                    }
                    TypeTarget::Primitive(p) => {
                        let _ = writeln!(o, "\t\tvar e {}", go_primitive(p));
                        let _ = writeln!(o, "\t\tif i < len(a{id}) {{\n\t\t\te = a{id}[i]\n\t\t}}");
                        let _ = writeln!(o, "\t\t{}", dump_leaf(target, "e", "q"));
                    }
                    TypeTarget::Enum(_) => unreachable!("no arrays of enums"),
                }
                let _ = writeln!(o, "\t}}");
            }
            _ => {
                let _ = writeln!(o, "\ta{id} := v.{id}(r)");
                let _ = writeln!(o, "\tfmt.Fprintf(o, \"%s#=%d\\n\", {path}, len(a{id}))");
                let _ = writeln!(o, "\tfor i := range a{id} {{");
                let _ = writeln!(o, "\t\tq := fmt.Sprintf(\"%s[%d]\", {path}, i)");
                match target {
                    TypeTarget::Struct(i) => {
                        let t = &schema.structs[i].name;
                        let _ = writeln!(o, "\t\tkmdView{t}(o, &a{id}[i], r, q+\".\")");
                    }
                    _ => {
                        let _ = writeln!(o, "\t\t{}", dump_leaf(target, &format!("a{id}[i]"), "q"));
                    }
                }
                let _ = writeln!(o, "\t}}");
            }
        }
    }
    let _ = writeln!(o, "}}");
}

/// Helpers of every driver.
const SUPPORT: &str = r#"var _ = math.Float32bits
var _ = strings.Builder{}
var _ unsafe.Pointer

func kmdBool(b bool) string {
	if *(*uint8)(unsafe.Pointer(&b)) != 0 {
		return "true"
	}
	return "false"
}

func kmdF32(f float32) string {
	if f != f {
		return "nan"
	}
	return fmt.Sprintf("%08x", math.Float32bits(f))
}

func kmdF64(f float64) string {
	if f != f {
		return "nan"
	}
	return fmt.Sprintf("%016x", math.Float64bits(f))
}

type kmdRoot interface {
	WriteAsRoot(writer *karmem.Writer) (offset uint, err error)
}

// kmdDirty is re-used by every case; its memory is filled with garbage first.
var kmdDirty = karmem.NewWriter(0)

func kmdEmit(o io.Writer, x kmdRoot) {
	fresh := karmem.NewWriter(0)
	if _, err := x.WriteAsRoot(fresh); err != nil {
		panic(err)
	}
	want := hex.EncodeToString(fresh.Bytes())
	kmdDirty.Memory = kmdDirty.Memory[:cap(kmdDirty.Memory)]
	for i := range kmdDirty.Memory {
		kmdDirty.Memory[i] = 0xa5
	}
	kmdDirty.Reset()
	if _, err := x.WriteAsRoot(kmdDirty); err != nil {
		panic(err)
	}
	if got := hex.EncodeToString(kmdDirty.Bytes()); got != want {
		fmt.Fprintf(o, "mismatch: a re-used writer wrote %s, a fresh one %s\n", got, want)
		return
	}
	size := len(fresh.Bytes())
	fixed := karmem.NewFixedWriter(make([]byte, 0, size))
	if _, err := x.WriteAsRoot(fixed); err != nil || hex.EncodeToString(fixed.Bytes()) != want {
		fmt.Fprintf(o, "mismatch: a fixed writer of %d bytes: %v\n", size, err)
		return
	}
	if size > 0 {
		small := karmem.NewFixedWriter(make([]byte, 0, size-1))
		if _, err := x.WriteAsRoot(small); err != karmem.ErrOutOfMemory {
			fmt.Fprintf(o, "mismatch: a fixed writer of %d bytes did not fail: %v\n", size-1, err)
			return
		}
	}
	fmt.Fprintln(o, want)
}

// Karmem_driver_main runs the driver protocol (`encode`, or `decode` of stdin lines).
func Karmem_driver_main() {
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	if len(os.Args) < 2 {
		panic("usage: driver encode|decode")
	}
	switch os.Args[1] {
	case "encode":
		kmdEncode(out)
	case "decode":
		in := bufio.NewScanner(os.Stdin)
		in.Buffer(make([]byte, 1<<20), 1<<30)
		n := 0
		for in.Scan() {
			parts := strings.SplitN(in.Text(), " ", 2)
			if len(parts) != 2 {
				panic("expected ROOT HEX: " + in.Text())
			}
			data, err := hex.DecodeString(strings.TrimSpace(parts[1]))
			if err != nil {
				panic(err)
			}
			kmdDecode(out, parts[0], karmem.NewReader(data), n)
			n++
		}
		if err := in.Err(); err != nil {
			panic(err)
		}
	default:
		panic("unknown mode " + os.Args[1])
	}
}
"#;
