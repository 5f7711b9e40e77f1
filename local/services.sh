#!/usr/bin/env bash
# Makes sure the local PostgreSQL and Redis answer on 127.0.0.1, starting
# them if they are installed but stopped. Says exactly what is missing
# otherwise. Used by make dev, make test and make bench.
set -euo pipefail

PGPORT=${PGPORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # port tries
  for _ in $(seq "$2"); do listening "$1" && return 0; sleep 0.2; done
  return 1
}

missing=()

if ! listening "$PGPORT"; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    echo "services: starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  if ! wait_for "$PGPORT" 50; then
    missing+=("PostgreSQL on 127.0.0.1:$PGPORT (install: sudo apt-get install -y postgresql; then: sudo pg_ctlcluster --skip-systemctl-redirect 15 main start; tests connect as user postgres with trust auth, or set TEST_DATABASE_URL)")
  fi
fi

if ! listening "$REDIS_PORT"; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "services: starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
  fi
  if ! wait_for "$REDIS_PORT" 50; then
    missing+=("Redis on 127.0.0.1:$REDIS_PORT (install: sudo apt-get install -y redis-server; or set TEST_REDIS_URL)")
  fi
fi

if ((${#missing[@]})); then
  echo "services: not running and could not be started:" >&2
  for m in "${missing[@]}"; do echo "  - $m" >&2; done
  exit 1
fi
