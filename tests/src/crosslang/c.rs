//! The C driver of the cross-language harness (`codegen/testing.md` §3, C recipe).
//!
//! `build` generates `<module>_generated.h` with our `c` generator, copies our runtime
//! (`codegen/runtime/c/karmem.h`), generates `driver.c` from the model and the cases, and
//! compiles it twice with gcc: once with `-std=c11 -O2 -Wall -Wextra -Werror -pedantic` (the
//! generated code must be warning-free), once with `-O1 -fsanitize=address,undefined`
//! (that build is the driver that runs, so every decoded message also checks the code for
//! memory errors, undefined behaviour and leaks). Builds are reused while the sources are
//! unchanged.
//!
//! Besides the protocol of [`super`], the driver checks the object API's reuse: each
//! message is also read into one long-lived value per root type (holding the previous
//! message's slices) and that dump must equal the fresh one; `XReset` must give the null
//! viewer's defaults; encoding twice with a reset writer, and once with a fixed writer of
//! exactly the message's size, must give the same bytes, and a fixed writer one byte too
//! small must report failure. A mismatch prints a line that fails the comparison.

use std::fmt::Write as _;
use std::process::Command;

use karmem_codegen::TargetOptions;
use karmem_syntax::model::{Class, Primitive, Schema, Struct, TypeModel, TypeTarget};
use serde_json::Value;

use super::{
    cached_build, find_tool, float_bits_to_write, integer_text, is_string, run_command, BuildInput,
    Case, Driver, Language,
};

/// The `c` target.
pub struct C;

impl Language for C {
    fn name(&self) -> &'static str {
        "c"
    }

    fn tools(&self) -> &'static [&'static str] {
        &["gcc"]
    }

    fn build(&self, input: &BuildInput) -> Result<Driver, String> {
        let files = super::generate("c", input, &TargetOptions::new())?;
        let runtime = std::fs::read_to_string(super::runtime_dir("c").join("karmem.h"))
            .map_err(|e| format!("runtime: {e}"))?;
        let source = driver_source(input.schema, &files[0].path, input.cases);
        let mut sources: Vec<(String, String)> =
            files.into_iter().map(|f| (f.path, f.contents)).collect();
        sources.push(("karmem.h".to_string(), runtime));
        sources.push(("driver.c".to_string(), source));

        let dir = input.dir;
        let gcc = find_tool("gcc").ok_or("gcc not found")?;
        cached_build(dir, &sources, &[&gcc], &["driver-asan"], || {
            let strict = [
                "-std=c11",
                "-O2",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic",
                "driver.c",
                "-o",
                "driver",
            ];
            run_command(Command::new(&gcc).args(strict).current_dir(dir), None)?;
            let sanitized = [
                "-std=c11",
                "-O1",
                "-g",
                "-fno-omit-frame-pointer",
                "-fsanitize=address,undefined",
                "-fno-sanitize-recover=all",
                "driver.c",
                "-o",
                "driver-asan",
            ];
            run_command(Command::new(&gcc).args(sanitized).current_dir(dir), None).map(drop)
        })?;
        Ok(Driver {
            program: dir.join("driver-asan"),
            args: Vec::new(),
            env: vec![(
                "ASAN_OPTIONS".to_string(),
                "detect_leaks=1:abort_on_error=0".to_string(),
            )],
        })
    }
}

fn c_primitive(p: Primitive) -> &'static str {
    match p {
        Primitive::Bool => "bool",
        Primitive::Byte | Primitive::Char | Primitive::Uint8 => "uint8_t",
        Primitive::Uint16 => "uint16_t",
        Primitive::Uint32 => "uint32_t",
        Primitive::Uint64 => "uint64_t",
        Primitive::Int8 => "int8_t",
        Primitive::Int16 => "int16_t",
        Primitive::Int32 => "int32_t",
        Primitive::Int64 => "int64_t",
        Primitive::Float32 => "float",
        Primitive::Float64 => "double",
    }
}

