//! `karmem build`: generate code, from one schema given on the command line (upstream's
//! `karmem build --golang -o DIR FILE`) or from the project's `karmem.toml`.
//!
//! Upstream parses flags with Go's `flag` package, so `-golang`, `--golang`, `-golang=true`,
//! `-o DIR`, `--o=DIR` are all accepted there; [`go_style_args`] rewrites them into what clap
//! expects before parsing.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use clap::Args;
use karmem_codegen::build::{generate_and_write, source_name, BuildError};
use karmem_codegen::config::{self, Config};
use karmem_codegen::write::WriteReport;
use karmem_codegen::{available_list, generator, known_targets, Generator, TargetOptions};

use super::input::{self, shown_path};
use super::report;
use super::{AnalysisArgs, Status};

#[derive(Debug, Args)]
#[command(
    after_help = "Without FILE, the targets, schemas and output directories come from \
the karmem.toml found in the current directory or the nearest parent directory."
)]
pub struct BuildArgs {
    /// Generate AssemblyScript (`<module>_generated.ts`).
    #[arg(long)]
    pub assemblyscript: bool,
    /// Generate C (`<module>_generated.h`).
    #[arg(long = "c")]
    pub c: bool,
    /// Generate C# (`<module>_generated.cs`).
    #[arg(long)]
    pub dotnet: bool,
    /// Generate Go (`<module>_generated.go`).
    #[arg(long)]
    pub golang: bool,
    /// Generate Odin (`<module>_generated.odin`).
    #[arg(long)]
    pub odin: bool,
    /// Generate Swift (`<module>_generated.swift`).
    #[arg(long)]
    pub swift: bool,
    /// Generate Zig (`<module>_generated.zig`).
    #[arg(long)]
    pub zig: bool,
    /// Generate Rust (`<module>_generated.rs`).
    #[arg(long)]
    pub rust: bool,
    /// Output directory (default `.`; created if missing).
    #[arg(short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The schema; without it, `karmem.toml` decides what to build.
    #[arg(value_name = "FILE")]
    pub file: Option<OsString>,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

impl BuildArgs {
    /// The selected targets, in upstream's registration order (then ours).
    pub fn selected(&self) -> Vec<&'static str> {
        let flags = [
            ("assemblyscript", self.assemblyscript),
            ("c", self.c),
            ("dotnet", self.dotnet),
            ("golang", self.golang),
            ("odin", self.odin),
            ("swift", self.swift),
            ("zig", self.zig),
            ("rust", self.rust),
        ];
        known_targets()
            .iter()
            .filter(|t| flags.iter().any(|&(name, on)| on && name == t.name))
            .map(|t| t.name)
            .collect()
    }
}

/// Boolean flags of `build` that Go syntax may spell `-x`, `--x`, `-x=true`, `-x=false`.
fn is_bool_flag(name: &str) -> bool {
    name == "upstream-compatible" || known_targets().iter().any(|t| t.name == name)
}

/// Rewrites Go-`flag`-style arguments of `karmem build` into clap's syntax: `-golang` →
/// `--golang`, `-golang=true` → `--golang`, `-golang=false` → nothing, `--o DIR` / `-o=DIR`
/// → `-o DIR`, `-help` → `--help`, `build help` → `build --help`. Other commands are left
/// alone.
pub fn go_style_args(args: Vec<OsString>) -> Vec<OsString> {
    if args.get(1).map(OsString::as_os_str) != Some(OsStr::new("build")) {
        return args;
    }
    let mut out: Vec<OsString> = args[..2].to_vec();
    let rest = &args[2..];
    if rest.len() == 1 && rest[0] == "help" {
        out.push("--help".into());
        return out;
    }
    let mut i = 0;
    while i < rest.len() {
        let arg = &rest[i];
        i += 1;
        let Some(text) = arg.to_str() else {
            out.push(arg.clone());
            continue;
        };
        if text == "--" {
            out.extend(rest[i - 1..].iter().cloned());
            break;
        }
        let name = match text.strip_prefix("--").or_else(|| text.strip_prefix('-')) {
            Some(name) if !name.is_empty() && !name.starts_with('-') => name,
            _ => {
                out.push(arg.clone());
                continue;
            }
        };
        let (flag, value) = match name.split_once('=') {
            Some((flag, value)) => (flag, Some(value)),
            None => (name, None),
        };
        match flag {
            "o" => {
                out.push("-o".into());
                match value {
                    Some(value) => out.push(value.into()),
                    None => {
                        if let Some(next) = rest.get(i) {
                            out.push(next.clone());
                            i += 1;
                        }
                    }
                }
            }
            "h" | "help" if value.is_none() => out.push("--help".into()),
            "V" | "version" if value.is_none() => out.push("--version".into()),
            flag if is_bool_flag(flag) => match value {
                None | Some("1" | "t" | "T" | "true" | "TRUE" | "True") => {
                    out.push(format!("--{flag}").into())
                }
                Some("0" | "f" | "F" | "false" | "FALSE" | "False") => {}
                Some(_) => out.push(arg.clone()),
            },
            // Go has no short-flag clusters: `-cobol` is the option `cobol`.
            _ => out.push(format!("--{name}").into()),
        }
    }
    out
}

