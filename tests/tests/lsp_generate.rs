//! Code generation from the language server: on save, with the `karmem.generate` command
//! and its code lens; the `karmem.generate.onSave` setting; schemas with errors and broken
//! configurations generate nothing.

use std::path::Path;
use std::time::{Duration, Instant};

use karmem_tests::lsp_client::{file_uri, LspClient, TempDir, TIMEOUT};
use serde_json::{json, Value};

const SCHEMA: &str = "karmem game;\n\nstruct Point inline {\n    X float32;\n    Y float32;\n}\n";
const BROKEN: &str = "karmem game;\n\nstruct Point inline {\n    X Nope;\n}\n";

/// A registered target.
fn target() -> &'static str {
    karmem_codegen::known_targets()
        .into_iter()
        .find(|t| t.available)
        .map(|t| t.name)
        .expect("a code generator is registered")
}

/// A project: `karmem.toml` generating `schemas/*.km` for `target` into `out/`.
fn project(name: &str, target: &str, out: &str) -> TempDir {
    let dir = TempDir::new(name);
    std::fs::create_dir_all(dir.path().join("schemas")).unwrap();
    std::fs::write(dir.path().join("schemas/game.km"), SCHEMA).unwrap();
    std::fs::write(
        dir.path().join("karmem.toml"),
        format!(
            "[[generate]]\nschemas = [\"schemas/*.km\"]\ntargets = [\"{target}\"]\nout = \"{out}\"\n"
        ),
    )
    .unwrap();
    dir
}

fn start(dir: &Path, options: Value, progress: bool) -> LspClient {
    let mut client = LspClient::spawn();
    let mut extra = json!({
        "workspaceFolders": [{ "uri": file_uri(dir), "name": "p" }],
        "initializationOptions": options,
    });
    if progress {
        // `capabilities` is replaced as a whole by `extra`: add `window` to the usual ones.
        let mut caps = karmem_tests::lsp_client::capabilities(false);
        caps["window"] = json!({ "workDoneProgress": true });
        extra["capabilities"] = caps;
    }
    client.initialize(false, extra);
    client
}

fn save(client: &mut LspClient, uri: &str) {
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
}

/// Waits for the log line of a finished generation run of `schema`.
fn wait_run(client: &mut LspClient, schema: &str) -> String {
    let params = client.wait_notification(
        "window/logMessage",
        |p| {
            p["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("generate: ") && m.contains(schema))
        },
        TIMEOUT,
    );
    params["message"].as_str().unwrap().to_string()
}

/// The files below `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(
                    path.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    out.sort();
    out
}

#[test]
fn saving_generates_with_progress() {
    let target = target();
    let dir = project("gen-save", target, "out");
    let schema = dir.path().join("schemas/game.km");
    let uri = file_uri(&schema);
    let mut client = start(dir.path(), json!({}), true);

    client.open(&uri, 1, SCHEMA);
    client.wait_diagnostics(&uri, 1);
    save(&mut client, &uri);
    let line = wait_run(&mut client, "game.km");
    assert!(line.contains("wrote 1 file(s)"), "{line}");
    let out = dir.path().join("out").join(target);
    let generated = files(&out);
    assert_eq!(generated.len(), 1, "{generated:?}");
    let text = std::fs::read_to_string(out.join(&generated[0])).unwrap();
    assert!(text.contains("from schemas/game.km"), "{text}");

    // Progress: created, begun and ended.
    assert!(client
        .server_requests
        .iter()
        .any(|r| r["method"] == "window/workDoneProgress/create"));
    let progress = client.drain_notifications("$/progress", Duration::from_millis(200));
    let kinds: Vec<&str> = progress
        .iter()
        .filter_map(|p| p["value"]["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["begin", "end"], "{progress:?}");

    // Saving again without changes rewrites nothing.
    let modified = std::fs::metadata(out.join(&generated[0]))
        .unwrap()
        .modified()
        .unwrap();
    save(&mut client, &uri);
    let line = wait_run(&mut client, "game.km");
    assert!(line.contains("wrote 0 file(s)"), "{line}");
    assert_eq!(
        std::fs::metadata(out.join(&generated[0]))
            .unwrap()
            .modified()
            .unwrap(),
        modified
    );
    assert!(client
        .drain_notifications("window/showMessage", Duration::from_millis(100))
        .is_empty());
    client.shutdown_and_exit();
}

#[test]
fn schema_with_errors_leaves_old_output_untouched() {
    let target = target();
    let dir = project("gen-errors", target, "out");
    let schema = dir.path().join("schemas/game.km");
    let uri = file_uri(&schema);
    let mut client = start(dir.path(), json!({}), false);
    client.open(&uri, 1, SCHEMA);
    client.wait_diagnostics(&uri, 1);
    save(&mut client, &uri);
    wait_run(&mut client, "game.km");
    let out = dir.path().join("out").join(target);
    let generated = files(&out);
    assert_eq!(generated.len(), 1);
    let before = std::fs::read_to_string(out.join(&generated[0])).unwrap();

    std::fs::write(&schema, BROKEN).unwrap();
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "text": BROKEN }] }),
    );
    save(&mut client, &uri);
    let line = wait_run(&mut client, "game.km");
    assert!(line.contains("has errors; nothing generated"), "{line}");
    assert_eq!(files(&out), generated);
    assert_eq!(
        std::fs::read_to_string(out.join(&generated[0])).unwrap(),
        before
    );
    // On save this is quiet (the diagnostics say it); the command says it out loud.
    assert!(client
        .drain_notifications("window/showMessage", Duration::from_millis(100))
        .is_empty());
    let result = client.request(
        "workspace/executeCommand",
        json!({ "command": "karmem.generate", "arguments": [uri] }),
    );
    assert_eq!(result, Value::Null);
    let shown = client.wait_notification("window/showMessage", |_| true, TIMEOUT);
    assert_eq!(shown["type"], 1, "{shown}");
    assert!(
        shown["message"].as_str().unwrap().contains("has errors"),
        "{shown}"
    );
    client.shutdown_and_exit();
}

