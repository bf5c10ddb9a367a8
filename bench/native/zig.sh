#!/usr/bin/env bash
# Upstream's benchmark workload (codegen/benchmark.md) on the Zig target: generates the
# code for upstream's game.km with our `karmem build --zig`, builds bench/native/zig/
# bench.zig with our runtime (ReleaseFast) and prints the time per operation next to a
# memcpy floor and a native float-sum floor measured in the same run.
#
#   bench/native/zig.sh        # 2 s per operation
#   bench/native/zig.sh 5      # 5 s per operation
#
# game.km is read from ../shared/corpus/upstream/ (not part of this repository).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
schema="$root/../shared/corpus/upstream/game.km"
if [ ! -f "$schema" ]; then
    echo "skipped: ../shared not present"
    exit 0
fi
zig="$root/.cache/toolchains/bin/zig"
[ -x "$zig" ] || zig="$(command -v zig || true)"
if [ -z "$zig" ]; then
    echo "skipped: zig not installed (run scripts/install-toolchains.sh)"
    exit 0
fi
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
work="$target/bench-native-zig"
mkdir -p "$work/karmem"
cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p karmem-server --bin karmem
"$target/release/karmem" build --zig -o "$work" "$schema"
cp "$root/codegen/runtime/zig/karmem.zig" "$work/karmem/karmem.zig"
cp "$root/bench/native/zig/bench.zig" "$work/bench.zig"
cd "$work"
export ZIG_GLOBAL_CACHE_DIR="$work/zig-global-cache" ZIG_LOCAL_CACHE_DIR="$work/zig-cache"
"$zig" build-exe bench.zig -O ReleaseFast --pkg-begin karmem karmem/karmem.zig --pkg-end -femit-bin=bench
./bench "${1:-2}"