/// After [`go_style_args`]: an option of `karmem build` that names no known target (or
/// other option) gets a message listing the targets, instead of clap's generic one.
pub fn reject_unknown_flags(args: &[OsString]) -> Option<Status> {
    if args.get(1).map(OsString::as_os_str) != Some(OsStr::new("build")) {
        return None;
    }
    let mut after_o = false;
    for arg in &args[2..] {
        if std::mem::take(&mut after_o) {
            continue; // the value of `-o`
        }
        let Some(text) = arg.to_str() else { continue };
        if text == "--" {
            break;
        }
        if text == "-o" {
            after_o = true;
            continue;
        }
        let Some(name) = text.strip_prefix("--") else {
            continue;
        };
        let flag = name.split_once('=').map_or(name, |(f, _)| f);
        if flag.is_empty() || is_bool_flag(flag) || matches!(flag, "help" | "version") {
            continue;
        }
        if flag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            report::print_error(format_args!(
                "unknown target or option `--{flag}` for `karmem build`; the targets are {} (available now: {})",
                target_flags(),
                available_list()
            ));
            return Some(Status::Trouble);
        }
    }
    None
}

pub fn run(args: &BuildArgs) -> Status {
    match &args.file {
        Some(file) => build_file(args, file),
        None => {
            if !args.selected().is_empty() || args.out.is_some() {
                report::print_error(
                    "target flags and -o need a schema FILE; without one, karmem.toml lists the targets and output directories",
                );
                return Status::Trouble;
            }
            build_project(args)
        }
    }
}

/// The flag of every known target: `--assemblyscript, --c, …`.
fn target_flags() -> String {
    let flags: Vec<String> = known_targets()
        .iter()
        .map(|t| format!("--{}", t.name))
        .collect();
    flags.join(", ")
}

/// Why the target `name` cannot be built.
fn unavailable(name: &str) -> String {
    format!(
        "target `{name}` is not available yet in this version of karmem (available: {})",
        available_list()
    )
}

/// The generators for `names`, or an error naming the available targets.
fn generators(names: &[&str]) -> Result<Vec<&'static dyn Generator>, String> {
    names
        .iter()
        .map(|name| generator(name).ok_or_else(|| unavailable(name)))
        .collect()
}

/// `karmem build --<target>… [-o DIR] FILE`: the files go directly into DIR, named by each
/// target (upstream: `<module>_generated.<ext>`).
fn build_file(args: &BuildArgs, file: &OsStr) -> Status {
    let selected = args.selected();
    if selected.is_empty() {
        report::print_error(format_args!(
            "no target selected: pass one of {} (available now: {})",
            target_flags(),
            available_list()
        ));
        return Status::Trouble;
    }
    let generators = match generators(&selected) {
        Ok(generators) => generators,
        Err(message) => {
            report::print_error(message);
            return Status::Trouble;
        }
    };
    let source = match input::load(file, &args.analysis.options()) {
        Ok(source) => source,
        Err(error) => {
            report::print_error(&error);
            return Status::Trouble;
        }
    };
    report::emit_human(&source, &report::shown(&source, false));
    if source.analysis.has_errors() {
        report::print_error(format_args!(
            "{} has errors; nothing generated",
            source.name
        ));
        return Status::Failure;
    }
    let name = match &source.path {
        Some(path) => source_name(None, path),
        None => source.name.clone(),
    };
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut status = Status::Success;
    for generator in generators {
        let result = generate_and_write(
            generator,
            &source.analysis,
            &name,
            &TargetOptions::new(),
            &out,
        );
        status = status.max(finish(generator.name(), &source.name, result, None));
    }
    status
}

/// Reports one build step; the status it contributes.
fn finish(
    target: &str,
    schema: &str,
    result: Result<WriteReport, BuildError>,
    cwd: Option<&Path>,
) -> Status {
    match result {
        Ok(report) => {
            for path in &report.written {
                eprintln!("wrote {}", shown_path(path, cwd));
            }
            Status::Success
        }
        Err(BuildError::Write(error)) => {
            report::print_error(format_args!("{target} output for {schema}: {error}"));
            Status::Trouble
        }
        Err(BuildError::Generate(error)) => {
            report::print_error(format_args!("{target} output for {schema}: {error}"));
            Status::Failure
        }
    }
}

