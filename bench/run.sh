#!/usr/bin/env bash
# Usage: bench/run.sh [CASES]            (SQLite; default 100000 cases)
#        scripts/with-postgres bench/run.sh [CASES]   (PostgreSQL, from TEST_DATABASE_URL)
#
# Builds the release binary, fills a fresh database with `minyi synth`, loads the demo
# county on top (for its sign-ins), starts `minyi serve` on 127.0.0.1, and measures with
# wrk (Debian package `wrk`), each run bounded in time (DURATION seconds):
#   ceiling  GET /healthz/live (same server, no database) and the bare commit loop
#            (examples/commit-loop: one-row INSERT + COMMIT, same pragmas);
#   intake   POST /api/v1/cases (durable: answered after its commit);
#   reads    GET /api/v1/cases/{id} and GET /cases/{id} (signed in), GET /track/{code};
#   cockpit  GET /cockpit (province root), the town with the most cases and a town of median size, one request
#            after another (a person at a screen), p50 and p95;
#   memory   the server's peak RSS (VmHWM) during each run, reset between runs.
# Prints one line per measurement; nothing is written outside a temporary folder.
# BENCH_DATA=DIR measures a data folder already filled by `minyi --data DIR synth` (kept).
# BENCH_TOWN / BENCH_MEDIAN_TOWN name the two towns (region ids) instead of finding them: at
# ten million cases each search reads the whole cases table (a minute and more, cold).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

CASES=${1:-100000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18080}
WORK=$(mktemp -d /tmp/minyi-bench.XXXXXX)
BENCH_DATA=${BENCH_DATA:-}
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
SERVER=

command -v wrk >/dev/null || { echo "bench: install wrk (apt-get install -y wrk)" >&2; exit 1; }
# PROFILE=debug measures the dev build instead (only to try the script: figures are not comparable).
PROFILE=${PROFILE:-release}
# NO_BUILD=1 measures the binaries already built.
if [ -n "${NO_BUILD:-}" ]; then
  :
elif [ "$PROFILE" = release ]; then
  cargo build --release --bin minyi --example commit-loop >&2
else
  cargo build --bin minyi --example commit-loop >&2
fi
BIN=target/$PROFILE/minyi

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  ENGINE=postgres
  export DATABASE_URL=$TEST_DATABASE_URL
else
  ENGINE=sqlite
  unset DATABASE_URL || true
fi
export MINYI_DATA=${BENCH_DATA:-$WORK/data}
# On PostgreSQL the folder holds only the saved API key (and the commit loop's files).
mkdir -p "$MINYI_DATA"

echo "profile=$PROFILE engine=$ENGINE cases=$CASES duration=${DURATION}s connections=$CONNECTIONS cpus=$(nproc) data=$MINYI_DATA"
# A data folder (or PostgreSQL database) already filled is measured as it is.
filled() {
  if [ "$ENGINE" = sqlite ]; then
    [ -e "$MINYI_DATA/minyi.db" ]
  else
    [ "$(psql -At "$DATABASE_URL" -c 'SELECT EXISTS (SELECT 1 FROM cases)' 2>/dev/null)" = t ]
  fi
}
if [ -z "$BENCH_DATA" ] || ! filled; then
  $BIN synth --cases "$CASES" | sed 's/^/synth: /'
fi
# PostgreSQL: vacuum and checkpoint what the synth wrote before measuring (as pgbench does),
# so autovacuum and the checkpointer do not run during the measurements.
if [ "$ENGINE" = postgres ]; then
  start=$(date +%s)
  psql -q "$DATABASE_URL" -c 'VACUUM (ANALYZE)' -c 'CHECKPOINT'
  echo "settle: VACUUM (ANALYZE) and CHECKPOINT took $(( $(date +%s) - start )) s"
fi
# The demo county on top, for its sign-ins and its API key (loading it twice is refused: keep the key).
if [ -s "$MINYI_DATA/bench-api-key" ]; then
  KEY=$(cat "$MINYI_DATA/bench-api-key")
else
  KEY=$($BIN demo | awk '/^demo api-key/ {print $3}')
  printf '%s' "$KEY" >"$MINYI_DATA/bench-api-key"
fi
[ -n "$KEY" ] || { echo "bench: the demo printed no API key" >&2; exit 1; }

$BIN serve --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
BASE=http://127.0.0.1:$PORT
wait_for_server "$BASE" "$WORK/serve.log"

# A signed-in administrator (the demo's), for the staff pages.
COOKIE=$(sign_in "$BASE")
# One synthetic case and one synthetic deputy, read through the API.
FIRST=$(curl -s -H "Cookie: $COOKIE" "$BASE/api/v1/cases?status=closed&page=1")
CASE_ID=$(printf '%s' "$FIRST" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
CODE=$(curl -s -H "Cookie: $COOKIE" "$BASE/api/v1/cases/$CASE_ID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tracking_code"])')
# The benchmark's new cases go to representatives all over the province.
bench/rep_ids.py "$BASE" "$COOKIE" >"$WORK/rep-ids"
export REP_IDS=$WORK/rep-ids  # read by bench/post.lua

