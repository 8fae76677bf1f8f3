#!/usr/bin/env bash
# Install the browser libraries pinned in package.json / package-lock.json and copy the
# files the pages load into static/vendor/ (generated, not committed; nothing is loaded
# from a CDN at run time).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo "error: npm (Node.js >= 18) is needed to install livekit-client" >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error
mkdir -p static/vendor
cp node_modules/livekit-client/dist/livekit-client.umd.js static/vendor/livekit-client.umd.js
echo "vendored livekit-client $(node -p 'require("./node_modules/livekit-client/package.json").version') into static/vendor/"
