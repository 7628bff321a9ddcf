#!/usr/bin/env bash
# Runs every test: the workspace's tests on SQLite and on a throwaway PostgreSQL (started here,
# installed from Debian's packages when absent), then against a release build: the TypeScript and
# Python clients' flow tests, a load generator smoke run, a Schemathesis run over the whole spec, the
# security review's black-box checks, and the black-box contract test for the groups that are
# built, on both backends.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres.sh

start_test_postgres
trap stop_test_postgres EXIT

export INSTA_UPDATE=no
export RUST_BACKTRACE=1
# Tests bind their own ports and make their own data dirs; keep this shell's settings out of them.
unset PLATFORM_CONFIG PLATFORM_LISTEN PLATFORM_DATA_DIR PLATFORM_DATABASE_URL PLATFORM_MAIL_DIR \
  PLATFORM_SMTP_URL PLATFORM_PUBLIC_URL PLATFORM_MASTER_KEY

echo "== cargo test (SQLite and PostgreSQL)"
cargo test --workspace --locked

echo "== release build (platform, load generator)"
cargo build --release --locked -p platform -p loadtest

echo "== generated clients (TypeScript, Python) against a release build"
PLATFORM_BIN=target/release/platform bash scripts/test-clients.sh

echo "== load generator smoke run (every profile for 1 s; fails on any error, checks no goal)"
target/release/loadtest --tenants 4 --users 10 --secs 1 --concurrency 8 --fail-on-errors \
  --out target/loadtest-smoke

echo "== schemathesis (every operation of the spec, against a release build on SQLite)"
PLATFORM_BIN=target/release/platform bash scripts/schemathesis.sh

echo "== the security review's findings, black-box against the release build (SQLite, PostgreSQL)"
python3 scripts/security_blackbox.py --bin target/release/platform
python3 scripts/security_blackbox.py --bin target/release/platform \
  --database-url "$PLATFORM_TEST_DATABASE_URL"

# The contract test lives beside the repository (../shared); run the groups whose issues are done.
CONTRACT=../shared/acceptance/contract.py
ONLY=${CONTRACT_GROUPS:-foundation,accounts,tokens,mfa,members,admin}
if [ -f "$CONTRACT" ]; then
  echo "== contract test ($ONLY) against a release build"
  python3 "$CONTRACT" --bin target/release/platform --only "$ONLY"
  contract_db="contract_$(date +%s)"
  psql "$PLATFORM_TEST_DATABASE_URL" -qc "CREATE DATABASE $contract_db"
  python3 "$CONTRACT" --bin target/release/platform --only "$ONLY" \
    --database-url "${PLATFORM_TEST_DATABASE_URL%/postgres}/$contract_db"
else
  echo "== contract test skipped: $CONTRACT not found (it lives in the shared folder beside the repo)"
fi