#[test]
fn setting_turns_on_save_generation_off_and_command_still_works() {
    let target = target();
    let dir = project("gen-off", target, "out");
    let schema = dir.path().join("schemas/game.km");
    let uri = file_uri(&schema);
    let mut client = start(
        dir.path(),
        json!({ "karmem": { "generate": { "onSave": false } } }),
        false,
    );
    client.open(&uri, 1, SCHEMA);
    client.wait_diagnostics(&uri, 1);
    save(&mut client, &uri);
    // A round trip, then some time for a (wrong) background run.
    client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } }),
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(!dir.path().join("out").exists());
    assert!(client
        .drain_notifications("window/logMessage", Duration::from_millis(100))
        .iter()
        .all(|p| !p["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("generate: ")));

    // The code lens on the header runs the command, which works regardless of the setting.
    let lenses = client.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri } }),
    );
    let lenses = lenses.as_array().expect("lenses");
    assert_eq!(lenses.len(), 1, "{lenses:?}");
    let lens = &lenses[0];
    assert_eq!(lens["range"]["start"], json!({ "line": 0, "character": 0 }));
    assert_eq!(
        lens["command"]["title"],
        format!("Generate code ({target})")
    );
    assert_eq!(lens["command"]["command"], "karmem.generate");
    let result = client.request(
        "workspace/executeCommand",
        json!({ "command": "karmem.generate", "arguments": lens["command"]["arguments"] }),
    );
    assert_eq!(result, Value::Null);
    // The command answers after the run.
    assert_eq!(files(&dir.path().join("out").join(target)).len(), 1);

    // Turned back on with didChangeConfiguration.
    std::fs::remove_dir_all(dir.path().join("out")).unwrap();
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "karmem": { "generate": { "onSave": true } } } }),
    );
    save(&mut client, &uri);
    let deadline = Instant::now() + TIMEOUT;
    while files(&dir.path().join("out").join(target)).is_empty() {
        assert!(Instant::now() < deadline, "no generation after re-enabling");
        std::thread::sleep(Duration::from_millis(20));
    }
    client.shutdown_and_exit();
}

#[test]
fn hostile_out_directory_is_refused_and_shown() {
    let target = target();
    let parent = TempDir::new("gen-hostile");
    let root = parent.path().join("proj");
    std::fs::create_dir_all(root.join("schemas")).unwrap();
    std::fs::write(root.join("schemas/game.km"), SCHEMA).unwrap();
    std::fs::write(
        root.join("karmem.toml"),
        format!("[[generate]]\nschemas = [\"schemas/*.km\"]\ntargets = [\"{target}\"]\nout = \"../x\"\n"),
    )
    .unwrap();
    let schema = root.join("schemas/game.km");
    let uri = file_uri(&schema);
    let mut client = start(&root, json!({}), false);
    client.open(&uri, 1, SCHEMA);
    client.wait_diagnostics(&uri, 1);
    save(&mut client, &uri);
    let shown = client.wait_notification("window/showMessage", |_| true, TIMEOUT);
    assert_eq!(shown["type"], 1, "{shown}");
    let message = shown["message"].as_str().unwrap();
    assert!(
        message.contains("`out` must be a plain relative directory inside the project"),
        "{message}"
    );
    assert!(message.contains("karmem.toml:4:7"), "{message}");
    // Nothing anywhere: only the project's own files exist.
    assert_eq!(
        files(parent.path()),
        ["proj/karmem.toml", "proj/schemas/game.km"]
    );
    // No lens either: the configuration is broken.
    let lenses = client.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(lenses, json!([]));
    client.shutdown_and_exit();
}

