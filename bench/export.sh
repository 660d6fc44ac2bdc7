#!/usr/bin/env bash
# Usage: bench/export.sh [CASES]        (SQLite; default 200000 cases)
#        BENCH_DATA=DIR bench/export.sh (a data folder already filled by `minyi synth`; kept)
#
# A background export of the whole case list while the server keeps serving: builds the
# release binary, fills a fresh data folder with `minyi synth` (plus the demo county for
# its sign-ins), starts `minyi serve` with parts of PART_ROWS rows (default 100000), then
#   idle      wrk on GET /api/v1/cases/{id} (signed in) for DURATION s, no export running;
#   export    POST /api/v1/exports of every case as FORMAT (default xlsx), and the same wrk
#             run while it goes; then follows GET /api/v1/exports/{id} until done;
# and prints the wrk figures of both runs, the export's rows, parts, seconds and rows/s,
# and the server's peak resident memory (VmHWM) during the export.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

CASES=${1:-200000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
PART_ROWS=${PART_ROWS:-100000}
FORMAT=${FORMAT:-xlsx}
PORT=${PORT:-18081}
WORK=$(mktemp -d /tmp/minyi-export-bench.XXXXXX)
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
SERVER=

command -v wrk >/dev/null || { echo "bench: install wrk (apt-get install -y wrk)" >&2; exit 1; }
cargo build --release --bin minyi >&2
BIN=target/release/minyi
unset DATABASE_URL || true
if [ -n "${BENCH_DATA:-}" ]; then
  export MINYI_DATA=$BENCH_DATA
else
  export MINYI_DATA=$WORK/data
  $BIN synth --cases "$CASES" | sed 's/^/synth: /'
  $BIN demo >/dev/null
fi
echo "engine=sqlite cases=$CASES format=$FORMAT part_rows=$PART_ROWS duration=${DURATION}s connections=$CONNECTIONS cpus=$(nproc)"

$BIN serve --listen "127.0.0.1:$PORT" --export-part-rows "$PART_ROWS" >"$WORK/serve.log" 2>&1 &
SERVER=$!
BASE=http://127.0.0.1:$PORT
wait_for_server "$BASE" "$WORK/serve.log"
COOKIE=$(sign_in "$BASE")
CASE_ID=$(curl -s -H "Cookie: $COOKIE" "$BASE/api/v1/cases?status=closed&page=1" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')

run() {
  local name=$1
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency -H "Cookie: $COOKIE" \
    "$BASE/api/v1/cases/$CASE_ID" 2>&1)
  local rps p50 p99
  rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(printf '%s\n' "$out" | awk '$1=="50%" {print $2}')
  p99=$(printf '%s\n' "$out" | awk '$1=="99%" {print $2}')
  echo "$name read_api rps=$rps p50=$p50 p99=$p99"
}

run idle
echo 5 > "/proc/$SERVER/clear_refs" 2>/dev/null || true
START=$(date +%s.%N)
ID=$(curl -s -H "Cookie: $COOKIE" -H 'Content-Type: application/json' \
  -d "{\"subject\":\"cases\",\"format\":\"$FORMAT\"}" "$BASE/api/v1/exports" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
run during_export
while :; do
  VIEW=$(curl -s -H "Cookie: $COOKIE" "$BASE/api/v1/exports/$ID")
  STATE=$(printf '%s' "$VIEW" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [ "$STATE" = done ] || [ "$STATE" = failed ] && break
  sleep 0.5
done
END=$(date +%s.%N)
printf '%s' "$VIEW" | python3 -c "
import json,sys
v=json.load(sys.stdin); s=$END-$START
print(f\"export state={v['state']} rows={v['rows_done']} of {v['rows_total']} parts={len(v['parts'])} seconds={s:.1f} rows_per_s={v['rows_done']/s:.0f}\")"
echo "export rss_peak_mb=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$SERVER/status") files: $(du -sh "$MINYI_DATA/exports/$ID" | cut -f1)"
