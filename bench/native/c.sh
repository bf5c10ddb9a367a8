#!/usr/bin/env bash
# The C target's benchmark (codegen/benchmark.md): generates C for upstream's game.km with
# our `karmem build --c`, builds bench/native/c/bench.c natively (gcc -O2) against our
# runtime (codegen/runtime/c/karmem.h) and prints time per op for EncodeObjectAPI,
# DecodeObjectAPI, DecodeSumVec3, DecodeSumUint8 and DecodeSumStats next to two floors
# measured in the same run (a memcpy of the message, a native float sum).
#
#   bench/native/c.sh             # CC=clang bench/native/c.sh to use another compiler
#
# game.km is read from ../shared/corpus/upstream/ (not part of the repository).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
schema="$root/../shared/corpus/upstream/game.km"
if [ ! -f "$schema" ]; then
    echo "skipped: ../shared not present"
    exit 0
fi
cc="${CC:-gcc}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# game.km has @c.import(`../../c/karmem.h`): lay the runtime out where that path points.
mkdir -p "$work/gen/out" "$work/c"
cp "$root/codegen/runtime/c/karmem.h" "$work/c/karmem.h"
cp "$schema" "$work/gen/out/game.km"
(cd "$root" && cargo build --release --quiet -p karmem-server --bin karmem)
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
"$target/release/karmem" build --c -o "$work/gen/out" "$work/gen/out/game.km" >/dev/null
"$cc" -std=c11 -O2 -Wall -Wextra -Werror -I "$work/gen/out" "$root/bench/native/c/bench.c" \
    -o "$work/bench"
echo "C target, $("$cc" --version | head -n 1), -O2, $(nproc) cores"
"$work/bench"
