#!/usr/bin/env bash
# Usage: BENCH_DATA=DIR bench/intake-profile.sh [OUT]
#
# Where the durable intake's time goes: starts `minyi serve` (BIN, default the release
# build) on the data folder DIR (filled by `minyi synth` and once by bench/run.sh, which
# saved the demo's API key there) on 127.0.0.1, posts new cases with wrk and bench/post.lua
# (CONNECTIONS, default 64, for DURATION seconds, default 20) to representatives all over
# the province, and meanwhile records the whole machine with `perf record -a -g` for 8 s
# (from the 6th second; Debian package linux-perf), `vmstat` every 2 s and the server's
# threads with `top`. Leaves in OUT (default a new folder under /tmp): perf.data, vmstat.txt,
# top.txt, wrk.txt and metrics.txt (the server's /metrics at the end: the intake's phases,
# the folds). Read the profile with `perf report -i OUT/perf.data --no-children --sort
# comm,dso`. Every run adds its cases to the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

DATA=${BENCH_DATA:?set BENCH_DATA to a data folder filled by minyi synth and bench/run.sh}
BIN=${BIN:-target/release/minyi}
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18097}
OUT=${1:-$(mktemp -d /tmp/minyi-intake-profile.XXXXXX)}
mkdir -p "$OUT"
KEY=$(cat "$DATA/bench-api-key")
BASE=http://127.0.0.1:$PORT
command -v wrk >/dev/null || { echo "intake-profile: install wrk" >&2; exit 1; }
command -v perf >/dev/null || { echo "intake-profile: install linux-perf" >&2; exit 1; }

"$BIN" --data "$DATA" serve --listen "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
wait_for_server "$BASE" "$OUT/serve.log"
COOKIE=$(sign_in "$BASE")
bench/rep_ids.py "$BASE" "$COOKIE" >"$OUT/rep-ids"
export REP_IDS=$OUT/rep-ids  # read by bench/post.lua

vmstat 2 $(( DURATION / 2 + 1 )) >"$OUT/vmstat.txt" &
VMSTAT=$!
(sleep 4; top -b -H -n 3 -d 3 -p "$SERVER") >"$OUT/top.txt" &
TOP=$!
(sleep 6; perf record -a -g -o "$OUT/perf.data" -- sleep 8) >/dev/null 2>&1 &
PERF=$!
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency -s bench/post.lua \
  -H "Authorization: Bearer $KEY" "$BASE/api/v1/cases" >"$OUT/wrk.txt"
wait "$VMSTAT" "$TOP" "$PERF" || true
curl -s -H "Cookie: $COOKIE" "$BASE/metrics" >"$OUT/metrics.txt"
rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk.txt")
p50=$(awk '$1=="50%" {print $2}' "$OUT/wrk.txt")
p99=$(awk '$1=="99%" {print $2}' "$OUT/wrk.txt")
echo "intake_profile rps=$rps p50=$p50 p99=$p99 out=$OUT"