reset_hwm() { echo 5 > "/proc/$SERVER/clear_refs" 2>/dev/null || true; }
hwm_mb() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$SERVER/status"; }

# run NAME WRK-ARGS... : one bounded wrk run; prints requests/s, p50/p99 (ms), errors, peak RSS.
run() {
  local name=$1; shift
  reset_hwm
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency "$@" 2>&1)
  local rps p50 p99 non2xx
  rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(printf '%s\n' "$out" | awk '$1=="50%" {print $2}')
  p99=$(printf '%s\n' "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(printf '%s\n' "$out" | awk '/Non-2xx/ {print $5}')
  echo "$name rps=$rps p50=$p50 p99=$p99 non2xx=${non2xx:-0} rss_peak_mb=$(hwm_mb)"
  printf '%s\n' "$out" >"$WORK/$name.wrk"
}


# serial NAME URL: one request after another (a person at a screen), at most 40 or
# DURATION*3 seconds; prints p50 and p95 of the whole request, and the peak RSS.
serial() {
  local name=$1 url=$2 times=() end=$(( $(date +%s) + DURATION * 3 ))
  reset_hwm
  for _ in $(seq 1 40); do
    times+=("$(curl -s -o /dev/null -w '%{time_total}' --max-time 120 -H "Cookie: $COOKIE" "$url")")
    [ "$(date +%s)" -ge "$end" ] && break
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v name="$name" -v rss="$(hwm_mb)" '
    { t[NR] = $1 * 1000 }
    END { p50 = t[int((NR + 1) / 2)]; i95 = int(NR * 0.95 + 0.999); if (i95 < 1) i95 = 1;
          printf "%s requests=%d p50=%.1fms p95=%.1fms rss_peak_mb=%s\n", name, NR, p50, t[i95], rss }'
}

run ceiling_live "$BASE/healthz/live"
run intake_post -s bench/post.lua -H "Authorization: Bearer $KEY" "$BASE/api/v1/cases"
run read_api -H "Cookie: $COOKIE" "$BASE/api/v1/cases/$CASE_ID"
run read_page -H "Cookie: $COOKIE" "$BASE/cases/$CASE_ID"
run read_track "$BASE/track/$CODE"
serial cockpit_root "$BASE/cockpit"
# The town with the most cases (SQLite: read with the sqlite3 shell; PostgreSQL: psql).
BUSIEST="SELECT r.id FROM regions r JOIN cases c ON c.region_path = r.path WHERE r.level = 'town'
  GROUP BY r.id ORDER BY COUNT(*) DESC LIMIT 1"
if [ -n "${BENCH_TOWN:-}" ]; then
  TOWN=$BENCH_TOWN
elif [ "$ENGINE" = sqlite ]; then
  TOWN=$(sqlite3 "$MINYI_DATA/minyi.db" "$BUSIEST" 2>/dev/null || true)
else
  TOWN=$(psql -At "$DATABASE_URL" -c "$BUSIEST" 2>/dev/null || true)
fi
if [ -n "$TOWN" ]; then
  serial cockpit_town "$BASE/cockpit?region=$TOWN"
else
  echo "cockpit_town: no town found (install sqlite3 or psql)"
fi
# A town of the middle size (the median of the towns' case counts): the busiest one is
# where the intake above posts (the demo's deputy), so it grows with every run.
MEDIAN="SELECT id FROM (SELECT r.id, COUNT(*) AS n FROM regions r JOIN cases c ON c.region_path = r.path
  WHERE r.level = 'town' GROUP BY r.id) AS towns ORDER BY n, id
  LIMIT 1 OFFSET (SELECT COUNT(DISTINCT c.region_path) FROM cases c JOIN regions r ON r.path = c.region_path
  WHERE r.level = 'town') / 2"
if [ -n "${BENCH_MEDIAN_TOWN:-}" ]; then
  MIDDLE=$BENCH_MEDIAN_TOWN
elif [ "$ENGINE" = sqlite ]; then
  MIDDLE=$(sqlite3 "$MINYI_DATA/minyi.db" "$MEDIAN" 2>/dev/null || true)
else
  MIDDLE=$(psql -At "$DATABASE_URL" -c "$MEDIAN" 2>/dev/null || true)
fi
[ -n "$MIDDLE" ] && serial cockpit_town_median "$BASE/cockpit?region=$MIDDLE"
# This month only: a period of ragged days, no whole month.
serial cockpit_root_month "$BASE/cockpit?from=$(date +%Y-%m-01)"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=

# The bare commit loop, on the same engine (a fresh SQLite folder, or the same server).
target/$PROFILE/examples/commit-loop 3000 "$WORK/commit-loop" | sed 's/^/ceiling_commit_loop /'
