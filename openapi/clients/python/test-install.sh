#!/usr/bin/env bash
# Installs the Python SDK into a fresh venv as README.md documents, type-checks a sample app, runs it on a real server.
#   PLATFORM_BIN=path/to/platform openapi/clients/python/test-install.sh   (default: target/release/platform)
# Steps: a fresh venv in a temp dir (scripts/clients-lib.sh: venv, else virtualenv, else Debian's
# python3-venv); the README's `pip install -c constraints.txt ./…/platform-client ./…/platform-sdk`
# run from a copy of the two packages (so the build leaves nothing in the work tree), with only the
# pinned versions; mypy (requirements-typecheck.txt) over examples/quickstart.py; then
# `$PLATFORM_BIN tenant create demo --json`, `$PLATFORM_BIN serve` on a free port, and the app:
# register → code from the mail directory → verify → login → /me → token check → logout.
set -euo pipefail
caller_dir=$PWD
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/clients-lib.sh
source "$here/../../../scripts/clients-lib.sh"
cd "$CLIENTS_ROOT"

PLATFORM_BIN=${PLATFORM_BIN:-$CLIENTS_ROOT/target/release/platform}
case $PLATFORM_BIN in
  /*) ;;
  *) PLATFORM_BIN=$caller_dir/$PLATFORM_BIN ;;
esac
[ -x "$PLATFORM_BIN" ] ||
  clients_die "no platform binary at $PLATFORM_BIN: build it (cargo build --release -p platform) or set PLATFORM_BIN"

work=$(mktemp -d "${TMPDIR:-/tmp}/platform-py-install.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== a fresh venv in $work/venv"
clients_create_venv "$work/venv"
py=$work/venv/bin/python

echo "== pip install, as README.md documents (from the repository root)"
# The two package directories and the constraints file, at the paths the README names.
mkdir -p "$work/repo/openapi/clients/python"
cp -R "$PY_DIR/platform-client" "$PY_DIR/platform-sdk" "$PY_DIR/constraints.txt" "$work/repo/openapi/clients/python/"
# -c pins what is installed; pip's isolated build environments (the pdm-backend both packages
# build with) see only PIP_CONSTRAINT, so the same file goes there too: nothing unpinned.
(cd "$work/repo" && PATH="$work/venv/bin:$PATH" PIP_CONSTRAINT="$PWD/openapi/clients/python/constraints.txt" \
  pip install -q --require-virtualenv -c openapi/clients/python/constraints.txt \
  ./openapi/clients/python/platform-client ./openapi/clients/python/platform-sdk)
"$py" -m pip check
# Everything installed besides the two packages (and the venv's own pip/setuptools/wheel) is a
# version constraints.txt names.
"$py" - "$PY_DIR/constraints.txt" <<'PY'
import re, sys
from importlib.metadata import distributions

norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
pins = {}
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if line:
        name, version = line.split("==")
        pins[norm(name)] = version
own = {"platform-client", "platform-sdk", "pip", "setuptools", "wheel"}
bad = [
    f"{d.metadata['Name']}=={d.version}"
    for d in distributions()
    if norm(d.metadata["Name"]) not in own and pins.get(norm(d.metadata["Name"])) != d.version
]
if bad:
    sys.exit(f"installed but not pinned by constraints.txt: {', '.join(sorted(bad))}")
print("installed: platform-client, platform-sdk and pinned dependencies only")
PY

echo "== mypy --strict on the sample app (examples/quickstart.py)"
"$py" -m pip install -q --require-virtualenv -r "$PY_DIR/requirements-typecheck.txt"
(cd "$work" && "$py" -m mypy --strict --cache-dir "$work/mypy-cache" "$PY_DIR/examples/quickstart.py")

echo "== the sample app against $PLATFORM_BIN"
# No PLATFORM_* setting of this shell reaches the server (it refuses unknown ones, PLATFORM_BIN too).
server_env=(env)
while IFS= read -r name; do server_env+=(-u "$name"); done < <(compgen -e | grep '^PLATFORM_' || true)
server_env+=(PLATFORM_DATA_DIR="$work/data" PLATFORM_MAIL_DIR="$work/mail")
tenant_json=$("${server_env[@]}" "$PLATFORM_BIN" tenant create demo --json)
tenant_id=$(printf '%s' "$tenant_json" | "$py" -c 'import json, sys; print(json.load(sys.stdin)["id"])')
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
"${server_env[@]}" PLATFORM_LISTEN="127.0.0.1:$port" PLATFORM_PUBLIC_URL="$url" \
  "$PLATFORM_BIN" serve >"$work/server.log" 2>&1 &
server_pid=$!
"$py" - "$url/health/live" "$server_pid" <<'PY' || { cat "$work/server.log" >&2; exit 1; }
import os, sys, time, urllib.request
url, pid = sys.argv[1], int(sys.argv[2])
for _ in range(200):
    try:
        with urllib.request.urlopen(url, timeout=1) as answer:
            if answer.status == 200:
                sys.exit(0)
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("the server exited")
    time.sleep(0.05)
sys.exit("the server did not come up")
PY
(cd "$work" && "$py" "$PY_DIR/examples/quickstart.py" "$url" demo "$tenant_id" "$work/mail" ann@demo.test) ||
  { tail -20 "$work/server.log" >&2; exit 1; }
echo "python SDK install test passed"
