//! `karmem-lsp`: the Karmem language server. Speaks LSP on standard input/output; logs go
//! to stderr until the client connects, then to the client as `window/logMessage`.

use std::process::ExitCode;

use clap::Parser;
use karmem_server::lsp::config::LogLevel;
use karmem_server::lsp::{serve_stdio, Options};

/// The Karmem language server (LSP 3.17 over standard input/output).
#[derive(Debug, Parser)]
#[command(name = "karmem-lsp", version, about, long_about = None)]
struct Args {
    /// Speak LSP over standard input/output (the default, and the only transport).
    #[arg(long)]
    stdio: bool,

    /// How much to log: off, error, warn, info or debug. Logs go to stderr until the client
    /// sends `initialize`, then to the client (`window/logMessage`). The `karmem.logLevel`
    /// setting overrides it.
    #[arg(long, value_name = "LEVEL", default_value = "info", value_parser = parse_level)]
    log_level: LogLevel,
}

fn parse_level(s: &str) -> Result<LogLevel, String> {
    s.parse()
}

fn main() -> ExitCode {
    let args = Args::parse();
    let _ = args.stdio;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("karmem-lsp: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let code = runtime.block_on(serve_stdio(Options {
        log_level: args.log_level,
    }));
    // Do not wait for work still in flight (an analysis nobody will read).
    runtime.shutdown_background();
    ExitCode::from(code as u8)
}
