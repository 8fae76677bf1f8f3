#!/usr/bin/env bash
# Build (once) and locate a pinned Versity S3 Gateway: an Apache-2.0 S3-compatible server
# that keeps objects as files in a directory. The recordings' S3 test runs against it.
#
#   scripts/versitygw.sh install   # build through the Go module proxy unless cached
#   scripts/versitygw.sh path      # print the cached binary's path
#
# Cached per tag in ${VERSITYGW_BIN_DIR:-$HOME/.cache/interview-platform/bin}.
# First build from an empty module cache: about a minute on 2 cores (measured 65 s).
set -euo pipefail

VERSITYGW_TAG="${VERSITYGW_TAG:-v1.8.0}"
BIN_DIR="${VERSITYGW_BIN_DIR:-$HOME/.cache/interview-platform/bin}"
BIN="$BIN_DIR/versitygw-$VERSITYGW_TAG"

cmd_path() {
    echo "$BIN"
}

tmp=""
cmd_install() {
    if [ -x "$BIN" ]; then
        echo "versitygw $VERSITYGW_TAG already installed: $BIN"
        return 0
    fi
    command -v go >/dev/null || PATH="$PATH:/usr/local/go/bin"
    command -v go >/dev/null || { echo "error: go (>= 1.24) not found on PATH" >&2; exit 1; }
    mkdir -p "$BIN_DIR"
    local start
    tmp="$(mktemp -d)"
    trap '[ -n "$tmp" ] && rm -rf "$tmp"' EXIT
    start=$(date +%s)
    echo "building github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_TAG ..."
    (cd "$tmp" && GOBIN="$tmp/bin" go install \
         "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_TAG")
    mv "$tmp/bin/versitygw" "$BIN.partial"
    mv "$BIN.partial" "$BIN"
    echo "installed $BIN in $(( $(date +%s) - start ))s"
}

case "${1:-}" in
    install) cmd_install ;;
    path) cmd_path ;;
    *) echo "usage: $0 {install|path}" >&2; exit 2 ;;
esac