#[test]
fn server_advertises_save_command_and_lens() {
    let mut client = LspClient::spawn();
    let result = client.initialize(false, json!({}));
    let caps = &result["capabilities"];
    assert_eq!(
        caps["textDocumentSync"]["save"],
        json!({ "includeText": false })
    );
    assert_eq!(
        caps["executeCommandProvider"]["commands"],
        json!(["karmem.generate"])
    );
    assert!(caps["codeLensProvider"].is_object(), "{caps}");
    client.shutdown_and_exit();
}

#[test]
fn schema_outside_any_configuration_is_ignored() {
    let dir = TempDir::new("gen-none");
    let schema = dir.path().join("lonely.km");
    std::fs::write(&schema, SCHEMA).unwrap();
    let uri = file_uri(&schema);
    let mut client = start(dir.path(), json!({}), false);
    client.open(&uri, 1, SCHEMA);
    client.wait_diagnostics(&uri, 1);
    save(&mut client, &uri);
    let line = wait_run(&mut client, "lonely.km");
    assert!(line.contains("not listed"), "{line}");
    assert!(client
        .drain_notifications("window/showMessage", Duration::from_millis(100))
        .is_empty());
    let lenses = client.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(lenses, json!([]));
    assert_eq!(files(dir.path()), ["lonely.km"]);
    client.shutdown_and_exit();
}

#[test]
fn stale_output_gets_a_lens_until_regenerated() {
    let target = target();
    let dir = project("gen-stale", target, "out");
    let schema = dir.path().join("schemas/game.km");
    let uri = file_uri(&schema);
    let mut client = start(
        dir.path(),
        json!({ "karmem": { "generate": { "onSave": false } } }),
        false,
    );
    client.open(&uri, 1, SCHEMA);
    client.wait_diagnostics(&uri, 1);
    let titles = |client: &mut LspClient| -> Vec<String> {
        let lenses = client.request(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": uri } }),
        );
        lenses
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["command"]["title"].as_str().unwrap().to_string())
            .collect()
    };
    let generate_title = format!("Generate code ({target})");
    // No output yet: nothing is stale.
    assert_eq!(titles(&mut client), vec![generate_title.clone()]);
    let run = |client: &mut LspClient| {
        client.request(
            "workspace/executeCommand",
            json!({ "command": "karmem.generate", "arguments": [uri] }),
        )
    };
    run(&mut client);
    assert_eq!(titles(&mut client), vec![generate_title.clone()]);

    // The saved schema changes (a comment is enough): the output is stale.
    let edited = format!("{SCHEMA}// edited\n");
    std::fs::write(&schema, &edited).unwrap();
    save(&mut client, &uri);
    assert_eq!(
        titles(&mut client),
        [
            generate_title.clone(),
            "Generated code is stale — regenerate".to_string()
        ]
    );
    run(&mut client);
    assert_eq!(titles(&mut client), [generate_title]);
    client.shutdown_and_exit();
}

#[test]
fn rapid_saves_end_with_the_newest_saved_text() {
    let target = target();
    let dir = project("gen-rapid", target, "out");
    let schema = dir.path().join("schemas/game.km");
    let uri = file_uri(&schema);
    let mut client = start(dir.path(), json!({}), false);
    client.open(&uri, 1, SCHEMA);
    client.wait_diagnostics(&uri, 1);
    let mut last = String::new();
    for i in 0..5 {
        last = format!("{SCHEMA}// save {i}\n");
        std::fs::write(&schema, &last).unwrap();
        save(&mut client, &uri);
    }
    for _ in 0..5 {
        wait_run(&mut client, "game.km");
    }
    let out = dir.path().join("out").join(target);
    let generated = files(&out);
    assert_eq!(generated.len(), 1, "{generated:?}");
    let text = std::fs::read_to_string(out.join(&generated[0])).unwrap();
    assert_eq!(
        karmem_codegen::read_header_hash(&text),
        Some(karmem_codegen::schema_hash(&last))
    );
    // Only the output directory was created.
    assert_eq!(
        files(dir.path()),
        [
            "karmem.toml".to_string(),
            format!("out/{target}/{}", generated[0]),
            "schemas/game.km".to_string()
        ]
    );
    client.shutdown_and_exit();
}

