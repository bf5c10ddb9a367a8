//! Settings (from `initializationOptions` and `workspace/didChangeConfiguration`) and the
//! parts of the client's capabilities the server adapts to.

use std::fmt;
use std::str::FromStr;

use karmem_syntax::ide::InlayHintConfig;
use serde_json::Value;
use tower_lsp_server::ls_types::{ClientCapabilities, MessageType, ResourceOperationKind};

/// How much the server logs (to stderr and `window/logMessage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    Off = 0,
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
}

impl LogLevel {
    pub const NAMES: [&'static str; 5] = ["off", "error", "warn", "info", "debug"];

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_u8(n: u8) -> LogLevel {
        match n {
            0 => LogLevel::Off,
            1 => LogLevel::Error,
            2 => LogLevel::Warn,
            3 => LogLevel::Info,
            _ => LogLevel::Debug,
        }
    }

    /// The `window/logMessage` type of a message at this level.
    pub fn message_type(self) -> MessageType {
        match self {
            LogLevel::Off | LogLevel::Error => MessageType::ERROR,
            LogLevel::Warn => MessageType::WARNING,
            LogLevel::Info => MessageType::INFO,
            LogLevel::Debug => MessageType::LOG,
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LogLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" | "none" => Ok(LogLevel::Off),
            "error" => Ok(LogLevel::Error),
            "warn" | "warning" => Ok(LogLevel::Warn),
            "info" => Ok(LogLevel::Info),
            "debug" | "trace" | "log" => Ok(LogLevel::Debug),
            other => Err(format!(
                "unknown log level `{other}` (expected one of {})",
                Self::NAMES.join(", ")
            )),
        }
    }
}

/// The `karmem.*` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub inlay_hints: InlayHintConfig,
    /// `karmem.logLevel`; `None` keeps the command-line level.
    pub log_level: Option<LogLevel>,
    /// `karmem.generate.onSave`: run `karmem.toml`'s generation when a schema is saved.
    pub generate_on_save: bool,
    /// `karmem.compat.enabled`: compatibility diagnostics against a git baseline.
    pub compat_enabled: bool,
    /// `karmem.compat.against`: the git revision of the baseline.
    pub compat_against: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            inlay_hints: InlayHintConfig::default(),
            log_level: None,
            generate_on_save: true,
            compat_enabled: true,
            compat_against: "HEAD".to_string(),
        }
    }
}

impl Settings {
    /// Applies the keys present in `value`; absent keys keep their current value.
    ///
    /// Accepted shapes: `{"karmem": {"inlayHints": {"fieldLayout": false}}}`, the same without
    /// the `karmem` wrapper (what most clients send as `initializationOptions`), and flat
    /// dotted keys (`{"karmem.inlayHints.fieldLayout": false}`).
    pub fn merge(&mut self, value: &Value) {
        let get_bool = |path: &str| lookup(value, path).and_then(Value::as_bool);
        if let Some(b) = get_bool("inlayHints.fieldLayout") {
            self.inlay_hints.field_layout = b;
        }
        if let Some(b) = get_bool("inlayHints.enumValues") {
            self.inlay_hints.enum_values = b;
        }
        if let Some(b) = get_bool("inlayHints.structSize") {
            self.inlay_hints.struct_size = b;
        }
        if let Some(b) = get_bool("generate.onSave") {
            self.generate_on_save = b;
        }
        if let Some(b) = get_bool("compat.enabled") {
            self.compat_enabled = b;
        }
        if let Some(rev) = lookup(value, "compat.against")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            self.compat_against = rev.to_string();
        }
        if let Some(level) = lookup(value, "logLevel")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
        {
            self.log_level = Some(level);
        }
    }
}

/// The setting at `path` (dot-separated, relative to the `karmem` section).
fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let roots = [value.get("karmem"), Some(value)];
    for root in roots.into_iter().flatten() {
        if let Some(v) = nested(root, path) {
            return Some(v);
        }
        if let Some(v) = root.get(path) {
            return Some(v);
        }
    }
    value.get(format!("karmem.{path}"))
}

