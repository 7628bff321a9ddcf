#!/usr/bin/env bash
# Benchmark (not a test): ten thousand tenants on one PostgreSQL (a throwaway server started here,
# with fsync and synchronous commit off: with them on, this machine's disk makes provisioning a
# commit-latency benchmark at ~4 tenants/s). Writes loadtest/reports/postgres-10k/:
#   provision.txt   provisioning 10,000 tenants one by one, then `migrate` across all of them
#   migrate.txt     `platform migrate --json` against the server holding 10,000 tenants
#   ten/            GET /me and /health with 10 tenants (10 users each)
#   ten-thousand/   the same with 9,990 more, idle, tenants in the database
#   catalog.txt     the database's size and relation count
#   loadtest/run-10k.sh [seconds per profile]      (SKIP_PROVISION=1 skips provision.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
out=loadtest/reports/postgres-10k
cargo build --release --locked -p platform -p loadtest --bins --example provision_bench
unset PLATFORM_CONFIG PLATFORM_DATABASE_URL LOADTEST_DATABASE_URL
source scripts/postgres.sh
start_test_postgres
trap stop_test_postgres EXIT
base=${PLATFORM_TEST_DATABASE_URL%/postgres}
mkdir -p "$out"

if [ "${SKIP_PROVISION:-0}" != 1 ]; then
  echo "== provisioning 10,000 tenants, then migrate across them"
  psql "$PLATFORM_TEST_DATABASE_URL" -qc "CREATE DATABASE provision_10k"
  PLATFORM_DATABASE_URL="$base/provision_10k" target/release/examples/provision_bench 10000 \
    | tee "$out/provision.txt"
  psql "$PLATFORM_TEST_DATABASE_URL" -qc "DROP DATABASE provision_10k"
fi

echo "== GET /me with 10 tenants"
psql "$PLATFORM_TEST_DATABASE_URL" -qc "CREATE DATABASE me_10"
target/release/loadtest --tenants 10 --users 10 --profiles health,me --secs "$secs" \
  --database-url "$base/me_10" --out "$out/ten"

echo "== GET /me with 10 tenants among 10,000"
psql "$PLATFORM_TEST_DATABASE_URL" -qc "CREATE DATABASE me_10k"
target/release/loadtest --tenants 10 --users 10 --idle-tenants 9990 --profiles health,me \
  --secs "$secs" --database-url "$base/me_10k" --out "$out/ten-thousand"

echo "== platform migrate across 10,000 tenants (nothing pending)"
start=$EPOCHREALTIME
PLATFORM_DATABASE_URL="$base/me_10k" PLATFORM_DATA_DIR=$(mktemp -d) \
  target/release/platform migrate --json > "$out/migrate.json"
echo "platform migrate over 10,000 tenants: $(awk "BEGIN { printf \"%.2f\", $EPOCHREALTIME - $start }") s" | tee "$out/migrate.txt"

psql "$base/me_10k" -Atc "SELECT 'database size: ' || pg_size_pretty(pg_database_size(current_database())) \
  UNION ALL SELECT 'relations: ' || count(*) FROM pg_class \
  UNION ALL SELECT 'schemas: ' || count(*) FROM pg_namespace WHERE nspname LIKE 't\_%'" | tee "$out/catalog.txt"
