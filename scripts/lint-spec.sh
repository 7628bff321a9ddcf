#!/usr/bin/env bash
# Lints the OpenAPI spec with the two linters API teams use, at the versions pinned in openapi/lint/:
# Redocly CLI (`recommended`, openapi/lint/redocly.yaml) and Spectral (`spectral:oas`,
# openapi/lint/.spectral.yaml). Fails on any error or warning from either (and on any Redocly problem
# hidden by an ignore file); rules are turned off only in those two configs, each with its reason.
#
#   bash scripts/lint-spec.sh [SPEC]     # SPEC defaults to openapi/platform.json
#
# The linters are installed with `npm ci` into openapi/lint/node_modules (git-ignored), only when it
# does not already hold exactly what openapi/lint/package-lock.json pins. Needs Node.js 20.19+ / npm.
set -euo pipefail

source "$(dirname "$0")/clients-lib.sh"
LINT_DIR=$CLIENTS_ROOT/openapi/lint
SPEC=${1:-$CLIENTS_ROOT/openapi/platform.json}
[ -f "$SPEC" ] || clients_die "no spec at $SPEC"

# Redocly CLI 2.x and Spectral start without phoning home or printing update notices.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1

# `npm ci` in openapi/lint unless node_modules already holds exactly what the lockfile pins
# (the same stamp as clients_ensure_node_modules uses for the TypeScript client).
lint_ensure_node_modules() {
  local want
  want=$(cat "$LINT_DIR/package.json" "$LINT_DIR/package-lock.json" | sha256sum)
  [ "$(cat "$LINT_DIR/node_modules/.platform-stamp" 2>/dev/null)" = "$want" ] && return 0
  (cd "$LINT_DIR" && npm ci --loglevel=error)
  echo "$want" >"$LINT_DIR/node_modules/.platform-stamp"
}

clients_ensure_node
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  clients_die "Node.js $(node -v) is too old: Redocly CLI needs 20.19 or newer"
lint_ensure_node_modules

BIN=$LINT_DIR/node_modules/.bin
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
failed=0

# --- Redocly: exits non-zero on errors only, so warnings (and ignored problems) are counted from its
# JSON report. --lint-config error makes a broken redocly.yaml an error instead of a warning;
# --max-problems lifts the default cap of 100 problems in the report.
set +e
"$BIN/redocly" lint --config "$LINT_DIR/redocly.yaml" --lint-config error --max-problems 100000 \
  --format json "$SPEC" >"$OUT/redocly.json" 2>"$OUT/redocly.err"
rc=$?
set -e
if ! node - "$OUT/redocly.json" "$rc" "$("$BIN/redocly" --version 2>/dev/null)" <<'JS'; then
const [file, rc, version] = process.argv.slice(2);
let report;
try { report = JSON.parse(require("fs").readFileSync(file, "utf8")); } catch { process.exit(2); }
const t = report.totals;
for (const p of report.problems) {
  const loc = p.location?.[0] ?? {};
  const line = loc.start ? `:${loc.start.line}` : "";
  console.log(`  ${p.severity.padEnd(5)} ${p.ruleId}  ${loc.pointer ?? ""}${line}  ${p.message}`);
}
const bad = t.errors + t.warnings + t.ignored > 0 || rc !== "0";
console.log(`redocly ${version} (recommended): ${t.errors} errors, ${t.warnings} warnings, ` +
  `${t.ignored} ignored: ${bad ? "FAIL" : "ok"}`);
process.exit(bad ? 1 : 0);
JS
  failed=1
  # No report (a broken config, an unreadable spec): show what Redocly said, minus the Node.js 20
  # end-of-life banner it prints on every run.
  if ! node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$OUT/redocly.json" 2>/dev/null; then
    grep -v -e '^ *[║╔╚]' -e '^$' "$OUT/redocly.err" >&2 || true
    echo "redocly: no report (exit $rc): FAIL"
  fi
fi

# --- Spectral: --fail-severity warn makes it exit 1 on any warning or error; 2 means it did not run.
set +e
"$BIN/spectral" lint --ruleset "$LINT_DIR/.spectral.yaml" --fail-severity warn --quiet \
  --format json --output "$OUT/spectral.json" "$SPEC" 2>"$OUT/spectral.err"
rc=$?
set -e
if ! node - "$OUT/spectral.json" "$rc" "$("$BIN/spectral" --version 2>/dev/null)" <<'JS'; then
const [file, rc, version] = process.argv.slice(2);
let results;
try { results = JSON.parse(require("fs").readFileSync(file, "utf8")); } catch { process.exit(2); }
const names = ["error", "warn", "info", "hint"];
const counts = [0, 0, 0, 0];
for (const r of results) {
  counts[r.severity] += 1;
  const at = r.path.map((s) => String(s).replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
  console.log(`  ${names[r.severity].padEnd(5)} ${r.code}  #/${at}:${r.range.start.line + 1}  ${r.message}`);
}
const bad = counts[0] + counts[1] > 0 || rc !== "0";
console.log(`spectral ${version} (spectral:oas): ${counts[0]} errors, ${counts[1]} warnings, ` +
  `${counts[2]} infos, ${counts[3]} hints: ${bad ? "FAIL" : "ok"}`);
process.exit(bad ? 1 : 0);
JS
  failed=1
  if ! node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$OUT/spectral.json" 2>/dev/null ||
    [ "$rc" -gt 1 ]; then
    cat "$OUT/spectral.err" >&2
    echo "spectral: did not run (exit $rc): FAIL"
  fi
fi

[ "$failed" -eq 0 ] || clients_die "the spec $SPEC does not pass the linters (problems listed above)"
