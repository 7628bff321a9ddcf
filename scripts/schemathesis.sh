#!/usr/bin/env bash
# Runs a pinned Schemathesis against every operation of a running platform's own OpenAPI spec
# (`/openapi.json`) and fails on any server error or any response the spec does not describe.
#
# It serves PLATFORM_BIN (default target/release/platform) on SQLite in a temporary data dir, on a
# free loopback port, with mail written as .eml files; creates an admin operator and three tenants;
# signs in (the tenant owner through the emailed invitation, the operator with password + TOTP); and
# hands Schemathesis each security scheme's bearer token per group of operations
# (scripts/schemathesis.toml). Extra arguments go to `schemathesis run` (e.g. `--max-examples 50`).
#
# Checks: all of them, except
#   - positive_data_acceptance: it wants every schema-valid request answered 2xx/401/403/404/409/429,
#     but most of its 400s here are rules a JSON schema cannot state: a made-up code, reset token or
#     backup code is `400 invalid_code`, some bodies need exactly one of two optional fields, a
#     tenant delete must repeat the slug, a password must pass the tenant's policy. (Some bounds could
#     move into the spec instead: `limit` ranges, name/reason lengths, unsigned rate limits.)
# One worker: Debian's Python 3.11.7 fails with "AST constructor recursion depth mismatch" when two
# threads parse source at once (Hypothesis does, to describe its filters), and the run is short.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
VENV=target/schemathesis-venv
BIN=${PLATFORM_BIN:-target/release/platform}
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-50}

[ -x "$BIN" ] || { echo "error: $BIN is not an executable (set PLATFORM_BIN)" >&2; exit 1; }
if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

work=$(mktemp -d)
out=target/schemathesis
mkdir -p "$out"
server=
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  cp "$work/server.log" "$out/server.log" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The platform refuses unknown PLATFORM_* variables (PLATFORM_BIN among them); it gets only these.
while read -r name; do unset "$name"; done < <(compgen -e | grep '^PLATFORM_')
export PLATFORM_LISTEN=127.0.0.1:$port PLATFORM_PUBLIC_URL=http://127.0.0.1:$port \
  PLATFORM_DATA_DIR=$work/data PLATFORM_MAIL_DIR=$work/mail PLATFORM_LOG_FORMAT=json
base=http://127.0.0.1:$port

export ST_USER_TENANT=st-users ST_ADMIN_TENANT=st-admin ST_DOOMED_TENANT=st-doomed
"$BIN" operator create operator@st.test --role admin --json >"$work/operator.json"
"$BIN" operator create leaving@st.test --role admin --json >"$work/operator-leaving.json"
"$BIN" tenant create "$ST_USER_TENANT" --owner owner@st-users.test --json >/dev/null
"$BIN" tenant create "$ST_ADMIN_TENANT" --owner owner@st-admin.test --json >/dev/null
"$BIN" tenant create "$ST_DOOMED_TENANT" --json >/dev/null

"$BIN" serve >"$work/server.log" 2>&1 &
server=$!

# Prints `export ST_...=...` lines: two sessions of the owner, one of each operator.
tokens=$(python3 scripts/schemathesis_seed.py "$base" "$work/mail" "$work/operator.json" \
  "$work/operator-leaving.json") || { echo "error: setting up the run failed; server log:" >&2; tail -n 20 "$work/server.log" >&2; exit 1; }
eval "$tokens"

# Operations that end sessions (the run's own, when Schemathesis reuses ids it read from earlier
# responses), lock accounts out or suspend the operator run's tenant go in a second pass, so that
# the first pass exercises everything else with live credentials. A 401 in the second pass, once
# a session is gone, is a documented answer.
ending=(session_logout my_session_revoke tenant_session_revoke member_sessions_revoke member_update
  member_remove operator_logout tenant_delete tenant_update tenant_admin_session_revoke
  tenant_admin_member_sessions_revoke)
exclude=() include=()
for id in "${ending[@]}"; do
  exclude+=(--exclude-operation-id "$id")
  include+=(--include-operation-id "$id")
done

run() {
  "$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run "$base/openapi.json" \
    --checks all --exclude-checks positive_data_acceptance \
    --phases examples,coverage,fuzzing --max-examples "$MAX_EXAMPLES" --seed 1 \
    --workers 1 --request-timeout 10 --generation-database none --no-color "$@"
}
status=0
run "${exclude[@]}" "$@" || status=$?
run "${include[@]}" "$@" || status=$?

if [ "$status" -ne 0 ]; then
  echo "schemathesis failed; the server's log is kept in $out/server.log" >&2
fi
exit "$status"
