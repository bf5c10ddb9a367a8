//! Compatibility diagnostics in the language server: the open document compared with the
//! file at `karmem.compat.against` (default `HEAD`) in its git repository.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use karmem_tests::lsp_client::{file_uri, LspClient, TempDir, TIMEOUT};
use serde_json::{json, Value};

const SCHEMA: &str =
    "karmem demo;\n\nstruct User table {\n    Id uint32;\n    Score uint16;\n    Age uint8;\n}\n";
/// `Score` removed from the middle of the table: TABLE_FIELD_REMOVED (wire).
const EDITED: &str = "karmem demo;\n\nstruct User table {\n    Id uint32;\n    Age uint8;\n}\n";

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A repository with `schema.km` committed; `None` (skipped) when git is unavailable.
fn repo(name: &str) -> Option<TempDir> {
    let dir = TempDir::new(name);
    std::fs::write(dir.path().join("schema.km"), SCHEMA).unwrap();
    let ok = git(dir.path(), &["init", "-q"])
        && git(dir.path(), &["add", "schema.km"])
        && git(
            dir.path(),
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
                "commit",
                "-q",
                "-m",
                "base",
            ],
        );
    if !ok {
        eprintln!("skipped: git is not available");
        return None;
    }
    Some(dir)
}

fn compat_diagnostics(params: &Value) -> Vec<Value> {
    params["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["source"] == "karmem-compat")
        .cloned()
        .collect()
}

fn start(dir: &Path, options: Value) -> LspClient {
    let mut client = LspClient::spawn();
    client.initialize(
        false,
        json!({ "rootUri": file_uri(dir), "initializationOptions": options }),
    );
    client
}

/// Every publication for `uri` within a while (at least one); none may carry compatibility
/// diagnostics.
fn assert_no_compat(client: &mut LspClient, uri: &str) {
    assert!(
        !no_compat_after(client, uri),
        "no diagnostics published for {uri}"
    );
}

/// Every publication for `uri` within a while; none may carry compatibility diagnostics.
/// Whether there was none at all.
fn no_compat_after(client: &mut LspClient, uri: &str) -> bool {
    let published = client.drain_notifications(
        "textDocument/publishDiagnostics",
        Duration::from_millis(2500),
    );
    let mine: Vec<_> = published.iter().filter(|p| p["uri"] == uri).collect();
    for p in &mine {
        assert!(compat_diagnostics(p).is_empty(), "unexpected: {p}");
    }
    mine.is_empty()
}

#[test]
fn removed_field_is_a_wire_error_and_restoring_clears_it() {
    let Some(dir) = repo("compat-wire") else {
        return;
    };
    let path = dir.path().join("schema.km");
    let uri = file_uri(&path);
    let mut client = start(dir.path(), json!({ "generate": { "onSave": false } }));
    client.open(&uri, 1, EDITED);
    let params = client.wait_notification(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == uri.as_str() && !compat_diagnostics(p).is_empty(),
        TIMEOUT,
    );
    assert_eq!(params["version"], 1);
    let found = compat_diagnostics(&params);
    assert_eq!(found.len(), 1, "{found:?}");
    let d = &found[0];
    assert_eq!(d["code"], "TABLE_FIELD_REMOVED");
    assert_eq!(d["severity"], 1, "wire violations are errors");
    assert!(d["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("docs/compatibility.md#table_field_removed"));
    assert!(d["message"].as_str().unwrap().contains("Score"), "{d}");
    let related = &d["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri.as_str());
    assert!(
        related["message"]
            .as_str()
            .unwrap()
            .contains("Score uint16"),
        "{related}"
    );

    // Restoring the committed text clears it.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "text": SCHEMA }],
        }),
    );
    let params = client.wait_notification(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == uri.as_str() && p["version"] == 2,
        TIMEOUT,
    );
    assert_eq!(params["diagnostics"], json!([]));
    assert_no_compat(&mut client, &uri);

    // Editing again brings it back (the baseline is cached).
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 3 },
            "contentChanges": [{ "text": EDITED }],
        }),
    );
    let params = client.wait_notification(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == uri.as_str() && p["version"] == 3 && !compat_diagnostics(p).is_empty(),
        TIMEOUT,
    );
    assert_eq!(
        compat_diagnostics(&params)[0]["code"],
        "TABLE_FIELD_REMOVED"
    );

    // Committing the edit moves HEAD; after a save the revision is resolved again.
    std::fs::write(&path, EDITED).unwrap();
    assert!(git(dir.path(), &["add", "schema.km"]));
    assert!(git(
        dir.path(),
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "-m",
            "edit"
        ],
    ));
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 4 },
            "contentChanges": [{ "text": format!("{EDITED}\n") }],
        }),
    );
    let params = client.wait_notification(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == uri.as_str() && p["version"] == 4,
        TIMEOUT,
    );
    assert!(compat_diagnostics(&params).is_empty(), "{params}");
    no_compat_after(&mut client, &uri);
    client.shutdown_and_exit();
}

#[test]
fn disabled_setting_reports_nothing() {
    let Some(dir) = repo("compat-off") else {
        return;
    };
    let uri = file_uri(&dir.path().join("schema.km"));
    let mut client = start(
        dir.path(),
        json!({ "karmem": { "compat": { "enabled": false } } }),
    );
    client.open(&uri, 1, EDITED);
    assert_no_compat(&mut client, &uri);
    client.shutdown_and_exit();
}

