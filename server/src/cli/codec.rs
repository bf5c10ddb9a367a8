//! `karmem encode` (JSON → binary message) and `karmem decode` (binary → JSON), over the
//! dynamic codec of [`karmem_codegen::codec`] (`json-mapping.md`).

use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use karmem_codegen::codec::{self, CodecError, DecodeOptions};

use super::input::{self, io_reason, InputError, Source};
use super::report;
use super::{AnalysisArgs, Status};

/// Where the message comes from and goes to, and which schema type it is.
#[derive(Debug, Args)]
pub struct MessageArgs {
    /// The schema file.
    #[arg(long, value_name = "FILE")]
    pub schema: OsString,
    /// The root struct of the message.
    #[arg(long = "type", value_name = "STRUCT")]
    pub type_name: String,
    /// The binary side is lower-case hexadecimal text instead of raw bytes.
    #[arg(long)]
    pub hex: bool,
    /// Input file; standard input when absent or `-`.
    #[arg(value_name = "IN")]
    pub input: Option<OsString>,
    /// Output file; standard output when absent or `-`.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

#[derive(Debug, Args)]
pub struct EncodeArgs {
    #[command(flatten)]
    pub message: MessageArgs,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    #[command(flatten)]
    pub message: MessageArgs,
    /// Print the JSON on one line.
    #[arg(long)]
    pub compact: bool,
    /// Read malformed parts (a struct or slice outside the message, a length that is not a
    /// multiple of the element size) as defaults, as the generated readers do, instead of
    /// failing.
    #[arg(long)]
    pub lenient: bool,
}

/// `karmem encode`.
pub fn run_encode(args: &EncodeArgs) -> Status {
    let m = &args.message;
    let (source, input_name, data) = match prepare(m) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let json: serde_json::Value = match serde_json::from_slice(&data) {
        Ok(json) => json,
        Err(e) => {
            report::print_error(format_args!(
                "{input_name} is not valid JSON: {} at line {}, column {}",
                json_reason(&e),
                e.line(),
                e.column()
            ));
            return Status::Failure;
        }
    };
    let bytes = match codec::encode(&source.analysis.schema, &m.type_name, &json) {
        Ok(bytes) => bytes,
        Err(e) => return codec_failure(&input_name, &e),
    };
    let out = if m.hex {
        let mut text = to_hex(&bytes);
        text.push('\n');
        text.into_bytes()
    } else {
        bytes
    };
    write_output(m.output.as_deref(), &out)
}

/// `karmem decode`.
pub fn run_decode(args: &DecodeArgs) -> Status {
    let m = &args.message;
    let (source, input_name, data) = match prepare(m) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let bytes = if m.hex {
        match from_hex(&data) {
            Ok(bytes) => bytes,
            Err(message) => {
                report::print_error(format_args!("{input_name}: {message}"));
                return Status::Failure;
            }
        }
    } else {
        data
    };
    let options = DecodeOptions {
        strict: !args.lenient,
        budget: None,
    };
    let value = match codec::decode_with(&source.analysis.schema, &m.type_name, &bytes, &options) {
        Ok(value) => value,
        Err(e) => return codec_failure(&input_name, &e),
    };
    let mut text = if args.compact {
        serde_json::to_string(&value)
    } else {
        serde_json::to_string_pretty(&value)
    }
    .unwrap_or_default();
    text.push('\n');
    write_output(m.output.as_deref(), text.as_bytes())
}

/// Loads the schema (diagnostics and status 1 when it has errors) and reads the input:
/// the schema, the input's name for messages and its bytes.
fn prepare(m: &MessageArgs) -> Result<(Source, String, Vec<u8>), Status> {
    let input_is_stdin = m.input.as_deref().is_none_or(input::is_stdin);
    if input::is_stdin(&m.schema) && input_is_stdin {
        report::print_error("the schema and the message cannot both come from standard input");
        return Err(Status::Trouble);
    }
    let source = match input::load(&m.schema, &m.analysis.options()) {
        Ok(source) => source,
        Err(error) => {
            report::print_error(&error);
            return Err(Status::Trouble);
        }
    };
    if source.analysis.has_errors() {
        report::emit_human(&source, &report::shown(&source, false));
        report::print_error(format_args!("{} has errors", source.name));
        return Err(Status::Failure);
    }
    // An unknown type is a command-line mistake: say so before reading any input.
    if let Err(e) = codec::root_struct(&source.analysis.schema, &m.type_name) {
        report::print_error(&e);
        return Err(Status::Trouble);
    }
    let input = m.input.as_deref().unwrap_or(OsStr::new("-"));
    let (input_name, _, data) = input::read(input).map_err(|error| {
        match error {
            InputError::Directory { name } => {
                report::print_error(format_args!("{name} is a directory"))
            }
            error => report::print_error(&error),
        }
        Status::Trouble
    })?;
    Ok((source, input_name, data))
}

fn write_output(path: Option<&Path>, bytes: &[u8]) -> Status {
    match path {
        Some(path) if path != Path::new("-") => match std::fs::write(path, bytes) {
            Ok(()) => Status::Success,
            Err(e) => {
                report::print_error(format_args!(
                    "cannot write {}: {}",
                    path.display(),
                    io_reason(&e)
                ));
                Status::Trouble
            }
        },
        _ => {
            let stdout = io::stdout();
            let mut out = stdout.lock();
            // A closed pipe is not worth a panic.
            let _ = out.write_all(bytes).and_then(|()| out.flush());
            Status::Success
        }
    }
}

fn codec_failure(input_name: &str, error: &CodecError) -> Status {
    match error {
        CodecError::UnknownType { .. } | CodecError::NotAStruct { .. } => {
            report::print_error(error);
            Status::Trouble
        }
        _ => {
            report::print_error(format_args!("{input_name}: {error}"));
            Status::Failure
        }
    }
}

/// serde_json's message without its own ` at line L column C` suffix.
fn json_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Lower-case hexadecimal.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Hexadecimal text (either case; white space ignored) to bytes.
pub fn from_hex(text: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut high: Option<u8> = None;
    for (offset, &c) in text.iter().enumerate() {
        if c.is_ascii_whitespace() {
            continue;
        }
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => {
                let shown = std::str::from_utf8(&text[offset..])
                    .ok()
                    .and_then(|s| s.chars().next())
                    .map_or_else(|| format!("byte 0x{c:02x}"), |ch| format!("{ch:?}"));
                return Err(format!("not hexadecimal: {shown} at offset {offset}"));
            }
        };
        match high.take() {
            Some(h) => out.push(h << 4 | digit),
            None => high = Some(digit),
        }
    }
    if high.is_some() {
        return Err("odd number of hexadecimal digits".to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        assert_eq!(to_hex(&[0, 0xab, 0x1f]), "00ab1f");
        assert_eq!(from_hex(b"00 AB\n1f\n").unwrap(), [0, 0xab, 0x1f]);
        assert_eq!(
            from_hex(b"00g").unwrap_err(),
            "not hexadecimal: 'g' at offset 2"
        );
        assert_eq!(
            from_hex(b"abc").unwrap_err(),
            "odd number of hexadecimal digits"
        );
    }
}
