#!/usr/bin/env bash
# Start the PostgreSQL and Redis that the tests use, from Debian's packages,
# unless something already answers on their ports. Idempotent.
set -euo pipefail

PGPORT=${PGPORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
DB_NAME=${TEST_DB_NAME:-interview}
DB_USER=${TEST_DB_USER:-interview}
DB_PASSWORD=${TEST_DB_PASSWORD:-interview}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_postgres() {
  if ! port_open "$PGPORT"; then
    version=$(ls /etc/postgresql | sort -n | tail -n1)
    echo "services: starting PostgreSQL $version on port $PGPORT"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 50); do port_open "$PGPORT" && break; sleep 0.2; done
  fi
  if [ "$(id -u)" = 0 ]; then
    su postgres -c "psql -q -p $PGPORT" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
  END IF;
END \$\$;
SQL
    su postgres -c "psql -p $PGPORT -tAc \"SELECT 1 FROM pg_database WHERE datname='$DB_NAME'\"" | grep -q 1 \
      || su postgres -c "createdb -p $PGPORT -O $DB_USER $DB_NAME"
  fi
}

ensure_redis() {
  if port_open "$REDIS_PORT"; then return; fi
  echo "services: starting Redis on port $REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
  for _ in $(seq 50); do port_open "$REDIS_PORT" && break; sleep 0.1; done
}

case "${1:-all}" in
  postgres) ensure_postgres ;;
  redis) ensure_redis ;;
  all) ensure_postgres; ensure_redis ;;
  *) echo "usage: $0 [postgres|redis|all]" >&2; exit 2 ;;
esac
