#!/usr/bin/env bash
# Whole-system test (tests/e2e): every process of it runs inside one network
# namespace made for this run, so WebRTC only ever sees the namespace's own
# interfaces. Extra arguments go to pytest. Needs root (ip netns).
#
#   bash scripts/e2e.sh            # all e2e tests
#   bash scripts/e2e.sh -x -k interview
set -euo pipefail
cd "$(dirname "$0")/.."

NS="e2e-$$-$(date +%s)"
# The test environment reads this to refuse running outside a namespace made here.
export E2E_NETNS="$NS"

cleanup() {
    local status=$?
    # Anything still running in the namespace was started by this run; stop it by pid.
    local pids
    pids=$(ip netns pids "$NS" 2>/dev/null || true)
    if [ -n "$pids" ]; then
        echo "e2e: stopping leftover processes in $NS: $(echo $pids)" >&2
        kill -TERM $pids 2>/dev/null || true
        sleep 3
        pids=$(ip netns pids "$NS" 2>/dev/null || true)
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
    fi
    ip netns delete "$NS" 2>/dev/null || true
    exit "$status"
}
trap cleanup EXIT
pytest_pid=""
# Let pytest stop its processes and keep their logs before the namespace goes.
stop_pytest() {
    if [ -n "$pytest_pid" ]; then
        kill -INT "$pytest_pid" 2>/dev/null || true
        wait "$pytest_pid" 2>/dev/null || true
    fi
    exit 130
}
trap stop_pytest INT TERM

# Build (or find the cached) LiveKit server before entering the namespace: the build needs the Go proxy.
bash scripts/livekit-server.sh install
export LIVEKIT_SERVER_BIN
LIVEKIT_SERVER_BIN="$(bash scripts/livekit-server.sh path)"

ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add v0 type veth peer name v1
ip -n "$NS" addr add 192.0.2.10/24 dev v0
ip -n "$NS" addr add 192.0.2.11/24 dev v1
ip -n "$NS" link set v0 up
ip -n "$NS" link set v1 up

# In the background so a signal reaches the trap above while pytest runs.
ip netns exec "$NS" .venv/bin/pytest tests/e2e -m e2e -p no:cacheprovider "$@" &
pytest_pid=$!
wait "$pytest_pid"
