#!/usr/bin/env bash
# A private PostgreSQL 15 cluster on a loopback port, for the tests: `source scripts/postgres.sh`
# starts it and exports VIGIL_TEST_POSTGRES; `vigil_postgres_stop` (trapped on exit) removes it.
# PostgreSQL refuses to run as root, so as root the cluster belongs to Debian's `postgres` user.
# Trust authentication is safe here: it listens on 127.0.0.1 only, in a folder only it can read.
pg_bin=/usr/lib/postgresql/15/bin
[ -x "$pg_bin/initdb" ] || { echo "postgres: $pg_bin/initdb is missing (apt-get install postgresql)" >&2; return 1; }
vigil_pg_dir=$(mktemp -d /tmp/vigil-postgres.XXXXXX)
vigil_pg_port=${VIGIL_TEST_POSTGRES_PORT:-55432}
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres: "$vigil_pg_dir"
as_owner "$pg_bin/initdb" -D "$vigil_pg_dir/data" -U postgres -A trust -E UTF8 --no-sync >"$vigil_pg_dir/initdb.log" 2>&1 \
  || { cat "$vigil_pg_dir/initdb.log" >&2; echo "postgres: initdb failed" >&2; return 1; }
as_owner "$pg_bin/pg_ctl" -D "$vigil_pg_dir/data" -l "$vigil_pg_dir/server.log" -w -t 60 \
  -o "-p $vigil_pg_port -k $vigil_pg_dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
  || { cat "$vigil_pg_dir/server.log" >&2; echo "postgres: the server did not start on 127.0.0.1:$vigil_pg_port" >&2; return 1; }
export VIGIL_TEST_POSTGRES="postgres://postgres@127.0.0.1:$vigil_pg_port/postgres"
echo "postgres: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$vigil_pg_port"
vigil_postgres_stop() {
  as_owner "$pg_bin/pg_ctl" -D "$vigil_pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$vigil_pg_dir"
}
# Creates an empty database NAME on the private cluster and prints its postgres:// address.
vigil_postgres_database() {
  psql -q "$VIGIL_TEST_POSTGRES" -c "CREATE DATABASE $1" >&2 && echo "${VIGIL_TEST_POSTGRES%/postgres}/$1"
}
