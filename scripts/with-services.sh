#!/usr/bin/env bash
# Start the production stack's services on loopback (PostgreSQL, Redis), run a command against
# them with DATABASE_URL / REDIS_URL set, then stop them. Installs the Debian packages if missing.
# Used by .ci/run, `make test-postgres` and the benchmarks.
set -euo pipefail

PG_PORT=${PG_PORT:-5433}
REDIS_PORT=${REDIS_PORT:-6380}
WORK=$(mktemp -d /tmp/firebreak-services.XXXXXX)
chmod 755 "$WORK"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

if ! pg_bin >/dev/null || ! command -v redis-server >/dev/null; then
  echo "Installing PostgreSQL and Redis (apt)..." >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql redis-server >/dev/null
fi
PGBIN=$(pg_bin)

# PostgreSQL refuses to run as root: run it as the postgres system user when we are root.
run_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then chown postgres "$WORK"; fi

cleanup() {
  run_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

run_pg "$PGBIN/initdb" -D "$WORK/pg" -U firebreak --auth=trust -E UTF8 >/dev/null
run_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w start \
  -o "-k $WORK -p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
      -c full_page_writes=off -c shared_buffers=512MB -c max_connections=300 \
      -c work_mem=32MB -c maintenance_work_mem=512MB" >/dev/null
run_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U firebreak firebreak

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --daemonize yes --logfile "$WORK/redis.log" --dir "$WORK"
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

export DATABASE_URL="postgres://firebreak@127.0.0.1:$PG_PORT/firebreak"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
echo "services up: $DATABASE_URL $REDIS_URL" >&2
"$@"
