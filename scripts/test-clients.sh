#!/usr/bin/env bash
# Tests the generated TypeScript and Python clients against a real `platform serve` (each suite
# starts its own server, SQLite in a temp dir), then checks that the committed clients are what
# openapi/platform.json generates (scripts/gen-clients.sh --check).
#   PLATFORM_BIN=path/to/platform scripts/test-clients.sh   (default: target/release/platform)
# Needs node 20+/npm and python3 (3.11+), and the npm registry and PyPI for the pinned packages.
set -euo pipefail
caller_dir=$PWD
# shellcheck source=scripts/clients-lib.sh
source "$(dirname "$0")/clients-lib.sh"
cd "$CLIENTS_ROOT"
start=$(date +%s)

PLATFORM_BIN=${PLATFORM_BIN:-$CLIENTS_ROOT/target/release/platform}
case $PLATFORM_BIN in
  /*) ;;
  *) PLATFORM_BIN=$caller_dir/$PLATFORM_BIN ;;
esac
[ -x "$PLATFORM_BIN" ] ||
  clients_die "no platform binary at $PLATFORM_BIN: build it (cargo build --release -p platform) or set PLATFORM_BIN"
export PLATFORM_BIN

echo "== TypeScript client: npm ci, typecheck (package, example, test), flow test"
clients_npm_ci
(cd "$TS_DIR" && npm test)

echo "== Python client and SDK: venv, install, mypy --strict, tests"
venv=$CLIENTS_CACHE/test-venv
clients_ensure_venv "$venv" "$PY_DIR/requirements-test.txt"
# Installed from a copy, so the build leaves nothing in the committed tree.
pkg=$(mktemp -d)
trap 'rm -rf "$pkg"' EXIT
cp -R "$PY_DIR/platform-client" "$PY_DIR/platform-sdk" "$pkg/"
"$venv/bin/python" -m pip install -q --require-virtualenv --no-deps --no-build-isolation \
  --force-reinstall "$pkg/platform-client" "$pkg/platform-sdk"
(cd "$PY_DIR" && "$venv/bin/python" -m mypy --strict --cache-dir "$CLIENTS_CACHE/mypy-cache" \
  platform-sdk/platform_sdk tests examples)
PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" -m pytest -p no:cacheprovider --rootdir "$PY_DIR" "$PY_DIR/tests"

echo "== Python SDK: installed as its README says into a fresh venv, a sample app"
"$PY_DIR/test-install.sh"

echo "== the committed clients are what the spec generates"
scripts/gen-clients.sh --check

echo "client tests passed in $(($(date +%s) - start)) s"
