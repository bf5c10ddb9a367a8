//! Logging, filtered by one level that the command line sets and the `karmem.logLevel`
//! setting can change. Until the client has sent `initialize`, lines go to stderr; from then
//! on to the client only (`window/logMessage`), so editors that also show the server's
//! stderr (VS Code's output channel, Neovim's `lsp.log`) do not show every line twice.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use tower_lsp_server::Client;

use super::config::LogLevel;

pub struct Logger {
    level: AtomicU8,
    client: Client,
    /// The client has sent `initialize`: log to it instead of stderr.
    to_client: AtomicBool,
}

impl Logger {
    pub fn new(level: LogLevel, client: Client) -> Self {
        Logger {
            level: AtomicU8::new(level as u8),
            client,
            to_client: AtomicBool::new(false),
        }
    }

    /// From now on, log to the client (`window/logMessage`) instead of stderr.
    pub fn use_client(&self) {
        self.to_client.store(true, Ordering::Relaxed);
    }

    pub fn level(&self) -> LogLevel {
        LogLevel::from_u8(self.level.load(Ordering::Relaxed))
    }

    pub fn set_level(&self, level: LogLevel) {
        self.level.store(level as u8, Ordering::Relaxed);
    }

    pub fn enabled(&self, level: LogLevel) -> bool {
        level != LogLevel::Off && level <= self.level()
    }

    /// Logs `message` if `level` is enabled. Never blocks on the client: the
    /// `window/logMessage` notification is sent from a task of its own.
    pub fn log(&self, level: LogLevel, message: impl Into<String>) {
        if !self.enabled(level) {
            return;
        }
        let message = message.into();
        if self.to_client.load(Ordering::Relaxed) {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                let client = self.client.clone();
                runtime.spawn(async move {
                    client.log_message(level.message_type(), message).await;
                });
                return;
            }
        }
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "[karmem-lsp {level}] {message}");
    }

    pub fn error(&self, message: impl Into<String>) {
        self.log(LogLevel::Error, message);
    }

    pub fn warn(&self, message: impl Into<String>) {
        self.log(LogLevel::Warn, message);
    }

    pub fn info(&self, message: impl Into<String>) {
        self.log(LogLevel::Info, message);
    }

    pub fn debug(&self, message: impl Into<String>) {
        self.log(LogLevel::Debug, message);
    }
}
