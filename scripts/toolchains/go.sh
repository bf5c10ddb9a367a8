#!/usr/bin/env bash
# Go from Debian (golang-go, 1.19 on bookworm): builds the Go target's output and driver.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
apt_install golang-go
link_tool "$(readlink -f "$(command -v go)")" go
log "go: $("$TOOLCHAIN_BIN/go" version)"
