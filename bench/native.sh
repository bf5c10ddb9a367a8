#!/usr/bin/env bash
# Upstream's benchmark workload (codegen/benchmark.md) on every natively compiled target,
# one after the other in one run so the numbers compare: Go, C and Zig (bench/native/*.sh,
# each with its own floors: a memcpy of the message and a native float sum), then the
# Rust target (criterion). Needs ../shared/corpus/upstream/game.km and the toolchains of
# scripts/install-toolchains.sh; each part says "skipped: ..." when something is missing.
#
#   bench/native.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for lang in golang c zig; do
    echo "=== $lang"
    "$here/native/$lang.sh"
done
echo "=== rust"
cargo bench --manifest-path "$here/../Cargo.toml" -p karmem-runtime --bench game
