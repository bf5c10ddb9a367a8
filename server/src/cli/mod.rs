//! The `karmem` command-line tool: `check`, `layout` and `fmt` over [`karmem_syntax::analyze`];
//! `build`, `encode` and `decode` over [`karmem_codegen`]; `breaking` over
//! [`karmem_syntax::compat`].
//!
//! Exit codes: 0 success; 1 the schema has errors (or, for `check --deny-warnings`,
//! warnings; for `fmt --check`, unformatted files); 2 a file could not be read, is a
//! directory or is not UTF-8, or the command line is wrong.
//!
//! Every command loads and analyses its input with [`input::load`]; no analysis logic lives
//! in the CLI.

pub mod breaking;
pub mod build;
mod check;
pub mod codec;
mod fmt;
pub mod input;
mod layout;
pub mod report;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use karmem_syntax::AnalysisOptions;

/// Exit status of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Nothing to report.
    Success = 0,
    /// The schema has errors, or a check (`--deny-warnings`, `fmt --check`) failed.
    Failure = 1,
    /// An input could not be read.
    Trouble = 2,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

/// Tooling for the Karmem schema language.
#[derive(Debug, Parser)]
#[command(name = "karmem", version)]
#[command(propagate_version = true, disable_help_subcommand = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check schemas and report errors and warnings.
    Check(CheckArgs),
    /// Print the memory layout of a schema (offsets, sizes, ids).
    Layout(LayoutArgs),
    /// Format schemas in place (or stdin to stdout).
    Fmt(FmtArgs),
    /// Generate code from a schema (or from karmem.toml).
    Build(build::BuildArgs),
    /// Encode a JSON value as a binary message.
    Encode(codec::EncodeArgs),
    /// Decode a binary message to JSON.
    Decode(codec::DecodeArgs),
    /// Report incompatible changes since a baseline (file, directory or git revision).
    Breaking(breaking::BreakingArgs),
}

/// Options that change what the analyzer accepts.
#[derive(Debug, Clone, Args)]
pub struct AnalysisArgs {
    /// Reject extensions the upstream toolchain does not accept (comments), so an accepted
    /// schema also builds with upstream `karmem build`.
    #[arg(long)]
    pub upstream_compatible: bool,
}

impl AnalysisArgs {
    pub fn options(&self) -> AnalysisOptions {
        AnalysisOptions {
            upstream_compatible: self.upstream_compatible,
        }
    }
}

/// How `check` prints diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Source excerpts on standard error, with a summary line.
    Human,
    /// One JSON object per diagnostic and line on standard output: file, line, column,
    /// end_line, end_column (1-based; columns count characters, i.e. Unicode scalar values;
    /// the end is just past the last character), severity, code, message.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::message`) on standard output.
    Github,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Schema files to check (`-` reads standard input).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<OsString>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Also show hints (suggestions that are not problems).
    #[arg(long)]
    pub hints: bool,
    /// Exit with status 1 when there are warnings, not only errors.
    #[arg(long)]
    pub deny_warnings: bool,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

#[derive(Debug, Args)]
pub struct LayoutArgs {
    /// Schema file (`-` reads standard input).
    #[arg(value_name = "FILE")]
    pub file: OsString,
    /// Print the machine-readable JSON report instead of tables.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Schema files to format in place; none or `-` reads standard input and writes the
    /// result to standard output.
    #[arg(value_name = "FILE")]
    pub files: Vec<OsString>,
    /// Change nothing: list the files that are not formatted and exit with status 1 if any.
    #[arg(long)]
    pub check: bool,
    /// Reproduce the upstream `karmem fmt` output byte for byte (enums first, `@id` tags
    /// added; comments are not kept).
    #[arg(long)]
    pub upstream: bool,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    // `karmem build` also takes upstream's Go-style flags (`-golang`, `-o=DIR`).
    let args = build::go_style_args(std::env::args_os().collect());
    if let Some(status) = build::reject_unknown_flags(&args) {
        return status.into();
    }
    let cli = Cli::parse_from(args);
    run(cli).into()
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Status {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Layout(args) => layout::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Encode(args) => codec::run_encode(&args),
        Command::Decode(args) => codec::run_decode(&args),
        Command::Breaking(args) => breaking::run(&args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_every_command() {
        let cli = Cli::try_parse_from([
            "karmem", "check", "--format", "json", "--hints", "a.km", "b.km",
        ])
        .unwrap();
        assert!(matches!(cli.command, Command::Check(ref a) if a.files.len() == 2 && a.hints));
        let cli = Cli::try_parse_from([
            "karmem",
            "layout",
            "--json",
            "--upstream-compatible",
            "a.km",
        ])
        .unwrap();
        assert!(
            matches!(cli.command, Command::Layout(ref a) if a.json && a.analysis.upstream_compatible)
        );
        let cli = Cli::try_parse_from(["karmem", "fmt"]).unwrap();
        assert!(matches!(cli.command, Command::Fmt(ref a) if a.files.is_empty()));
        assert!(Cli::try_parse_from(["karmem", "check"]).is_err());
    }
}