#[test]
fn untracked_file_and_unknown_revision_report_nothing() {
    let Some(dir) = repo("compat-untracked") else {
        return;
    };
    let other = dir.path().join("other.km");
    std::fs::write(&other, SCHEMA).unwrap();
    let uri = file_uri(&other);
    let mut client = start(dir.path(), json!({}));
    client.open(&uri, 1, EDITED);
    assert_no_compat(&mut client, &uri);
    client.shutdown_and_exit();

    let uri = file_uri(&dir.path().join("schema.km"));
    let mut client = start(
        dir.path(),
        json!({ "karmem.compat.against": "no-such-branch" }),
    );
    client.open(&uri, 1, EDITED);
    assert_no_compat(&mut client, &uri);
    client.shutdown_and_exit();
}

#[test]
fn file_outside_a_repository_reports_nothing() {
    let dir = TempDir::new("compat-norepo");
    let path = dir.path().join("schema.km");
    std::fs::write(&path, SCHEMA).unwrap();
    let uri = file_uri(&path);
    let mut client = start(dir.path(), json!({}));
    client.open(&uri, 1, EDITED);
    assert_no_compat(&mut client, &uri);
    client.shutdown_and_exit();
}

/// `Score` renamed in place: FIELD_RENAMED (source), a warning at the default level.
const RENAMED: &str =
    "karmem demo;\n\nstruct User table {\n    Id uint32;\n    Points uint16;\n    Age uint8;\n}\n";

fn notify_toml_changed(client: &mut LspClient, toml: &Path) {
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": file_uri(toml), "type": 2 }] }),
    );
}

#[test]
fn karmem_toml_level_sets_the_severity() {
    let Some(dir) = repo("compat-level") else {
        return;
    };
    let toml = dir.path().join("karmem.toml");
    let uri = file_uri(&dir.path().join("schema.km"));
    let mut client = start(dir.path(), json!({ "generate": { "onSave": false } }));
    client.open(&uri, 1, RENAMED);
    let params = client.wait_notification(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == uri.as_str() && !compat_diagnostics(p).is_empty(),
        TIMEOUT,
    );
    let found = compat_diagnostics(&params);
    assert_eq!(found[0]["code"], "FIELD_RENAMED", "{found:?}");
    assert_eq!(
        found[0]["severity"], 2,
        "outside the default level: a warning"
    );

    // `level = "source"` makes it an error, once the server hears of the change.
    std::fs::write(&toml, "[breaking]\nlevel = \"source\"\n").unwrap();
    notify_toml_changed(&mut client, &toml);
    let params = client.wait_notification(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == uri.as_str() && compat_diagnostics(p).iter().any(|d| d["severity"] == 1),
        TIMEOUT,
    );
    assert_eq!(compat_diagnostics(&params)[0]["code"], "FIELD_RENAMED");
    client.shutdown_and_exit();
}

#[test]
fn accept_this_break_adds_the_ignore_entry_and_clears_the_diagnostic() {
    let Some(dir) = repo("compat-accept") else {
        return;
    };
    let toml = dir.path().join("karmem.toml");
    let before = "# project settings\n[breaking]\nlevel = \"wire\" # default\n";
    std::fs::write(&toml, before).unwrap();
    let uri = file_uri(&dir.path().join("schema.km"));
    let mut client = start(dir.path(), json!({ "generate": { "onSave": false } }));
    client.open(&uri, 1, EDITED);
    let params = client.wait_notification(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == uri.as_str() && !compat_diagnostics(p).is_empty(),
        TIMEOUT,
    );
    let diagnostic = compat_diagnostics(&params)[0].clone();
    assert_eq!(diagnostic["data"]["ignore"], "User.Score", "{diagnostic}");

    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": diagnostic["range"],
            "context": { "diagnostics": [diagnostic] },
        }),
    );
    let accept = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Accept this break")
        })
        .unwrap_or_else(|| panic!("no accept action in {actions}"))
        .clone();
    assert!(accept["title"]
        .as_str()
        .unwrap()
        .contains("TABLE_FIELD_REMOVED"));
    let edits = &accept["edit"]["changes"][file_uri(&toml)];
    assert_eq!(edits.as_array().map(Vec::len), Some(1), "{accept}");
    let new_text = edits[0]["newText"].as_str().unwrap();
    assert!(new_text.starts_with(before), "comments kept: {new_text}");

    // The edited file is a valid configuration that ignores exactly this violation.
    let config = karmem_codegen::config::parse(&toml, new_text).unwrap_or_else(|e| panic!("{e}"));
    let entry = &config.breaking.ignore[0];
    assert_eq!(entry.rule.value.as_str(), "TABLE_FIELD_REMOVED");
    assert_eq!(entry.names[0].value, "User.Score");

    // Saved, the diagnostic goes away.
    std::fs::write(&toml, new_text).unwrap();
    notify_toml_changed(&mut client, &toml);
    client.wait_notification(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == uri.as_str() && compat_diagnostics(p).is_empty(),
        TIMEOUT,
    );
    client.shutdown_and_exit();
}
