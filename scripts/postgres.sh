#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests and prints its URL.
#   source scripts/postgres.sh && start_test_postgres   # sets PLATFORM_TEST_DATABASE_URL
# Installs Debian's `postgresql` when no server binaries are on the machine. The server lives in
# a temporary directory, listens on a free loopback port, and is stopped by stop_test_postgres.

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

ensure_postgres_installed() {
  pg_bindir >/dev/null && return 0
  echo "PostgreSQL not found: installing Debian's postgresql" >&2
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  pg_bindir >/dev/null || { echo "PostgreSQL installation failed" >&2; return 1; }
}

# Runs a command as the server's owner: `postgres` when we are root (the server refuses root).
as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_test_postgres() {
  ensure_postgres_installed || return 1
  local bin port dir speed
  bin=$(pg_bindir)
  # Tests trade durability for speed; benchmarks (PG_DURABLE=1) keep PostgreSQL's defaults.
  speed="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${PG_DURABLE:-0}" = 1 ] && speed=""
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  dir=$(mktemp -d /tmp/platform-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  as_pg_owner "$bin/initdb" -D "$dir/data" -U platform --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  as_pg_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir $speed -c max_connections=300 -c max_locks_per_transaction=256" \
    >/dev/null || { cat "$dir/server.log" >&2; return 1; }
  export PLATFORM_TEST_PG_DIR="$dir"
  export PLATFORM_TEST_PG_BIN="$bin"
  export PLATFORM_TEST_DATABASE_URL="postgres://platform@127.0.0.1:$port/postgres"
  echo "PostgreSQL for tests: $PLATFORM_TEST_DATABASE_URL" >&2
}

stop_test_postgres() {
  [ -n "${PLATFORM_TEST_PG_DIR:-}" ] || return 0
  as_pg_owner "$PLATFORM_TEST_PG_BIN/pg_ctl" -D "$PLATFORM_TEST_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PLATFORM_TEST_PG_DIR"
}