/// `karmem build` without FILE: everything `karmem.toml` asks for.
fn build_project(args: &BuildArgs) -> Status {
    let cwd = match input::current_dir() {
        Ok(cwd) => cwd,
        Err(status) => return status,
    };
    let Some(path) = config::find(&cwd) else {
        report::print_error(format_args!(
            "no schema FILE given, and no {} in {} or a parent directory",
            config::FILE_NAME,
            cwd.display()
        ));
        return Status::Trouble;
    };
    let shown_config = PathBuf::from(shown_path(&path, Some(&cwd)));
    let mut config = match input::load_config(&path, shown_config.clone()) {
        Ok(config) => config,
        Err(status) => return status,
    };
    config.path = shown_config;
    let plan = match config.plan() {
        Ok(plan) => plan,
        Err(error) => {
            report::print_error(&error);
            return Status::Failure;
        }
    };
    // Unavailable targets are reported together with the schemas' own problems; then
    // nothing is written at all.
    let mut status = check_available(&config);
    let available = status == Status::Success;
    let mut options = args.analysis.options();
    options.upstream_compatible |= config.upstream_compatible;
    for schema in plan.schemas() {
        let shown = shown_path(schema, Some(&cwd));
        let source = match input::load(OsStr::new(&shown), &options) {
            Ok(source) => source,
            Err(error) => {
                report::print_error(&error);
                status = status.max(Status::Trouble);
                continue;
            }
        };
        report::emit_human(&source, &report::shown(&source, false));
        if source.analysis.has_errors() {
            report::print_error(format_args!(
                "{} has errors; nothing generated for it",
                source.name
            ));
            status = status.max(Status::Failure);
            continue;
        }
        if !available {
            continue;
        }
        let name = source_name(Some(&config.root), schema);
        for job in plan.jobs.iter().filter(|j| j.schema == schema) {
            let Some(generator) = generator(&job.target.value) else {
                continue;
            };
            let result = generate_and_write(
                generator,
                &source.analysis,
                &name,
                &job.options,
                &job.out_dir,
            );
            status = status.max(finish(generator.name(), &source.name, result, Some(&cwd)));
        }
    }
    status
}

/// Every target the configuration names has a generator; otherwise every unavailable one
/// is reported at its location.
fn check_available(config: &Config) -> Status {
    let mut failed = false;
    for section in &config.generate {
        for target in &section.targets {
            if generator(&target.value).is_none() {
                report::print_error(
                    config.error_at(target.span.clone(), unavailable(&target.value)),
                );
                failed = true;
            }
        }
    }
    if failed {
        Status::Failure
    } else {
        Status::Success
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(args: &[&str]) -> Vec<String> {
        let args = args.iter().map(OsString::from).collect();
        go_style_args(args)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn go_flags_are_rewritten() {
        assert_eq!(
            go(&["karmem", "build", "-golang", "-c", "-o", "out", "game.km"]),
            ["karmem", "build", "--golang", "--c", "-o", "out", "game.km"]
        );
        assert_eq!(
            go(&[
                "karmem",
                "build",
                "--rust=true",
                "-zig=false",
                "--o=x",
                "-o=-y",
                "f.km"
            ]),
            ["karmem", "build", "--rust", "-o", "x", "-o", "-y", "f.km"]
        );
        assert_eq!(
            go(&["karmem", "build", "help"]),
            ["karmem", "build", "--help"]
        );
        assert_eq!(
            go(&["karmem", "build", "-help"]),
            ["karmem", "build", "--help"]
        );
        assert_eq!(
            go(&["karmem", "build", "-upstream-compatible", "--", "-rust"]),
            ["karmem", "build", "--upstream-compatible", "--", "-rust"]
        );
        assert_eq!(
            go(&["karmem", "build", "-cobol", "-V"]),
            ["karmem", "build", "--cobol", "--version"]
        );
        // Other commands are untouched.
        assert_eq!(
            go(&["karmem", "fmt", "-check"]),
            ["karmem", "fmt", "-check"]
        );
    }

    #[test]
    fn unknown_flags_are_caught() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert!(reject_unknown_flags(&args(&["karmem", "build", "--rust", "x.km"])).is_none());
        assert!(reject_unknown_flags(&args(&["karmem", "build", "--help"])).is_none());
        assert_eq!(
            reject_unknown_flags(&args(&["karmem", "build", "--cobol", "x.km"])),
            Some(Status::Trouble)
        );
        assert!(reject_unknown_flags(&args(&["karmem", "check", "--cobol"])).is_none());
        assert!(reject_unknown_flags(&args(&["karmem", "build", "-o", "--dir", "x.km"])).is_none());
    }
}