/// The C type of an element.
fn elem_type(schema: &Schema, target: TypeTarget) -> String {
    match target {
        TypeTarget::Primitive(p) => c_primitive(p).to_string(),
        TypeTarget::Enum(i) => format!("Enum{}", schema.enums[i].name),
        TypeTarget::Struct(i) => schema.structs[i].name.clone(),
    }
}

/// Whether a scalar element prints as a signed number.
fn is_signed(schema: &Schema, target: TypeTarget) -> bool {
    let p = match target {
        TypeTarget::Enum(i) => schema.enums[i].base.unwrap_or(Primitive::Uint8),
        TypeTarget::Primitive(p) => p,
        TypeTarget::Struct(_) => return false,
    };
    p.integer_bits().is_some_and(|(_, signed)| signed)
}

fn is_table(s: &Struct) -> bool {
    s.class == Some(Class::Table)
}

fn total(s: &Struct) -> u32 {
    s.size.as_ref().map_or(0, |z| z.total)
}

/// The statement printing scalar `value` (an expression of the element's C type) at
/// `path` (a `char *` expression).
fn print_scalar(schema: &Schema, target: TypeTarget, path: &str, value: &str) -> String {
    match target {
        TypeTarget::Primitive(Primitive::Bool) => format!("drv_bool({path}, {value});"),
        TypeTarget::Primitive(Primitive::Float32) => format!("drv_f32({path}, {value});"),
        TypeTarget::Primitive(Primitive::Float64) => format!("drv_f64({path}, {value});"),
        _ if is_signed(schema, target) => format!("drv_i({path}, (int64_t) {value});"),
        _ => format!("drv_u({path}, (uint64_t) {value});"),
    }
}

/// The statement printing the scalar whose wire bytes are at `bytes` (a `uint8_t *`).
fn print_raw(schema: &Schema, target: TypeTarget, path: &str, bytes: &str) -> String {
    match target {
        TypeTarget::Primitive(Primitive::Bool) => format!("drv_bool({path}, *({bytes}) != 0);"),
        _ => {
            let ty = elem_type(schema, target);
            format!(
                "{ty} value; memcpy(&value, {bytes}, sizeof(value)); {}",
                print_scalar(schema, target, path, "value")
            )
        }
    }
}

