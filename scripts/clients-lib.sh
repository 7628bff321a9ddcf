# shellcheck shell=bash
# Shared by scripts/gen-clients.sh and scripts/test-clients.sh (source it; it is not a command):
# the TypeScript package's node_modules and the Python venvs, installed only from the committed
# exact pins (package-lock.json, requirements-*.txt) and never into the system Python.

CLIENTS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TS_DIR=$CLIENTS_ROOT/openapi/clients/typescript
# shellcheck disable=SC2034 # used by the scripts that source this
PY_DIR=$CLIENTS_ROOT/openapi/clients/python
# Venvs live under the repo's (git-ignored) target/ unless told otherwise.
CLIENTS_CACHE=${CLIENTS_CACHE:-$CLIENTS_ROOT/target/clients}
PYTHON=${PYTHON:-python3}
VIRTUALENV_VERSION=21.15.8

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

clients_die() {
  echo "error: $*" >&2
  exit 1
}

# Node.js 20 or newer with npm; installed from Debian's packages when absent and we are root
# (Debian 12's own Node.js is 18: then the message says what to install).
clients_ensure_node() {
  if ! command -v npm >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" -eq 0 ]; then
    echo "note: installing Debian's nodejs and npm" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null || true
  fi
  command -v npm >/dev/null || clients_die "npm not found: the TypeScript client needs Node.js 20 or newer with npm"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || clients_die "Node.js $(node -v) is too old: the TypeScript client needs 20 or newer"
}

# Python 3.11 or newer (the generated client's floor).
clients_ensure_python() {
  command -v "$PYTHON" >/dev/null || clients_die "$PYTHON not found: the Python client needs Python 3.11 or newer"
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    clients_die "$("$PYTHON" -V) is too old: the Python client needs 3.11 or newer"
}

# Runs `npm ci` in the TypeScript package and records the lockfile it installed.
clients_npm_ci() {
  clients_ensure_node
  (cd "$TS_DIR" && npm ci --loglevel=error)
  cat "$TS_DIR/package.json" "$TS_DIR/package-lock.json" | sha256sum >"$TS_DIR/node_modules/.platform-stamp"
}

# `npm ci` unless node_modules already holds exactly what the lockfile pins.
clients_ensure_node_modules() {
  local want
  want=$(cat "$TS_DIR/package.json" "$TS_DIR/package-lock.json" | sha256sum)
  [ "$(cat "$TS_DIR/node_modules/.platform-stamp" 2>/dev/null)" = "$want" ] || clients_npm_ci
}

# A bare venv at $1 with a working pip. Debian's python3 lacks ensurepip until python3-venv is
# installed, so fall back to virtualenv (from PyPI, into a temp dir) or to Debian's package.
clients_create_venv() {
  local dir=$1 tmp
  clients_ensure_python
  "$PYTHON" -m venv "$dir" >/dev/null 2>&1 && "$dir/bin/python" -m pip --version >/dev/null 2>&1 && return 0
  rm -rf "$dir"
  echo "note: '$PYTHON -m venv' does not work here (no ensurepip?); trying virtualenv" >&2
  if "$PYTHON" -m virtualenv --version >/dev/null 2>&1; then
    "$PYTHON" -m virtualenv -q "$dir" && return 0
  fi
  if "$PYTHON" -m pip --version >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    if "$PYTHON" -m pip install -q --target "$tmp" "virtualenv==$VIRTUALENV_VERSION" &&
      PYTHONPATH=$tmp "$PYTHON" -m virtualenv -q "$dir"; then
      rm -rf "$tmp"
      return 0
    fi
    rm -rf "$tmp" "$dir"
  fi
  if command -v apt-get >/dev/null && [ "$(id -u)" -eq 0 ]; then
    echo "note: installing Debian's python3-venv" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    "$PYTHON" -m venv "$dir" && return 0
  fi
  clients_die "cannot create a Python venv: install python3-venv (Debian) or virtualenv"
}

# clients_ensure_venv DIR REQUIREMENTS_FILE: a venv at DIR holding exactly the pinned requirements;
# rebuilt only when the requirements file changes.
clients_ensure_venv() {
  local dir=$1 reqs=$2 want
  want=$(sha256sum <"$reqs")
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.platform-stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  clients_create_venv "$dir"
  "$dir/bin/python" -m pip install -q --require-virtualenv -r "$reqs"
  echo "$want" >"$dir/.platform-stamp"
}
