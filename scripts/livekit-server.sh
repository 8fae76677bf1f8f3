#!/usr/bin/env bash
# Build (once) and locate a pinned LiveKit server binary.
#
#   scripts/livekit-server.sh install   # build through the Go module proxy unless cached
#   scripts/livekit-server.sh path      # print the cached binary's path
#
# The binary is cached per tag in ${LIVEKIT_BIN_DIR:-$HOME/.cache/interview-platform/bin}.
# v1.13.6+ tags carry `replace` directives in go.mod, so `go install pkg@tag` refuses
# them; v1.13.5 is the newest tag that installs as is (Go >= 1.26).
# First build from empty Go module and build caches: ~2 minutes on 2 cores (measured 1m53s).
set -euo pipefail

LIVEKIT_SERVER_TAG="${LIVEKIT_SERVER_TAG:-v1.13.5}"
BIN_DIR="${LIVEKIT_BIN_DIR:-$HOME/.cache/interview-platform/bin}"
BIN="$BIN_DIR/livekit-server-$LIVEKIT_SERVER_TAG"

cmd_path() {
    echo "$BIN"
}

tmp=""
cmd_install() {
    if [ -x "$BIN" ]; then
        echo "livekit-server $LIVEKIT_SERVER_TAG already installed: $BIN"
        return 0
    fi
    command -v go >/dev/null || PATH="$PATH:/usr/local/go/bin"
    command -v go >/dev/null || { echo "error: go (>= 1.26) not found on PATH" >&2; exit 1; }
    mkdir -p "$BIN_DIR"
    local start
    tmp="$(mktemp -d)"
    trap '[ -n "$tmp" ] && rm -rf "$tmp"' EXIT
    start=$(date +%s)
    echo "building github.com/livekit/livekit-server/cmd/server@$LIVEKIT_SERVER_TAG ..."
    (cd "$tmp" && GOBIN="$tmp/bin" go install \
         "github.com/livekit/livekit-server/cmd/server@$LIVEKIT_SERVER_TAG")
    mv "$tmp/bin/server" "$BIN.partial"
    mv "$BIN.partial" "$BIN"
    echo "installed $BIN in $(( $(date +%s) - start ))s"
}

case "${1:-}" in
    install) cmd_install ;;
    path) cmd_path ;;
    *) echo "usage: $0 {install|path}" >&2; exit 2 ;;
esac
