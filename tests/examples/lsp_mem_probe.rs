use karmem_tests::gen::large_schema;
use karmem_tests::lsp_client::{position, LspClient};
use serde_json::json;
fn rss(pid: u32) -> String {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    s.lines().filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM") || l.starts_with("Threads")).collect::<Vec<_>>().join(" ")
}
fn main() {
    let text = large_schema(16000, 1);
    let mut c = LspClient::spawn_with(&["--stdio", "--log-level", "warn"], &[("MALLOC_ARENA_MAX", std::env::var("ARENAS").as_deref().unwrap_or("8"))]);
    c.initialize(false, json!({}));
    println!("init: {}", rss(c.pid()));
    c.open("file:///a.km", 1, &text);
    c.wait_diagnostics("file:///a.km", 1);
    std::thread::sleep(std::time::Duration::from_millis(300));
    println!("open: {}", rss(c.pid()));
    let field = text[text.len() / 2..].find("\n    ").map(|i| text.len() / 2 + i + 5).unwrap();
    let p = position(&text, field, false);
    for v in 2..12 {
        let (range, t) = if v % 2 == 0 { (json!({"start": p, "end": p}), "Q") } else { let mut e = p.clone(); e["character"] = json!(e["character"].as_u64().unwrap()+1); (json!({"start": p, "end": e}), "") };
        c.notify("textDocument/didChange", json!({"textDocument": {"uri": "file:///a.km", "version": v}, "contentChanges": [{"range": range, "text": t}]}));
        c.wait_diagnostics("file:///a.km", v);
        println!("v{v}: {}", rss(c.pid()));
    }
}
