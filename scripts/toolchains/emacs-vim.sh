#!/usr/bin/env bash
# Emacs + eglot and Vim + ALE from Debian bookworm for the editor smoke tests
# (tests/tests/editor_others.rs): emacs-nox 28.2 with elpa-eglot 1.9, vim 9.0 with vim-ale 3.3.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

apt_install emacs-nox elpa-eglot vim vim-ale
link_tool "$(readlink -f "$(command -v emacs)")" emacs
link_tool "$(readlink -f "$(command -v vim)")" vim
log "emacs: $("$TOOLCHAIN_BIN/emacs" --version | head -n1)"
log "vim: $("$TOOLCHAIN_BIN/vim" --version | head -n1)"