/// `driver.c` for `schema` (generated header `header`) and `cases`.
pub fn driver_source(schema: &Schema, header: &str, cases: &[Case]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "// The cross-language harness driver (generated by karmem-tests)."
    );
    let _ = writeln!(
        o,
        "#include <inttypes.h>\n#include <math.h>\n#include <stdio.h>"
    );
    let _ = writeln!(o, "#include \"{header}\"\n");
    o.push_str(PRELUDE);
    for s in &schema.structs {
        dump_object(&mut o, schema, s);
        dump_view(&mut o, schema, s);
    }
    for (i, case) in cases.iter().enumerate() {
        build_case(&mut o, schema, i, case);
    }
    let _ = writeln!(o, "static int drv_encode(void) {{");
    let _ = writeln!(o, "    KarmemWriter w = KarmemNewWriter(1);");
    for i in 0..cases.len() {
        let _ = writeln!(o, "    drv_emit(&w, drv_case_{i});");
    }
    let _ = writeln!(o, "    KarmemWriterFree(&w);\n    return 0;\n}}\n");
    for s in &schema.structs {
        let n = &s.name;
        let _ = writeln!(
            o,
            "static {n} drv_reuse_{n};

static void drv_decode_{n}(KarmemReader * r) {{
    {n} fresh = New{n}();
    {n}ReadAsRoot(&fresh, r);
    drv_reset();
    drv_obj_{n}(\"\", &fresh);
    char * first = drv_take();
    {n}ReadAsRoot(&drv_reuse_{n}, r);
    drv_reset();
    drv_obj_{n}(\"\", &drv_reuse_{n});
    if (strcmp(first, drv_text) != 0) {{
        puts(\"reuse-mismatch\");
    }}
    drv_reset();
    drv_view_{n}(\"\", ({n}Viewer *) _Null, r);
    char * defaults = drv_take();
    {n} reset = New{n}();
    {n}ReadAsRoot(&reset, r);
    {n}Reset(&reset);
    drv_reset();
    drv_obj_{n}(\"\", &reset);
    if (strcmp(defaults, drv_text) != 0) {{
        puts(\"reset-mismatch\");
    }}
    free(defaults);
    {n}Free(&reset);
    fputs(first, stdout);
    free(first);
    {n}Free(&fresh);
    puts(\"--\");
    drv_reset();
    drv_view_{n}(\"\", New{n}Viewer(r, 0), r);
    fputs(drv_text, stdout);
    puts(\"==\");
}}
"
        );
    }
    let _ = writeln!(
        o,
        "static int drv_decode(void) {{
    char * line;
    while ((line = drv_line()) != NULL) {{
        char * space = strchr(line, ' ');
        if (space == NULL) {{
            free(line);
            continue;
        }}
        *space = 0;
        uint32_t size = 0;
        uint8_t * bytes = drv_unhex(space + 1, &size);
        KarmemReader r = KarmemNewReader(bytes, size);
        (void) r;"
    );
    let mut first = true;
    for s in &schema.structs {
        let n = &s.name;
        let kw = if first { "if" } else { "} else if" };
        first = false;
        let _ = writeln!(o, "        {kw} (strcmp(line, \"{n}\") == 0) {{");
        let _ = writeln!(o, "            drv_decode_{n}(&r);");
    }
    if first {
        let _ = writeln!(o, "        puts(\"unknown-root\");");
    } else {
        let _ = writeln!(
            o,
            "        }} else {{\n            puts(\"unknown-root\");\n        }}"
        );
    }
    let _ = writeln!(o, "        free(bytes);\n        free(line);\n    }}");
    for s in &schema.structs {
        let _ = writeln!(o, "    {0}Free(&drv_reuse_{0});", s.name);
    }
    let _ = writeln!(
        o,
        "    free(drv_text);
    return 0;
}}

int main(int argc, char ** argv) {{
    if (argc > 1 && strcmp(argv[1], \"encode\") == 0) {{
        return drv_encode();
    }}
    if (argc > 1 && strcmp(argv[1], \"decode\") == 0) {{
        return drv_decode();
    }}
    fputs(\"usage: driver encode|decode\\n\", stderr);
    return 2;
}}"
    );
    o
}

const PRELUDE: &str = r##"static char * drv_text = NULL;
static size_t drv_len = 0;
static size_t drv_cap = 0;

static inline void drv_reset(void) {
    drv_len = 0;
    if (drv_text != NULL) {
        drv_text[0] = 0;
    }
}

static inline void drv_put(const char * s) {
    size_t n = strlen(s);
    if (drv_len + n + 1 > drv_cap) {
        size_t cap = drv_cap * 2 + n + 64;
        drv_text = (char *) realloc(drv_text, cap);
        if (drv_text == NULL) {
            abort();
        }
        drv_cap = cap;
    }
    memcpy(drv_text + drv_len, s, n + 1);
    drv_len += n;
}

static inline char * drv_take(void) {
    char * copy = (char *) malloc(drv_len + 1);
    if (copy == NULL) {
        abort();
    }
    memcpy(copy, drv_text != NULL ? drv_text : "", drv_len + 1);
    return copy;
}

// `dst` (4096 bytes) := `prefix` + `name`.
static inline void drv_path(char * dst, const char * prefix, const char * name) {
    size_t a = strlen(prefix);
    size_t b = strlen(name);
    if (a + b + 1 > 4096) {
        abort();
    }
    memmove(dst, prefix, a);
    memcpy(dst + a, name, b + 1);
}

// `dst` (4096 bytes) := `base` + `[i]` + `suffix`.
static inline void drv_index(char * dst, const char * base, uint32_t i, const char * suffix) {
    char tail[32];
    snprintf(tail, sizeof tail, "[%" PRIu32 "]%s", i, suffix);
    drv_path(dst, base, tail);
}

static inline void drv_line_of(const char * path, const char * value) {
    drv_put(path);
    drv_put("=");
    drv_put(value);
    drv_put("\n");
}

static inline void drv_u(const char * path, uint64_t v) {
    char b[32];
    snprintf(b, sizeof b, "%" PRIu64, v);
    drv_line_of(path, b);
}

static inline void drv_i(const char * path, int64_t v) {
    char b[32];
    snprintf(b, sizeof b, "%" PRId64, v);
    drv_line_of(path, b);
}

static inline void drv_bool(const char * path, bool v) {
    drv_line_of(path, v ? "true" : "false");
}

static inline void drv_f32(const char * path, float v) {
    char b[32];
    uint32_t bits;
    memcpy(&bits, &v, 4);
    if (isnan(v)) {
        snprintf(b, sizeof b, "nan");
    } else {
        snprintf(b, sizeof b, "%08" PRIx32, bits);
    }
    drv_line_of(path, b);
}

static inline void drv_f64(const char * path, double v) {
    char b[32];
    uint64_t bits;
    memcpy(&bits, &v, 8);
    if (isnan(v)) {
        snprintf(b, sizeof b, "nan");
    } else {
        snprintf(b, sizeof b, "%016" PRIx64, bits);
    }
    drv_line_of(path, b);
}

static inline void drv_count(const char * path, uint32_t n) {
    char b[32];
    drv_put(path);
    snprintf(b, sizeof b, "#=%" PRIu32 "\n", n);
    drv_put(b);
}

static inline void drv_str(const char * path, const uint8_t * bytes, uint32_t n) {
    static const char digits[] = "0123456789abcdef";
    char b[3];
    drv_put(path);
    drv_put("=");
    for (uint32_t i = 0; i < n; i++) {
        b[0] = digits[bytes[i] >> 4];
        b[1] = digits[bytes[i] & 15];
        b[2] = 0;
        drv_put(b);
    }
    drv_put("\n");
}

static inline float drv_float(uint32_t bits) {
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline double drv_double(uint64_t bits) {
    double f;
    memcpy(&f, &bits, 8);
    return f;
}

static inline void drv_emit(KarmemWriter * w, uint32_t (*build)(KarmemWriter *)) {
    KarmemWriterReset(w);
    if (build(w) == 0xFFFFFFFF) {
        puts("write-failed");
        return;
    }
    uint32_t n = w->length;
    uint8_t * first = (uint8_t *) malloc(n > 0 ? n : 1);
    if (first == NULL) {
        abort();
    }
    memcpy(first, w->memory, n);
    KarmemWriterReset(w);
    build(w);
    if (w->length != n || memcmp(first, w->memory, n) != 0) {
        puts("rewrite-mismatch");
    }
    // A fixed writer of exactly the size writes the same bytes; one byte less fails
    // cleanly (every allocation is checked; the sanitizer sees any write past the end).
    uint8_t * fixed = (uint8_t *) malloc(n > 0 ? n : 1);
    if (fixed == NULL) {
        abort();
    }
    KarmemWriter exact = KarmemNewFixedWriter(fixed, n);
    if (build(&exact) == 0xFFFFFFFF || exact.length != n || memcmp(fixed, first, n) != 0) {
        puts("fixed-writer-mismatch");
    }
    if (n > 0) {
        KarmemWriter small = KarmemNewFixedWriter(fixed, n - 1);
        if (build(&small) != 0xFFFFFFFF) {
            puts("fixed-writer-overflow-not-reported");
        }
    }
    free(fixed);
    for (uint32_t i = 0; i < n; i++) {
        printf("%02x", first[i]);
    }
    putchar('\n');
    free(first);
}

static inline char * drv_line(void) {
    size_t cap = 256;
    size_t len = 0;
    char * s = (char *) malloc(cap);
    int c;
    if (s == NULL) {
        abort();
    }
    while ((c = getchar()) != EOF && c != '\n') {
        if (len + 2 > cap) {
            cap *= 2;
            s = (char *) realloc(s, cap);
            if (s == NULL) {
                abort();
            }
        }
        s[len++] = (char) c;
    }
    if (c == EOF && len == 0) {
        free(s);
        return NULL;
    }
    s[len] = 0;
    return s;
}

static inline int drv_nibble(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return 0;
}

// Exactly `*size` bytes in a fresh allocation, so the sanitizer sees reads past the end.
static inline uint8_t * drv_unhex(const char * hex, uint32_t * size) {
    size_t n = strlen(hex) / 2;
    uint8_t * bytes = (uint8_t *) malloc(n > 0 ? n : 1);
    if (bytes == NULL) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        bytes[i] = (uint8_t) (drv_nibble(hex[2 * i]) * 16 + drv_nibble(hex[2 * i + 1]));
    }
    *size = (uint32_t) n;
    return bytes;
}

"##;

/// `drv_obj_X(prefix, x)`: the canonical dump of a native value.
fn dump_object(o: &mut String, schema: &Schema, s: &Struct) {
    let n = &s.name;
    let _ = writeln!(
        o,
        "static void drv_obj_{n}(const char * p, {n} * x) {{
    char path[4096];
    char elem[4096];
    (void) p;
    (void) x;
    (void) path;
    (void) elem;"
    );
    for f in &s.fields {
        let name = &f.name;
        let target = f.target.expect("valid schema");
        let _ = writeln!(o, "    drv_path(path, p, \"{name}\");");
        if is_string(target, f.model) {
            let _ = writeln!(o, "    drv_str(path, x->{name}, x->_{name}_len);");
            continue;
        }
        if f.model == TypeModel::Single {
            match target {
                TypeTarget::Struct(i) => {
                    let _ = writeln!(o, "    drv_path(path, p, \"{name}.\");");
                    let _ = writeln!(
                        o,
                        "    drv_obj_{}(path, &x->{name});",
                        schema.structs[i].name
                    );
                }
                _ => {
                    let _ = writeln!(
                        o,
                        "    {}",
                        print_scalar(schema, target, "path", &format!("x->{name}"))
                    );
                }
            }
            continue;
        }
        let count = if f.model == TypeModel::Array {
            f.length.to_string()
        } else {
            format!("x->_{name}_len")
        };
        let _ = writeln!(o, "    drv_count(path, {count});");
        if f.model == TypeModel::Array && f.length == 0 {
            continue;
        }
        let _ = writeln!(o, "    for (uint32_t i = 0; i < {count}; i++) {{");
        match target {
            TypeTarget::Struct(i) => {
                let _ = writeln!(o, "        drv_index(elem, path, i, \".\");");
                let _ = writeln!(
                    o,
                    "        drv_obj_{}(elem, &x->{name}[i]);",
                    schema.structs[i].name
                );
            }
            _ => {
                let _ = writeln!(o, "        drv_index(elem, path, i, \"\");");
                let _ = writeln!(
                    o,
                    "        {}",
                    print_scalar(schema, target, "elem", &format!("x->{name}[i]"))
                );
            }
        }
        let _ = writeln!(o, "    }}");
    }
    let _ = writeln!(o, "}}\n");
}

/// `drv_view_X(prefix, viewer, reader)`: the canonical dump through the viewers.
fn dump_view(o: &mut String, schema: &Schema, s: &Struct) {
    let n = &s.name;
    let v = format!("{n}Viewer");
    let _ = writeln!(
        o,
        "static void drv_view_{n}(const char * p, {v} * v, KarmemReader * r) {{
    char path[4096];
    char elem[4096];
    (void) p;
    (void) v;
    (void) r;
    (void) path;
    (void) elem;"
    );
    for f in &s.fields {
        let name = &f.name;
        let target = f.target.expect("valid schema");
        let acc = format!("{v}_{name}");
        let _ = writeln!(o, "    drv_path(path, p, \"{name}\");");
        if is_string(target, f.model) {
            let _ = writeln!(o, "    drv_str(path, {acc}(v, r), {acc}Length(v, r));");
            continue;
        }
        if f.model == TypeModel::Single {
            match target {
                TypeTarget::Struct(i) => {
                    let t = &schema.structs[i];
                    let args = if is_table(t) { "(v, r)" } else { "(v)" };
                    let _ = writeln!(o, "    drv_path(path, p, \"{name}.\");");
                    let _ = writeln!(o, "    drv_view_{}(path, {acc}{args}, r);", t.name);
                }
                _ => {
                    let _ = writeln!(
                        o,
                        "    {}",
                        print_scalar(schema, target, "path", &format!("{acc}(v)"))
                    );
                }
            }
            continue;
        }
        let array = f.model == TypeModel::Array;
        let args = if array { "(v)" } else { "(v, r)" };
        if array && f.length == 0 {
            let _ = writeln!(o, "    if ({acc}Length(v) != 0) {{");
            let _ = writeln!(o, "        drv_line_of(path, \"bad-array-length\");");
            let _ = writeln!(o, "    }}");
            let _ = writeln!(o, "    drv_count(path, 0);");
            continue;
        }
        let stride = match target {
            TypeTarget::Struct(i) => total(&schema.structs[i]),
            _ => f.layout.map_or(0, |l| l.allocation),
        };
        let _ = writeln!(o, "    {{");
        let _ = writeln!(o, "        uint32_t length = {acc}Length{args};");
        let _ = writeln!(o, "        uint8_t * data = (uint8_t *) {acc}{args};");
        let _ = writeln!(o, "        (void) data;");
        // Arrays always have N elements (defaults when the table is too short).
        let count = if array {
            let _ = writeln!(o, "        if (length != 0 && length != {}) {{", f.length);
            let _ = writeln!(o, "            drv_line_of(path, \"bad-array-length\");");
            let _ = writeln!(o, "        }}");
            f.length.to_string()
        } else {
            "length".to_string()
        };
        let in_range = if array { "i < length" } else { "true" };
        let _ = writeln!(o, "        drv_count(path, {count});");
        let _ = writeln!(o, "        for (uint32_t i = 0; i < {count}; i++) {{");
        match target {
            TypeTarget::Struct(i) => {
                let t = &schema.structs[i];
                let _ = writeln!(o, "            drv_index(elem, path, i, \".\");");
                let _ = writeln!(
                    o,
                    "            {0}Viewer * e = {in_range} ? ({0}Viewer *) (data + (size_t) i * {stride}) : ({0}Viewer *) _Null;",
                    t.name
                );
                let _ = writeln!(o, "            drv_view_{}(elem, e, r);", t.name);
            }
            _ => {
                let ty = elem_type(schema, target);
                let _ = writeln!(o, "            drv_index(elem, path, i, \"\");");
                let _ = writeln!(o, "            if ({in_range}) {{");
                let _ = writeln!(
                    o,
                    "                {}",
                    print_raw(
                        schema,
                        target,
                        "elem",
                        &format!("data + (size_t) i * {stride}")
                    )
                );
                let _ = writeln!(o, "            }} else {{");
                let _ = writeln!(
                    o,
                    "                {}",
                    print_scalar(schema, target, "elem", &format!("({ty}) 0"))
                );
                let _ = writeln!(o, "            }}");
            }
        }
        let _ = writeln!(o, "        }}");
        let _ = writeln!(o, "    }}");
    }
    let _ = writeln!(o, "}}\n");
}

/// `drv_case_I(writer)`: builds case `i` with the native API and writes it as the root.
fn build_case(o: &mut String, schema: &Schema, i: usize, case: &Case) {
    let index = schema
        .structs
        .iter()
        .position(|s| s.name == case.root)
        .unwrap_or_else(|| panic!("no struct {}", case.root));
    let root = &schema.structs[index].name;
    let mut body = String::new();
    let mut counter = 0;
    fill(&mut body, schema, index, &case.value, "v", &mut counter);
    let _ = writeln!(
        o,
        "static uint32_t drv_case_{i}(KarmemWriter * w) {{\n    {root} v = New{root}();\n{body}    return {root}WriteAsRoot(&v, w);\n}}\n"
    );
}

/// An expression of element type `target` for the canonical JSON `value` (not structs).
fn scalar_expr(schema: &Schema, target: TypeTarget, value: &Value) -> String {
    match target {
        TypeTarget::Primitive(Primitive::Bool) => {
            if value.as_bool().unwrap_or(false) {
                "true".into()
            } else {
                "false".into()
            }
        }
        TypeTarget::Primitive(Primitive::Float32) => {
            format!("drv_float(0x{:08x}u)", float_bits_to_write(value, true))
        }
        TypeTarget::Primitive(Primitive::Float64) => {
            format!(
                "drv_double(0x{:016x}ULL)",
                float_bits_to_write(value, false)
            )
        }
        _ => {
            let text = integer_text(schema, target, value);
            let ty = elem_type(schema, target);
            match text.parse::<i128>() {
                Ok(n) if n < 0 => format!("({ty}) ({}LL - 1)", n + 1),
                Ok(n) => format!("({ty}) {n}ULL"),
                Err(_) => panic!("not an integer: {text}"),
            }
        }
    }
}

/// Statements setting the native struct `lhs` (struct `index`) to `value`.
fn fill(
    o: &mut String,
    schema: &Schema,
    index: usize,
    value: &Value,
    lhs: &str,
    counter: &mut usize,
) {
    let s = &schema.structs[index];
    for f in &s.fields {
        let Some(member) = value.get(f.name.as_str()) else {
            continue;
        };
        let name = &f.name;
        let target = f.target.expect("valid schema");
        if is_string(target, f.model) {
            let text = member.as_str().unwrap_or_default();
            if text.is_empty() {
                continue;
            }
            let id = *counter;
            *counter += 1;
            let bytes: Vec<String> = text.bytes().map(|b| format!("0x{b:02x}")).collect();
            let _ = writeln!(
                o,
                "    static uint8_t s{id}[] = {{ {} }};\n    {lhs}.{name} = s{id};\n    {lhs}._{name}_len = {1};\n    {lhs}._{name}_cap = {1};",
                bytes.join(", "),
                text.len()
            );
            continue;
        }
        match f.model {
            TypeModel::Single => match target {
                TypeTarget::Struct(i) => {
                    fill(o, schema, i, member, &format!("{lhs}.{name}"), counter);
                }
                _ => {
                    let _ = writeln!(
                        o,
                        "    {lhs}.{name} = {};",
                        scalar_expr(schema, target, member)
                    );
                }
            },
            TypeModel::Array => {
                let empty = Vec::new();
                let items = member.as_array().unwrap_or(&empty);
                for (i, item) in items.iter().enumerate().take(f.length as usize) {
                    match target {
                        TypeTarget::Struct(t) => {
                            fill(o, schema, t, item, &format!("{lhs}.{name}[{i}]"), counter);
                        }
                        _ => {
                            let _ = writeln!(
                                o,
                                "    {lhs}.{name}[{i}] = {};",
                                scalar_expr(schema, target, item)
                            );
                        }
                    }
                }
            }
            TypeModel::Slice | TypeModel::SliceLimited => {
                let empty = Vec::new();
                let items = member.as_array().unwrap_or(&empty);
                if items.is_empty() {
                    continue;
                }
                let id = *counter;
                *counter += 1;
                let ty = elem_type(schema, target);
                let _ = writeln!(o, "    {ty} a{id}[{}];", items.len());
                for (i, item) in items.iter().enumerate() {
                    match target {
                        TypeTarget::Struct(t) => {
                            let _ = writeln!(o, "    a{id}[{i}] = New{ty}();");
                            fill(o, schema, t, item, &format!("a{id}[{i}]"), counter);
                        }
                        _ => {
                            let _ = writeln!(
                                o,
                                "    a{id}[{i}] = {};",
                                scalar_expr(schema, target, item)
                            );
                        }
                    }
                }
                let _ = writeln!(
                    o,
                    "    {lhs}.{name} = a{id};\n    {lhs}._{name}_len = {0};\n    {lhs}._{name}_cap = {0};",
                    items.len()
                );
            }
        }
    }
}
