#!/usr/bin/env bash
# The webhook under load: wrk posts pre-signed recording-status callbacks,
# each for its own recording (so each is a durable insert), for 10 s with 16
# and then 64 connections, against `callscribe serve` on a fresh SQLite file
# with the worker paused (only the webhook path is timed). Prints requests/s,
# latency p50/p99, errors, and checks that every 2xx answer left a job.
# Usage: bench/bench_webhook.sh [SECONDS (10)]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
command -v wrk >/dev/null || { echo "bench_webhook: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
cmake --build build --target callscribe callscribe_webhook_requests >/dev/null

dir=$(mktemp -d /tmp/callscribe-bench-webhook.XXXXXX)
server=
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

account=AC0123456789abcdef0123456789abcdef token=bench-auth-token port=18181
public=http://127.0.0.1:$port
build/callscribe_webhook_requests "$dir/requests.lua" 150000 "$public" "$token" "$account" +16175550100

printf '| connections | requests/s | p50 | p99 | non-2xx or errors | jobs stored |\n|---:|---:|---:|---:|---:|---:|\n'
for connections in 16 64; do
  rm -rf "$dir/db"
  TWILIO_ACCOUNT_SID=$account TWILIO_AUTH_TOKEN=$token CALLSCRIBE_HTTP_PORT=$port CALLSCRIBE_HTTP_PUBLIC_URL=$public \
    CALLSCRIBE_TWILIO_API_BASE=http://127.0.0.1:9 CALLSCRIBE_DB_URL=sqlite:$dir/db/callscribe.db \
    CALLSCRIBE_WORKER_ENABLED=false CALLSCRIBE_TWILIO_RECONCILE_MINUTES=0 \
    build/callscribe serve >"$dir/server.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do
    curl -sf "$public/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$dir/requests.lua" "$public" -- 2 >"$dir/wrk.txt"
  kill "$server" && wait "$server" || true
  server=
  rps=$(awk '/Requests\/sec/ {print $2}' "$dir/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$dir/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$dir/wrk.txt")
  bad=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$dir/wrk.txt")
  total=$(awk '/requests in/ {print $1}' "$dir/wrk.txt")
  jobs=$(sqlite3 "$dir/db/callscribe.db" "SELECT COUNT(*) FROM recording_jobs")
  printf '| %d | %.0f | %s | %s | %s of %s | %s |\n' "$connections" "$rps" "$p50" "$p99" "$bad" "$total" "$jobs"
done
