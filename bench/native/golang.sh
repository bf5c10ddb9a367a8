#!/usr/bin/env bash
# Upstream's benchmark workload (codegen/benchmark.md) on our Go target: generates the
# code for upstream's game.km (read from ../shared/corpus/upstream/, never copied into the
# repository) with our `karmem build --golang`, builds it with our runtime in a throw-away
# module (offline) and runs `go test -bench` (optimised native build): EncodeObjectAPI,
# DecodeObjectAPI, DecodeSumVec3, DecodeSumUint8, DecodeSumStats, and two floors measured
# in the same run (memcpy of the message, the Vec3 sum over a native array). The workload
# test checks the results and that no operation allocates.
#
#   bench/native/golang.sh            # 2 s per benchmark
#   bench/native/golang.sh 500ms      # -benchtime
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
schema="$root/../shared/corpus/upstream/game.km"
if [ ! -f "$schema" ]; then
    echo "skipped: ../shared not present"
    exit 0
fi
go="${GO:-}"
if [ -z "$go" ]; then
    if [ -x "$root/.cache/toolchains/bin/go" ]; then
        go="$root/.cache/toolchains/bin/go"
    else
        go="$(command -v go || true)"
    fi
fi
if [ -z "$go" ]; then
    echo "skipped: go not installed (run scripts/install-toolchains.sh go)"
    exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet -p karmem-server --bin karmem --manifest-path "$root/Cargo.toml"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
"$target/release/karmem" build --golang -o "$work/km" "$schema" >/dev/null
cp "$root/bench/native/golang/go.mod" "$root/bench/native/golang/game_test.go" "$work/"
mkdir -p "$work/runtime"
cp "$root/codegen/runtime/golang/go.mod" "$root/codegen/runtime/golang/karmem.go" "$work/runtime/"
export HOME="$work/home" GOCACHE="$work/home/cache" GOPATH="$work/home/path" GOENV=off
export XDG_CONFIG_HOME="$work/home/config" XDG_CACHE_HOME="$work/home/cache"
export GOFLAGS=-mod=mod GOPROXY=off GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0
cd "$work"
"$go" version
"$go" vet ./...
"$go" test -run TestWorkload -bench . -benchmem -benchtime "${1:-2s}" .
