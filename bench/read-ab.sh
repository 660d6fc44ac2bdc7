#!/usr/bin/env bash
# Usage: BENCH_DATA=DIR bench/read-ab.sh BIN_A BIN_B [BIN_A BIN_B ...]
#
# Alternates server binaries on one data folder already filled (`minyi synth` and `minyi
# demo`), because this machine's speed drifts between runs: for each binary in turn it
# starts `serve` on 127.0.0.1, signs in as the demo's administrator and reads one closed
# case (or the case CASE_ID: an open one carries the forward form and its departments)
# through GET /api/v1/cases/{id}, GET /cases/{id} and GET /track/{code} with wrk
# (64 connections, DURATION seconds each, bounded). With `perf` installed it also counts
# the server's context switches and CPU time per request (`perf stat`) over the run.
# Prints one line per binary and path: requests/s, p99, context switches and CPU µs a request.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
DATA=${BENCH_DATA:?set BENCH_DATA to a data folder filled by minyi synth and minyi demo}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18096}
BASE=http://127.0.0.1:$PORT
command -v wrk >/dev/null || { echo "read-ab: install wrk (apt-get install -y wrk)" >&2; exit 1; }
SERVER=
STAT=$(mktemp /tmp/minyi-read-ab.XXXXXX)
trap 'kill "$SERVER" 2>/dev/null || true; rm -f "$STAT"' EXIT
for BIN in "$@"; do
  "$BIN" --data "$DATA" serve --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
  SERVER=$!
  wait_for_server "$BASE"
  COOKIE=$(sign_in "$BASE")
  CASE_ID=${CASE_ID:-$(curl -s -H "Cookie: $COOKIE" "$BASE/api/v1/cases?status=closed&page=1" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')}
  CODE=$(curl -s -H "Cookie: $COOKIE" "$BASE/api/v1/cases/$CASE_ID" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["tracking_code"])')
  for path in "/api/v1/cases/$CASE_ID" "/cases/$CASE_ID" "/track/$CODE"; do
    name=${path%/*}
    PERF=
    if command -v perf >/dev/null; then
      perf stat -e context-switches,task-clock -p "$SERVER" -o "$STAT" -- sleep $((DURATION - 1)) 2>/dev/null &
      PERF=$!
    fi
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: $COOKIE" "$BASE$path")
    [ -z "$PERF" ] || wait "$PERF" 2>/dev/null || true
    rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
    p99=$(printf '%s\n' "$out" | awk '$1=="99%" {print $2}')
    per=""
    if [ -s "$STAT" ]; then
      per=$(awk -v rps="$rps" -v secs=$((DURATION - 1)) '
        /context-switches/ {gsub(",", "", $1); cs = $1}
        /task-clock/ {gsub(",", "", $1); ms = $1}
        END { n = rps * secs; if (n > 0) printf " cs/req=%.1f cpu_us/req=%.0f", cs / n, ms * 1000 / n }' "$STAT")
      : >"$STAT"
    fi
    echo "$BIN $name rps=$rps p99=$p99$per"
  done
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
done