/// A schema Go and Zig cannot express as it is: `Reset` is a method of both targets' native
/// struct, `Size` a method of Zig's viewer. The duplicate id is fine for both (Go has
/// independent constants, Zig aliases inside `EnumPacketIdentifier`).
const NAME_PROBLEMS: &str = "karmem game;\n\nstruct Point table @id(7) {\n    Reset float32;\n    Size float32;\n}\n\nstruct Other inline @id(7) {\n    X uint8;\n}\n";

/// The diagnostics of `source`, as (range, severity, message).
fn from_source(diagnostics: &[Value], source: &str) -> Vec<(Value, Value, String)> {
    diagnostics
        .iter()
        .filter(|d| d["source"] == source)
        .map(|d| {
            (
                d["range"].clone(),
                d["severity"].clone(),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn enabled_targets_report_names_they_cannot_express() {
    use karmem_tests::lsp_client::range_of;
    let dir = project("gen-problems", "golang\", \"zig", "out");
    let schema = dir.path().join("schemas/game.km");
    std::fs::write(&schema, NAME_PROBLEMS).unwrap();
    // Next to the configuration but in no `[[generate]]` section.
    let lonely = dir.path().join("lonely.km");
    std::fs::write(&lonely, NAME_PROBLEMS).unwrap();
    let uri = file_uri(&schema);
    let mut client = start(dir.path(), json!({}), false);
    client.open(&uri, 1, NAME_PROBLEMS);
    let diagnostics = client.wait_diagnostics(&uri, 1);

    let reset = range_of(NAME_PROBLEMS, "Reset", 0, false);
    let size = range_of(NAME_PROBLEMS, "Size", 0, false);
    let go = from_source(&diagnostics, "karmem-golang");
    assert_eq!(go.len(), 1, "{diagnostics:#?}");
    assert_eq!(
        (&go[0].0, &go[0].1),
        (&reset, &json!(1)),
        "{diagnostics:#?}"
    );
    assert!(
        go[0].2.starts_with("golang cannot express this: ") && go[0].2.contains("Reset"),
        "{}",
        go[0].2
    );
    let zig = from_source(&diagnostics, "karmem-zig");
    let ranges: Vec<&Value> = zig.iter().map(|d| &d.0).collect();
    assert_eq!(ranges, [&reset, &size], "{diagnostics:#?}");
    for (_, severity, message) in &zig {
        assert_eq!(severity, &json!(1));
        assert!(
            message.starts_with("zig cannot express this: "),
            "{message}"
        );
    }
    assert!(zig[1].2.contains("viewer"), "{}", zig[1].2);

    // Renaming the fields makes both targets happy.
    let fixed = NAME_PROBLEMS
        .replace("Reset float32", "Again float32")
        .replace("Size float32", "Width float32");
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "text": fixed }],
        }),
    );
    let diagnostics = client.wait_diagnostics(&uri, 2);
    assert!(
        from_source(&diagnostics, "karmem-golang").is_empty()
            && from_source(&diagnostics, "karmem-zig").is_empty(),
        "{diagnostics:#?}"
    );

    // While the schema has errors, only the errors show.
    let broken = NAME_PROBLEMS.replace("X uint8", "X Nope");
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 3 },
            "contentChanges": [{ "text": broken }],
        }),
    );
    let diagnostics = client.wait_diagnostics(&uri, 3);
    assert!(!diagnostics.is_empty());
    assert!(
        from_source(&diagnostics, "karmem-golang").is_empty()
            && from_source(&diagnostics, "karmem-zig").is_empty(),
        "{diagnostics:#?}"
    );

    // A schema no `[[generate]]` section covers has no target problems.
    let lonely_uri = file_uri(&lonely);
    client.open(&lonely_uri, 1, NAME_PROBLEMS);
    let diagnostics = client.wait_diagnostics(&lonely_uri, 1);
    assert!(
        from_source(&diagnostics, "karmem-golang").is_empty()
            && from_source(&diagnostics, "karmem-zig").is_empty(),
        "{diagnostics:#?}"
    );
    client.shutdown_and_exit();
}
