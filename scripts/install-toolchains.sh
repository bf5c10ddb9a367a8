#!/usr/bin/env bash
# Installs every toolchain the tests drive (Go, Zig, AssemblyScript, the editors) from
# Debian, PyPI and npm, pinned, into .cache/toolchains/ (see scripts/toolchains/).
# `scripts/install-toolchains.sh go zig` installs only the named ones.
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/toolchains"
if [ $# -eq 0 ]; then
    set -- $(cd "$dir" && ls *.sh | grep -v '^common.sh$' | sed 's/\.sh$//')
fi
failed=()
for name in "$@"; do
    bash "$dir/$name.sh" || failed+=("$name")
done
if [ ${#failed[@]} -ne 0 ]; then
    echo "[toolchains] FAILED: ${failed[*]}" >&2
    exit 1
fi
