//! A guard in front of tower-lsp-server's reader.
//!
//! tower-lsp-server's decoder ends the input stream at the first malformed message (a body
//! that is not JSON, not a JSON-RPC message, a header without `Content-Length`): the server
//! would then stop as if the client had gone. [`sanitize`] reads the real input, checks
//! each frame, and forwards only well-formed messages, re-framed, to the server. A broken
//! frame is logged on stderr and skipped; a request that is JSON but not a valid message
//! yet carries an id is replaced by a request to [`INVALID_REQUEST`], which answers that
//! id with an `InvalidRequest` error.

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tower_lsp_server::jsonrpc::{Request, Response};

/// The method a malformed request with a usable id is rewritten to.
pub const INVALID_REQUEST: &str = "karmem/invalidRequest";

/// Bodies larger than this are skipped (and their bytes discarded unread).
pub const MAX_BODY: usize = 512 << 20;

/// The outcome of looking at the start of the buffer.
#[derive(Debug, PartialEq, Eq)]
enum Frame {
    /// More input is needed.
    Incomplete,
    /// A header announcing a body of this length ends at this offset.
    Header { end: usize, length: usize },
    /// A header block without a usable `Content-Length`, ending at this offset.
    BadHeader { end: usize },
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_header(buf: &[u8]) -> Frame {
    let Some(at) = find(buf, b"\r\n\r\n") else {
        return Frame::Incomplete;
    };
    let end = at + 4;
    let mut length = None;
    for line in buf[..at].split(|&b| b == b'\n') {
        let line = String::from_utf8_lossy(line);
        if let Some((name, value)) = line.trim().split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    match length {
        Some(length) => Frame::Header { end, length },
        None => Frame::BadHeader { end },
    }
}

/// The body to forward for `body`, or `None` to drop it (with the reason).
fn check(body: &[u8]) -> Result<Option<Vec<u8>>, String> {
    if serde_json::from_slice::<Request>(body).is_ok()
        || serde_json::from_slice::<Response>(body).is_ok()
    {
        return Ok(None); // forward as is
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let id = value.get("id").filter(|id| id.is_i64() || id.is_string());
    match id {
        Some(id) => {
            let rewritten = serde_json::json!({
                "jsonrpc": "2.0",
                "id": id,
                "method": INVALID_REQUEST,
            });
            Ok(Some(serde_json::to_vec(&rewritten).unwrap_or_default()))
        }
        None => Err("not a JSON-RPC message".to_string()),
    }
}

/// Copies well-formed LSP messages from `input` to `output` until the end of `input`;
/// `log` is told about every message dropped or rewritten.
pub async fn sanitize<R, W>(mut input: R, mut output: W, log: impl Fn(String))
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let warn = |message: &str| log(format!("dropped a malformed message: {message}"));
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    // Bytes of an oversized body still to discard.
    let mut skip = 0usize;
    // The length of the body being waited for, once its header has been read.
    let mut body_len: Option<usize> = None;
    loop {
        // Take every complete frame out of the buffer.
        loop {
            if skip > 0 {
                let n = skip.min(buf.len());
                buf.drain(..n);
                skip -= n;
                if skip > 0 {
                    break;
                }
            }
            match body_len {
                Some(len) => {
                    if buf.len() < len {
                        break;
                    }
                    let body: Vec<u8> = buf.drain(..len).collect();
                    body_len = None;
                    let forward = match check(&body) {
                        Ok(None) => body,
                        Ok(Some(rewritten)) => {
                            warn("an invalid request (answered with InvalidRequest)");
                            rewritten
                        }
                        Err(reason) => {
                            warn(&reason);
                            continue;
                        }
                    };
                    let header = format!("Content-Length: {}\r\n\r\n", forward.len());
                    if output.write_all(header.as_bytes()).await.is_err()
                        || output.write_all(&forward).await.is_err()
                        || output.flush().await.is_err()
                    {
                        return;
                    }
                }
                None => match parse_header(&buf) {
                    Frame::Incomplete => {
                        if buf.len() > 64 * 1024 {
                            // No header end in sight: garbage. Keep the last bytes, which
                            // may be the start of a header.
                            warn("bytes without a header");
                            let keep = buf.len() - 3;
                            buf.drain(..keep);
                        }
                        break;
                    }
                    Frame::BadHeader { end } => {
                        warn("a header without Content-Length");
                        buf.drain(..end);
                    }
                    Frame::Header { end, length } => {
                        buf.drain(..end);
                        if length > MAX_BODY {
                            warn(&format!("a body of {length} bytes"));
                            skip = length;
                        } else {
                            body_len = Some(length);
                        }
                    }
                },
            }
        }
        let n = match input.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
    }
    let _ = output.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run(input: &[u8]) -> Vec<Value> {
        let mut out = Vec::new();
        sanitize(input, &mut out, |_| {}).await;
        let mut messages = Vec::new();
        let mut rest = &out[..];
        while let Frame::Header { end, length } = parse_header(rest) {
            messages.push(serde_json::from_slice(&rest[end..end + length]).unwrap());
            rest = &rest[end + length..];
        }
        assert!(rest.is_empty());
        messages
    }

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    #[tokio::test]
    async fn forwards_good_and_drops_bad_frames() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let mut input = Vec::new();
        input.extend(frame("{ not json"));
        input.extend(b"Content-Type: x\r\n\r\n");
        input.extend(frame(good));
        input.extend(frame(r#"{"jsonrpc":"1.0","id":7,"method":"x"}"#));
        input.extend(frame(r#"{"hello":1}"#));
        input.extend(frame(good));
        let out = run(&input).await;
        let good: Value = serde_json::from_str(good).unwrap();
        let invalid = serde_json::json!({"jsonrpc": "2.0", "id": 7, "method": INVALID_REQUEST});
        assert_eq!(out, vec![good.clone(), invalid, good]);
    }

    #[tokio::test]
    async fn split_reads_and_partial_frames() {
        let good = r#"{"jsonrpc":"2.0","id":1,"result":null}"#;
        let mut input = frame(good);
        input.extend(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"");
        let out = run(&input).await;
        assert_eq!(out, vec![serde_json::from_str::<Value>(good).unwrap()]);
    }

    #[test]
    fn headers() {
        assert_eq!(parse_header(b"Content-Length: 5\r\n"), Frame::Incomplete);
        assert_eq!(
            parse_header(b"content-length:5\r\n\r\nhello"),
            Frame::Header { end: 20, length: 5 }
        );
        assert_eq!(
            parse_header(b"Content-Length: x\r\n\r\n"),
            Frame::BadHeader { end: 21 }
        );
    }
}
