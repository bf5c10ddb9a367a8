#!/usr/bin/env bash
# AssemblyScript from npm (pinned), run under the machine's Node.js.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ASC_VERSION="0.28.20"
prefix="$KARMEM_TOOLCHAINS/assemblyscript"
command -v node >/dev/null || apt_install nodejs npm
if [ "$(node -p "try{require('$prefix/node_modules/assemblyscript/package.json').version}catch(e){''}")" != "$ASC_VERSION" ]; then
    log "npm install assemblyscript@$ASC_VERSION"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --silent "assemblyscript@$ASC_VERSION"
fi
link_tool "$prefix/node_modules/.bin/asc" asc
log "asc: $("$TOOLCHAIN_BIN/asc" --version)"
