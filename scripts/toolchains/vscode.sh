#!/usr/bin/env bash
# The VS Code extension's toolchain (editors/vscode, tests/tests/editor_vscode.rs):
# - Debian: chromium (the browser the end-to-end test drives), ripgrep (VS Code's search,
#   seeded into @vscode/ripgrep instead of its GitHub download), libkrb5-dev (kerberos
#   native module);
# - npm: code-server 4.100.3 (VS Code 1.100.3; the newest release that runs on Node 20),
#   built from the registry only, into $KARMEM_TOOLCHAINS/code-server-<version>;
# - npm: the extension's dependencies from editors/vscode/package-lock.json (`npm ci`):
#   typescript, vscode-languageclient, @vscode/vsce, vscode-tmgrammar-test, playwright-core.
# Idempotent: a re-run with everything in place only checks stamps.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CODE_SERVER_VERSION="4.100.3"
EXT_DIR="$REPO_ROOT/editors/vscode"
# node-gyp must use the headers of the installed Node (never download them), also when HOME
# is not the one whose ~/.npmrc says so.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

command -v node >/dev/null || apt_install nodejs npm
apt_install chromium ripgrep libkrb5-dev build-essential python3
link_tool "$(command -v chromium)" chromium

# --- code-server -----------------------------------------------------------------------
cs_dir="$KARMEM_TOOLCHAINS/code-server-$CODE_SERVER_VERSION"
cs_stamp="$cs_dir/.karmem-installed"
if [ ! -f "$cs_stamp" ]; then
    log "npm install code-server@$CODE_SERVER_VERSION (from the registry only; about a minute)"
    rm -rf "$cs_dir"
    mkdir -p "$cs_dir"
    (
        cd "$cs_dir"
        printf '{ "name": "karmem-code-server", "private": true }\n' > package.json
        # code-server's postinstall would run VS Code's npm install, whose @vscode/ripgrep
        # downloads rg from GitHub: install without scripts and do its steps here.
        npm install --ignore-scripts --silent "code-server@$CODE_SERVER_VERSION"
        # argon2 (required at startup): its prebuilt download fails, node-gyp builds it.
        npm rebuild --silent argon2
        cd node_modules/code-server/lib/vscode
        npm install --omit=dev --ignore-scripts --silent
        # @vscode/ripgrep's postinstall skips its download when bin/ exists.
        mkdir -p node_modules/@vscode/ripgrep/bin
        cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
        # Native modules (node-pty, spdlog, kerberos, ...) against /usr/include/node;
        # node-pty's postinstall runs `npx node-gyp`, which must be allowed to fetch it.
        npm_config_yes=true npm rebuild --silent
        # The rest of code-server's postinstall: links and the built-in extensions' deps.
        ln -sfn node_modules node_modules.asar
        (cd bin/remote-cli && ln -sfn code-linux.sh code-server)
        (cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
        (cd extensions && npm install --omit=dev --silent >/dev/null)
    )
    touch "$cs_stamp"
fi
link_tool "$cs_dir/node_modules/.bin/code-server" code-server
# --version writes a default config.yaml into XDG_CONFIG_HOME: keep it out of $HOME.
cs_home="$(mktemp -d)"
log "code-server: $(HOME="$cs_home" XDG_CONFIG_HOME="$cs_home" XDG_DATA_HOME="$cs_home" "$TOOLCHAIN_BIN/code-server" --version 2>/dev/null | tail -n 1)"
rm -rf "$cs_home"

# --- the extension's dependencies ------------------------------------------------------
lock_hash="$(sha256sum "$EXT_DIR/package-lock.json" | cut -d' ' -f1)"
ext_stamp="$EXT_DIR/node_modules/.karmem-lock-sha256"
if [ "$(cat "$ext_stamp" 2>/dev/null)" != "$lock_hash" ]; then
    log "npm ci in editors/vscode"
    (cd "$EXT_DIR" && npm ci --silent)
    echo "$lock_hash" > "$ext_stamp"
fi
log "vscode extension deps: $(cd "$EXT_DIR" && node -p "require('typescript/package.json').version + ' (typescript), ' + require('playwright-core/package.json').version + ' (playwright-core)'")"