fn nested<'a>(mut value: &'a Value, path: &str) -> Option<&'a Value> {
    for key in path.split('.') {
        value = value.get(key)?;
    }
    Some(value)
}

/// What the client can do, as far as the server's answers depend on it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientCaps {
    pub snippets: bool,
    pub hierarchical_symbols: bool,
    pub line_folding_only: bool,
    pub definition_links: bool,
    pub document_changes: bool,
    /// Workspace edits may create files (`resourceOperations` has `create`).
    pub create_files: bool,
    pub watch_files_dynamic: bool,
    pub configuration: bool,
    pub inlay_hint_refresh: bool,
    pub utf8_positions: bool,
    pub work_done_progress: bool,
    pub code_lens_refresh: bool,
}

impl ClientCaps {
    pub fn new(caps: &ClientCapabilities) -> Self {
        let text = caps.text_document.as_ref();
        let workspace = caps.workspace.as_ref();
        ClientCaps {
            snippets: text
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.snippet_support)
                .unwrap_or(false),
            hierarchical_symbols: text
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
            line_folding_only: text
                .and_then(|t| t.folding_range.as_ref())
                .and_then(|f| f.line_folding_only)
                .unwrap_or(false),
            definition_links: text
                .and_then(|t| t.definition.as_ref())
                .and_then(|d| d.link_support)
                .unwrap_or(false),
            document_changes: workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            create_files: workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
            watch_files_dynamic: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            inlay_hint_refresh: workspace
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|i| i.refresh_support)
                .unwrap_or(false),
            utf8_positions: caps
                .general
                .as_ref()
                .and_then(|g| g.position_encodings.as_ref())
                .is_some_and(|encs| encs.iter().any(|e| e.as_str() == "utf-8")),
            code_lens_refresh: workspace
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|c| c.refresh_support)
                .unwrap_or(false),
            work_done_progress: caps
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_shapes() {
        let mut s = Settings::default();
        s.merge(&json!({"karmem": {"inlayHints": {"fieldLayout": false}}}));
        assert!(!s.inlay_hints.field_layout);
        assert!(s.inlay_hints.enum_values);
        s.merge(&json!({"inlayHints": {"enumValues": false}, "logLevel": "debug"}));
        assert!(!s.inlay_hints.enum_values);
        assert_eq!(s.log_level, Some(LogLevel::Debug));
        assert!(s.generate_on_save);
        s.merge(&json!({"karmem": {"generate": {"onSave": false}}}));
        assert!(!s.generate_on_save);
        s.merge(&json!({"karmem.generate.onSave": true}));
        assert!(s.generate_on_save);
        s.merge(&json!({"karmem.inlayHints.structSize": false}));
        assert!(!s.inlay_hints.struct_size);
        s.merge(&json!({"karmem": {"inlayHints": {"fieldLayout": true}}}));
        assert!(s.inlay_hints.field_layout);
        assert!(!s.inlay_hints.enum_values);
        assert!(s.compat_enabled);
        assert_eq!(s.compat_against, "HEAD");
        s.merge(&json!({"karmem": {"compat": {"enabled": false, "against": "main"}}}));
        assert!(!s.compat_enabled);
        assert_eq!(s.compat_against, "main");
        s.merge(&Value::Null);
        s.merge(&json!([1, 2]));
        assert!(s.inlay_hints.field_layout);
    }

    #[test]
    fn log_levels() {
        assert_eq!("WARN".parse::<LogLevel>(), Ok(LogLevel::Warn));
        assert!("loud".parse::<LogLevel>().is_err());
        for name in LogLevel::NAMES {
            let level: LogLevel = name.parse().unwrap();
            assert_eq!(level.as_str(), name);
            assert_eq!(LogLevel::from_u8(level as u8), level);
        }
    }
}
