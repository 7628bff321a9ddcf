#!/usr/bin/env bash
# Regenerates the TypeScript and Python clients from the committed spec (openapi/platform.json),
# with exactly pinned generators, so anyone gets byte-identical output:
#   openapi/clients/typescript/src/schema.ts   openapi-typescript (package-lock.json, `npm ci`)
#   openapi/clients/python/platform-client/    openapi-python-client (python/requirements-gen.txt,
#                                              in a venv under target/clients)
# Cookie parameters are left out of the spec the generators see, as the Rust client's build.rs
# does: these clients send the refresh token in the body (cookie mode is for browsers).
#
#   scripts/gen-clients.sh          rewrite the committed output
#   scripts/gen-clients.sh --check  regenerate into a temp dir and fail (exit 1), naming the stale
#                                   files, when the committed output is not what the spec gives
set -euo pipefail
# shellcheck source=scripts/clients-lib.sh
source "$(dirname "$0")/clients-lib.sh"
cd "$CLIENTS_ROOT"

check=false
case "${1:-}" in
  "") ;;
  --check) check=true ;;
  -h | --help)
    sed -n '2,12p' "$0"
    exit 0
    ;;
  *)
    echo "usage: scripts/gen-clients.sh [--check]" >&2
    exit 2
    ;;
esac

SPEC=openapi/platform.json
TS_OUT=openapi/clients/typescript/src/schema.ts
PY_OUT=openapi/clients/python/platform-client

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The spec without cookie parameters (the generators' only input).
"$PYTHON" - "$SPEC" "$work/spec.json" <<'PY'
import json, sys

with open(sys.argv[1], encoding="utf-8") as f:
    doc = json.load(f)
for item in doc.get("paths", {}).values():
    for op in item.values():
        if isinstance(op, dict) and isinstance(op.get("parameters"), list):
            op["parameters"] = [p for p in op["parameters"] if p.get("in") != "cookie"]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
PY

echo "== TypeScript: openapi-typescript"
clients_ensure_node_modules
"$TS_DIR/node_modules/.bin/openapi-typescript" "$work/spec.json" --output "$work/schema.ts"

echo "== Python: openapi-python-client"
clients_ensure_venv "$CLIENTS_CACHE/gen-venv" "$PY_DIR/requirements-gen.txt"
# The generator runs ruff (pinned alongside it) over its output; keep ruff's cache out of it.
(cd "$work" && PATH="$CLIENTS_CACHE/gen-venv/bin:$PATH" RUFF_NO_CACHE=true \
  openapi-python-client generate --path spec.json --config "$PY_DIR/gen-config.yml" \
  --meta pdm --output-path platform-client --fail-on-warning)
rm -rf "$work/platform-client/.ruff_cache"

# Files of a tree, relative to it, without caches a local run may leave behind. In a git work
# tree, git decides: tracked and untracked files count, ignored build artifacts do not.
tree_files() {
  [ -d "$1" ] || return 0
  if git -C "$1" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$1" && git ls-files --cached --others --exclude-standard --full-name . |
      sed "s|^$(git rev-parse --show-prefix)||")
  else
    (cd "$1" && find . -type f -not -path '*/__pycache__/*' -not -path '*/.ruff_cache/*' | sed 's|^\./||')
  fi
}

if $check; then
  stale=()
  cmp -s "$work/schema.ts" "$TS_OUT" || stale+=("$TS_OUT")
  while IFS= read -r f; do
    cmp -s "$work/platform-client/$f" "$PY_OUT/$f" || stale+=("$PY_OUT/$f")
  done < <({ tree_files "$work/platform-client"; tree_files "$PY_OUT"; } | LC_ALL=C sort -u)
  if [ ${#stale[@]} -gt 0 ]; then
    {
      echo "error: the generated clients are stale: these files are not what $SPEC generates:"
      printf '  %s\n' "${stale[@]}"
      echo "run scripts/gen-clients.sh and commit the result"
      echo "--- first lines of the difference (committed → generated):"
      diff -ru "$TS_OUT" "$work/schema.ts" 2>&1 | head -20 || true
      diff -ru -x __pycache__ -x .ruff_cache "$PY_OUT" "$work/platform-client" 2>&1 | head -20 || true
    } >&2
    exit 1
  fi
  echo "generated clients are up to date with $SPEC"
else
  cp "$work/schema.ts" "$TS_OUT"
  rm -rf "$PY_OUT"
  cp -R "$work/platform-client" "$PY_OUT"
  echo "wrote $TS_OUT and $PY_OUT/ from $SPEC"
fi
