//! Unit tests of the AssemblyScript generator (the compiled behaviour is tested by the
//! cross-language harness, `tests/tests/crosslang.rs`).

use super::*;
use crate::{generate, TargetOptions};
use karmem_syntax::{analyze, AnalysisOptions};

fn run(text: &str, options: &TargetOptions) -> Result<String, GenerateError> {
    let analysis = analyze(text, &AnalysisOptions::default());
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    let files = generate(&AssemblyScriptGenerator, &analysis, "demo.km", options)?;
    assert_eq!(files.len(), 1);
    Ok(files[0].contents.clone())
}

const DEMO: &str = "karmem demo @packed(true);
/// A kind.
enum Kind uint16 { Unknown; Big = 300; }
struct Point inline { X int32; Y int32; }
struct Meta table { Label []char; }
/// An item. */ not the end
struct Item table { Id uint64; Name [<16]char; Kind Kind; Pos Point; Path [<4]Point; Flags [3]bool; Data []byte; Meta Meta; Ok bool; C char; N [3]char; }
";

#[test]
fn file_name_header_and_import() {
    let analysis = analyze(DEMO, &AnalysisOptions::default());
    let files = generate(
        &AssemblyScriptGenerator,
        &analysis,
        "demo.km",
        &TargetOptions::new(),
    )
    .unwrap();
    assert_eq!(files[0].path, "demo_generated.ts");
    let text = &files[0].contents;
    assert!(text.starts_with("// "), "{text}");
    assert_eq!(
        crate::read_header_hash(text),
        Some(crate::schema_hash(DEMO))
    );
    assert!(text.contains("import * as karmem from 'karmem/assemblyscript/karmem';"));
    let tagged = DEMO.replace(
        "@packed(true);",
        "@packed(true) @assemblyscript.import(`../rt/karmem`);",
    );
    let text = run(&tagged, &TargetOptions::new()).unwrap();
    assert!(text.contains("import * as karmem from '../rt/karmem';"));
}

#[test]
fn public_api_has_upstream_names() {
    let text = run(DEMO, &TargetOptions::new()).unwrap();
    for needle in [
        "let _Null = new StaticArray<u8>(",
        "export type Kind = u16;",
        "export const KindBig : Kind = 300;",
        "export type PacketIdentifier = u64;",
        "export const PacketIdentifierItem : PacketIdentifier = ",
        "export class Item {",
        "    Name: string;",
        "    Flags: StaticArray<bool>;",
        "    Path: Array<Point>;",
        "    C: u8;",
        "    N: StaticArray<u8>;",
        "static WriteAsRoot(x: Item, writer: karmem.Writer): bool {",
        "static Write(x: Item, writer: karmem.Writer, start: u32): bool {",
        "static ReadAsRoot(x: Item, reader: karmem.Reader): void {",
        "static Read(x: Item, viewer: ItemViewer, reader: karmem.Reader): void {",
        "export function NewItem(): Item {",
        "@unmanaged\nexport class ItemViewer {",
        "Name(reader: karmem.Reader): string {",
        "Path(reader: karmem.Reader): karmem.Slice<PointViewer> {",
        "Flags(): karmem.Slice<bool> {",
        "export function NewItemViewer(reader: karmem.Reader, offset: u32): ItemViewer {",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    // Docs become JSDoc; `*/` in a doc cannot end the comment.
    assert!(text.contains("/**\n * A kind.\n */\nexport type Kind"));
    assert!(text.contains(" * An item. *\\/ not the end"));
    // The limited string is cut at 16 bytes.
    assert!(text.contains("if (size > 16) {"));
}

#[test]
fn nested_inline_structs_are_written_in_place() {
    let text = run(
        "karmem w;\nstruct P inline { X uint8; }\nstruct R inline { Pos P; Z uint8; }\n",
        &TargetOptions::new(),
    )
    .unwrap();
    assert!(text.contains("if (!P.WriteInPlace(x.Pos, writer, offset + 0)) {"));
    assert!(!text.contains("P.Write(x.Pos"));
}

#[test]
fn zero_size_elements_read_as_empty() {
    let text = run(
        "karmem z;\nstruct Z inline @packed(true) { X [0]uint8; }\nstruct U table { A []Z; }\n",
        &TargetOptions::new(),
    )
    .unwrap();
    assert!(!text.contains("/ 0"), "{text}");
    assert!(text.contains("return new karmem.Slice<ZViewer>(0, 0, 0);"));
}

#[test]
fn bad_imports_are_rejected() {
    for bad in ["", " x", "a'b", "a\\b", "a\"b"] {
        let mut options = TargetOptions::new();
        options.insert("import", bad);
        assert!(
            matches!(
                run(DEMO, &options),
                Err(GenerateError::InvalidOption { ref key, .. }) if key == "import"
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn inexpressible_schemas_are_refused() {
    for (schema, needle) in [
        (
            "karmem a;\nstruct Array inline { X uint8; }\n",
            "global `Array`",
        ),
        (
            "karmem a;\nstruct A inline { X uint8; }\nstruct AViewer inline { X uint8; }\n",
            "`AViewer`",
        ),
        (
            "karmem a;\nenum K uint8 { A; }\nstruct KA inline { X uint8; }\n",
            "`KA`",
        ),
        ("karmem a;\nstruct A inline { SizeOf uint8; }\n", "SizeOf"),
        (
            "karmem a;\nstruct A inline @id(5) { X uint8; }\nstruct B inline @id(5) { X uint8; }\n",
            "same id",
        ),
        (
            "karmem a;\nstruct PacketIdentifier inline { X uint8; }\n",
            "PacketIdentifier",
        ),
    ] {
        match run(schema, &TargetOptions::new()) {
            Err(GenerateError::Unsupported { message }) => {
                assert!(message.contains(needle), "{schema}: {message}")
            }
            other => panic!("{schema}: {other:?}"),
        }
    }
}

#[test]
fn problems_are_located_at_the_offending_name() {
    use crate::problems::located;
    // Duplicate ids: at the second struct's name.
    let text =
        "karmem demo;\nstruct A inline @id(7) { X uint8; }\nstruct B inline @id(7) { X uint8; }\n";
    let found = located(&AssemblyScriptGenerator, text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0, found[0].1.as_str()),
        (text.find("B inline").unwrap(), "B")
    );
    assert!(found[0].2.contains("`A`"), "{found:?}");
}
