# Shared helpers for the toolchain installers (sourced, not run).
#
# Every installer puts what it installs under $KARMEM_TOOLCHAINS (default:
# <repo>/.cache/toolchains, ignored by git) and links the tools the tests use into
# $KARMEM_TOOLCHAINS/bin, which the tests search before PATH. Installers are idempotent:
# a second run with everything present only checks versions.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KARMEM_TOOLCHAINS="${KARMEM_TOOLCHAINS:-$REPO_ROOT/.cache/toolchains}"
TOOLCHAIN_BIN="$KARMEM_TOOLCHAINS/bin"
mkdir -p "$TOOLCHAIN_BIN"

log() { printf '[toolchains] %s\n' "$*" >&2; }

# Installs Debian packages that are not installed yet. Needs root (or sudo without a
# password); otherwise says what is missing and returns 1.
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            log "cannot install Debian packages ${missing[*]}: not root and no password-less sudo"
            return 1
        fi
    fi
    log "apt-get install ${missing[*]}"
    if [ ! -f "$KARMEM_TOOLCHAINS/.apt-updated" ]; then
        "${sudo[@]}" apt-get update -qq
        touch "$KARMEM_TOOLCHAINS/.apt-updated"
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Links (or replaces the link of) a tool into $TOOLCHAIN_BIN.
link_tool() {
    ln -sfn "$1" "$TOOLCHAIN_BIN/$2"
}
