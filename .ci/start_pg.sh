#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on a loopback port and print its URL.
# Usage: source-free: URL=$(bash .ci/start_pg.sh [DIR] [PORT])
# initdb refuses to run as root, so the cluster runs as the `postgres` user.
set -euo pipefail
DIR=${1:-/tmp/hall-pg}
PORT=${2:-54329}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
if [ "$(id -u)" = 0 ]; then AS="runuser -u postgres --"; else AS=""; fi
if [ ! -f "$DIR/PG_VERSION" ]; then
  mkdir -p "$DIR"
  [ -n "$AS" ] && chown postgres:postgres "$DIR"
  $AS "$BIN/initdb" -D "$DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! $AS "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  $AS "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
fi
psql -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='hall_test'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$PORT" -U postgres -qc "CREATE DATABASE hall_test"
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/hall_test"
