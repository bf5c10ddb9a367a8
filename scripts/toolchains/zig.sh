#!/usr/bin/env bash
# Zig from PyPI (`ziglang`, pinned): 0.10.1 compiles our runtime and generated code
# (codegen/testing.md §1). Installed into a venv under the toolchain cache; the `zig`
# wrapper in $TOOLCHAIN_BIN runs it.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ZIGLANG_VERSION="0.10.1.post1"
venv="$KARMEM_TOOLCHAINS/zig-venv"
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('ziglang') != '$ZIGLANG_VERSION')" 2>/dev/null; then
    log "pip install ziglang==$ZIGLANG_VERSION"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "ziglang==$ZIGLANG_VERSION"
fi
cat > "$TOOLCHAIN_BIN/zig" <<WRAP
#!/bin/sh
exec "$venv/bin/python" -m ziglang "\$@"
WRAP
chmod +x "$TOOLCHAIN_BIN/zig"
log "zig: $("$TOOLCHAIN_BIN/zig" version)"
