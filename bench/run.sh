#!/usr/bin/env bash
# Load benchmark of the ticket list, search and ticket page on demo data.
#
#   bench/run.sh                 # SQLite in /tmp/tcrm-bench, 1.6 M customers, 1 M tickets
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/tcrm_bench bench/run.sh
#   CUSTOMERS=100000 TICKETS=100000 bench/run.sh   # a quicker run
#   TCRM_BIN=/path/to/tcrm bench/run.sh            # an already built binary
#
# Needs wrk (apt-get install -y wrk). Builds the release binary, loads the data once
# (skipped when the database already holds tickets), then runs wrk with 32
# connections against each page and prints the latency distribution (p50…p99).
set -euo pipefail
cd "$(dirname "$0")/.."

CUSTOMERS="${CUSTOMERS:-1600000}"
TICKETS="${TICKETS:-1000000}"
DURATION="${DURATION:-20s}"
export TCRM_DATA_DIR="${TCRM_DATA_DIR:-/tmp/tcrm-bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
BIN="${TCRM_BIN:-$CARGO_TARGET_DIR/release/tcrm}"
PORT="${PORT:-3901}"
PASSWORD="bench-password-$(date +%s)"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
[[ -n "${TCRM_BIN:-}" ]] || cargo build --release --bin tcrm
mkdir -p "$TCRM_DATA_DIR"
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  psql "$DATABASE_URL" -c 'SELECT 1' >/dev/null 2>&1 || createdb "$(basename "$DATABASE_URL")" -h 127.0.0.1 -U postgres
fi
"$BIN" migrate
if [[ ! -f "$TCRM_DATA_DIR/.bench-loaded-$CUSTOMERS-$TICKETS" ]]; then
  /usr/bin/time -v "$BIN" demo-data --customers "$CUSTOMERS" --tickets "$TICKETS" 2>&1 | grep -E "loaded|Elapsed|Maximum resident"
  touch "$TCRM_DATA_DIR/.bench-loaded-$CUSTOMERS-$TICKETS"
fi
echo "$PASSWORD" | "$BIN" user create --username "bench$(date +%s)" --role hq_staff >/tmp/tcrm-bench-user.txt
USERNAME=$(awk '{print $3}' /tmp/tcrm-bench-user.txt)

TCRM_ADDR="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" serve &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

COOKIES=$(mktemp)
curl -s -c "$COOKIES" -o /dev/null -H 'Accept: text/html' -H "Referer: http://127.0.0.1:$PORT/login" \
  --data-urlencode "username=$USERNAME" --data-urlencode "password=$PASSWORD" --data-urlencode "next=/" \
  "http://127.0.0.1:$PORT/api/session/sign-in"
SESSION=$(awk '$6 == "tcrm_session" {print $7}' "$COOKIES")
TICKET=$(curl -s -b "tcrm_session=$SESSION" "http://127.0.0.1:$PORT/tickets?status=3" | grep -o 'href="/tickets/[0-9]*"' | head -1 | grep -o '[0-9]*')

run() {
  echo
  echo "== $1: $2"
  wrk -t2 -c32 -d"$DURATION" --latency -H "Cookie: tcrm_session=$SESSION" "http://127.0.0.1:$PORT$2" \
    | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
}
run "list, filtered (status + branch)" "/tickets?status=3&branch=GD"
run "list, deep page" "/tickets?status=5&after=$((TICKETS / 2))"
run "search, accent-free words" "/tickets?q=nguyen+van+hung"
run "search, phone" "/tickets?q=0901234567"
run "ticket page" "/tickets/$TICKET"
echo
echo "server RSS after the runs: $(grep VmRSS /proc/$SERVER/status)"
