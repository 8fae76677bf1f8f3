#!/usr/bin/env bash
# Build (once) and locate a pinned LiveKit server binary.
#
#   scripts/livekit-server.sh install   # build through the Go module proxy unless cached
#   scripts/livekit-server.sh path      # print the cached binary's path
#   scripts/livekit-server.sh run       # run it for `make run` (the Procfile's livekit process)
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

# `make run`'s server: --dev (console log format, one UDP port), but with the keys from .env
# instead of the placeholder devkey/secret, at info level instead of debug (debug is some
# 900 lines per interview), listening where LIVEKIT_BIND says (loopback unless set) and
# advertising LIVEKIT_NODE_IP to browsers for media. See README, "Let candidates on other
# machines join", for the ports: 7880 TCP signalling, 7881 TCP and 7882 UDP media.
cmd_run() {
    : "${LIVEKIT_API_KEY:?set LIVEKIT_API_KEY}" "${LIVEKIT_API_SECRET:?set LIVEKIT_API_SECRET}"
    local bind="${LIVEKIT_BIND:-127.0.0.1}" node_ip="${LIVEKIT_NODE_IP:-}"
    local -a args=(--dev --bind "$bind")
    if [ -n "$node_ip" ]; then
        args+=(--node-ip "$node_ip")
    elif [ "$bind" = 127.0.0.1 ]; then
        # LiveKit would advertise this machine's first non-loopback address, which the
        # server doesn't listen on for signalling when bound to loopback.
        args+=(--node-ip 127.0.0.1)
    fi
    # In the environment rather than on the command line, where `ps` would show the secret.
    export LIVEKIT_KEYS="$LIVEKIT_API_KEY: $LIVEKIT_API_SECRET"
    exec "$BIN" "${args[@]}" --config-body "port: 7880
rtc:
  tcp_port: 7881
  udp_port: 7882
  use_external_ip: false
  enable_loopback_candidate: true
logging:
  level: info
"
}

case "${1:-}" in
    install) cmd_install ;;
    path) cmd_path ;;
    run) cmd_run ;;
    *) echo "usage: $0 {install|path|run}" >&2; exit 2 ;;
esac
