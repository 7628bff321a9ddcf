#!/usr/bin/env bash
# Benchmark (not a test): password-login throughput against the argon2 ceiling, and GET /me
# against GET /health/live, measured in one run on a release build over the embedded SQLite.
# Needs wrk (Debian: apt-get install wrk). Usage: scripts/bench-auth.sh [seconds per phase]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p platform --example argon2_bench
bin=target/release/platform
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PLATFORM_DATA_DIR="$dir/data" PLATFORM_LISTEN="127.0.0.1:$port" RUST_LOG=warn
"$bin" tenant create bench >/dev/null
"$bin" serve >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
base="http://127.0.0.1:$port/v1/tenants/bench"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && break; sleep 0.1; done
curl -sf -XPOST "$base/auth/register" -H 'content-type: application/json' \
  -d '{"email":"bench@bench.test","password":"Correct-Horse-Battery-9"}' >/dev/null
for _ in $(seq 50); do code=$(grep -rhoE '(^|[^0-9])[0-9]{6}([^0-9]|$)' "$dir/data/mail" 2>/dev/null | grep -oE '[0-9]{6}' | head -1 || true); [ -n "$code" ] && break; sleep 0.1; done
token=$(curl -sf -XPOST "$base/auth/email/verify" -H 'content-type: application/json' \
  -d "{\"email\":\"bench@bench.test\",\"code\":\"$code\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
cat >"$dir/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@bench.test","password":"Correct-Horse-Battery-9"}'
LUA
rps() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '/ 99%/ {print $2}'; }
echo "== argon2"; target/release/examples/argon2_bench | tee "$dir/argon2.txt"
ceiling=$(sed -nE 's/.*= ([0-9]+) logins.*/\1/p' "$dir/argon2.txt")
measured=$(sed -nE 's/.* at ([0-9]+)\/s .*/\1/p' "$dir/argon2.txt")
echo "== /health/live"; live=$(wrk -t1 -c16 -d"${secs}s" --latency "http://127.0.0.1:$port/health/live" | tee "$dir/live.txt" | rps)
echo "== /me"; me=$(wrk -t1 -c16 -d"${secs}s" --latency -H "Authorization: Bearer $token" "$base/me" | tee "$dir/me.txt" | rps)
echo "== login"; login=$(wrk -t1 -c8 -d"${secs}s" --latency -s "$dir/login.lua" "$base/auth/login" | tee "$dir/login.txt" | rps)
non2xx=$(grep -h "Non-2xx" "$dir"/*.txt || true)
python3 - "$live" "$me" "$login" "$ceiling" "$(p99 <"$dir/me.txt")" "$measured" <<'PY'
import sys
live, me, login, ceiling, me_p99, measured = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], float(sys.argv[6])
print(f"/health/live {live:.0f} req/s; GET /me {me:.0f} req/s (p99 {me_p99}) = {me/live:.2f} x live (goal >= 0.5)")
print(f"password logins {login:.1f}/s = {login/ceiling:.2f} x the argon2 ceiling of {ceiling:.0f}/s (goal >= 0.9); "
      f"{login/measured:.2f} x the measured parallel hashing rate of {measured:.0f}/s")
PY
[ -z "$non2xx" ] || echo "non-2xx responses: $non2xx"
