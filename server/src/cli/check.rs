//! `karmem check FILE…`: report errors and warnings (and hints with `--hints`).

use std::io::Write;

use karmem_syntax::Severity;

use super::report::{self, Counts};
use super::{input, CheckArgs, OutputFormat, Status};

pub fn run(args: &CheckArgs) -> Status {
    let options = args.analysis.options();
    let mut status = Status::Success;
    let mut counts = Counts::default();
    let mut files = 0;
    let stdout = std::io::stdout();
    let mut stdout = stdout.lock();

    for arg in &args.files {
        let source = match input::load(arg, &options) {
            Ok(source) => source,
            Err(error) => {
                report::print_error(&error);
                status = status.max(Status::Trouble);
                continue;
            }
        };
        files += 1;
        let shown = report::shown(&source, args.hints);
        counts.add(&shown);
        match args.format {
            OutputFormat::Human => report::emit_human(&source, &shown),
            OutputFormat::Json | OutputFormat::Github => report::write_lines(
                &mut stdout,
                args.format == OutputFormat::Json,
                &source.name,
                &source.analysis.text,
                &shown,
            ),
        }
        let fails = shown.iter().any(|d| {
            d.severity == Severity::Error || (args.deny_warnings && d.severity == Severity::Warning)
        });
        if fails {
            status = status.max(Status::Failure);
        }
    }
    let _ = stdout.flush();

    if args.format == OutputFormat::Human {
        eprintln!("{}", counts.summary(files, args.hints));
    }
    status
}
