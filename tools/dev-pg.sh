#!/usr/bin/env bash
# Start a throw-away PostgreSQL 15 cluster for development: tools/dev-pg.sh DIR
# Prints the superuser URL (socket in DIR). Stop it with: pg_ctl -D DIR/data stop
set -euo pipefail
DIR=$(realpath -m "$1"); PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
mkdir -p "$DIR"; chmod 755 "$DIR"
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = "0" ]; then chown postgres "$DIR"; fi
[ -d "$DIR/data" ] || as_pg "$PGBIN/initdb" -A trust -U postgres -D "$DIR/data" >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-k $DIR -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
echo "postgresql+psycopg://postgres@/postgres?host=$DIR"
