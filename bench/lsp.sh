#!/usr/bin/env bash
# Latency and memory of the language server (release build), driven over stdio:
# didChange -> publishDiagnostics and hover round trips (p50/p99) and the server's
# VmRSS/VmHWM, for a ~100 KB and a 2.2 MB generated schema.
#
#   bench/lsp.sh          # default sample counts (200 edits at 100 KB, 40 at 2.2 MB)
#   bench/lsp.sh 50       # 50 edits for both sizes
#
# Prints a Markdown table (the one in BENCHMARKS.md, "Language server").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet -p karmem-server --bin karmem-lsp
cargo run --release --quiet -p karmem-tests --example lsp_bench -- "$@"
