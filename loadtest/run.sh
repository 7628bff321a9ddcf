#!/usr/bin/env bash
# Benchmark (not a test): the load generator's full run on SQLite and on PostgreSQL (a throwaway
# server with PostgreSQL's durable defaults, started here), each over 1,000 tenants and over 100
# (which fits SQLite's default of 256 open tenant files); reports into loadtest/reports/.
#   loadtest/run.sh [seconds per profile]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
cargo build --release --locked -p platform -p loadtest
unset PLATFORM_CONFIG PLATFORM_DATABASE_URL LOADTEST_DATABASE_URL
source scripts/postgres.sh
PG_DURABLE=1 start_test_postgres
trap stop_test_postgres EXIT

for tenants in 1000 100; do
  echo "== SQLite, $tenants tenants"
  target/release/loadtest --tenants "$tenants" --users 2 --secs "$secs" \
    --out "loadtest/reports/sqlite-$tenants"
  echo "== PostgreSQL, $tenants tenants"
  psql "$PLATFORM_TEST_DATABASE_URL" -qc "CREATE DATABASE loadtest_$tenants"
  target/release/loadtest --tenants "$tenants" --users 2 --secs "$secs" \
    --database-url "${PLATFORM_TEST_DATABASE_URL%/postgres}/loadtest_$tenants" \
    --out "loadtest/reports/postgres-$tenants"
done
