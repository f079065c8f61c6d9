#!/usr/bin/env bash
# Ticket creation through the partner API, against its ceiling: a bare axum route
# doing one INSERT on the same database, measured in the same run.
#
#   bench/api.sh                                   # SQLite in /tmp/tcrm-api-bench
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/tcrm_api_bench bench/api.sh
#
# Needs wrk (apt-get install -y wrk). Builds the release binary, creates an API
# account through the CLI, signs in once, then runs wrk with 64 connections:
# first POST /bench/ceiling, then POST /apiv2/v3/feedback/create (an incident of
# the seed's shape, each request with its own id_feedback). Prints throughput and
# latency percentiles of both, and the API's share of the ceiling.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-64}"
export TCRM_DATA_DIR="${TCRM_DATA_DIR:-/tmp/tcrm-api-bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
BIN="${TCRM_BIN:-$CARGO_TARGET_DIR/release/tcrm}"
PORT="${PORT:-3902}"
PASSWORD="bench-api-$(date +%s%N)"
ACCOUNT="bench_api_$(date +%s)"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
[[ -n "${TCRM_BIN:-}" ]] || cargo build --release --bin tcrm
mkdir -p "$TCRM_DATA_DIR"
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  psql "$DATABASE_URL" -c 'SELECT 1' >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres "$(basename "$DATABASE_URL")"
fi
"$BIN" migrate >/dev/null
echo "$PASSWORD" | "$BIN" api-account create --username "$ACCOUNT" --kind hq >/dev/null

TCRM_ADDR="127.0.0.1:$PORT" TCRM_BENCH_CEILING=1 RUST_LOG=warn "$BIN" serve &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
TOKEN=$(curl -sf -u "$ACCOUNT:$PASSWORD" "http://127.0.0.1:$PORT/apiv1/auth" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')

export BENCH_TOKEN="$TOKEN" BENCH_RUN="$(date +%s)"
run() {
  echo "== $1"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/create.lua "http://127.0.0.1:$PORT$2" \
    | grep -E "Requests/sec|Latency|50%|75%|90%|99%|Non-2xx|Socket errors" | tee "/tmp/tcrm-bench-$1.txt"
}
run ceiling /bench/ceiling
run api-create /apiv2/v3/feedback/create
CEILING=$(awk '/Requests\/sec/ {print $2}' /tmp/tcrm-bench-ceiling.txt)
API=$(awk '/Requests\/sec/ {print $2}' /tmp/tcrm-bench-api-create.txt)
awk -v a="$API" -v c="$CEILING" 'BEGIN { printf "API create reaches %.0f %% of the ceiling (%.0f vs %.0f requests/s)\n", 100 * a / c, a, c }'
