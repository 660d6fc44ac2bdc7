#!/usr/bin/env bash
# Usage: BENCH_DATA=DIR bench/intake-ab.sh BINARY...
#
# The durable intake alone, binaries alternated on the same data folder (already filled
# by `minyi --data DIR synth` and once by bench/run.sh, which saved the demo's API key
# there): for each binary in turn, start `BINARY serve` on 127.0.0.1, post new cases with
# wrk (CONNECTIONS, default 64, for DURATION seconds, default 10) to POST /api/v1/cases,
# stop it. Pass a binary twice (A B A B) to see how much runs differ on their own.
# REP_IDS_FROM names a file of representatives' ids to post to (else bench/rep_ids.py
# samples them once for the run).
# Prints one line per run. Every run adds its cases to the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18095}
DATA=${BENCH_DATA:?set BENCH_DATA to a data folder filled by minyi synth and bench/run.sh}
KEY=$(cat "$DATA/bench-api-key")
WORK=$(mktemp -d /tmp/minyi-intake-ab.XXXXXX)
SERVER=
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
BASE=http://127.0.0.1:$PORT

for BIN in "$@"; do
  "$BIN" --data "$DATA" serve --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
  SERVER=$!
  wait_for_server "$BASE" "$WORK/serve.log"
  if [ -n "${REP_IDS_FROM:-}" ]; then
    cp "$REP_IDS_FROM" "$WORK/rep-ids"
  elif [ ! -s "$WORK/rep-ids" ]; then
    ADMIN=$(sign_in "$BASE")
    bench/rep_ids.py "$BASE" "$ADMIN" >"$WORK/rep-ids"
  fi
  export REP_IDS=$WORK/rep-ids  # read by bench/post.lua
  # Past the server's start-up work (the planner's statistics, the first sweep of deadlines)
  # and the writer's first batch, which a run beginning at once would measure too.
  curl -s -o /dev/null -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"channel":"deputy_code","representative_id":"'"$(head -n1 "$REP_IDS")"'","category":"transport","body":"压测：预热","mobile":"13900000000"}' \
    "$BASE/api/v1/cases"
  sleep "${WARMUP:-3}"
  written_before=$(awk '/^write_bytes/ {print $2}' "/proc/$SERVER/io")
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency -s bench/post.lua \
    -H "Authorization: Bearer $KEY" "$BASE/api/v1/cases" 2>&1)
  written=$(( $(awk '/^write_bytes/ {print $2}' "/proc/$SERVER/io") - written_before ))
  rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
  requests=$(printf '%s\n' "$out" | awk '/requests in/ {print $1}')
  p50=$(printf '%s\n' "$out" | awk '$1=="50%" {print $2}')
  p99=$(printf '%s\n' "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(printf '%s\n' "$out" | awk '/Non-2xx/ {print $5}')
  # Where the writer's time went: cases a batch and milliseconds a batch in each phase.
  phases=$(curl -s "$BASE/metrics" | awk '
    /^minyi_intake_batch_cases_sum / {cases=$2} /^minyi_intake_batch_cases_count / {batches=$2}
    /^minyi_intake_phase_seconds_sum/ {split($1, a, "\""); ms[a[2]]=$2*1000}
    /^minyi_intake_phase_seconds_count/ {split($1, a, "\""); n[a[2]]=$2}
    /^minyi_cockpit_fold_seconds_sum / {fold_s=$2} /^minyi_cockpit_fold_seconds_count / {folds=$2}
    /^minyi_cockpit_fold_seconds\{quantile="1"\}/ {fold_max=$2}
    END {if (batches > 0) printf "batches=%d cases_per_batch=%.1f ms_per_batch: begin=%.2f check=%.2f write=%.2f carry=%.2f commit=%.2f",
      batches, cases/batches, ms["begin"]/n["begin"], ms["check"]/n["check"], ms["write"]/n["write"],
      ms["carry"]/n["carry"], ms["commit"]/n["commit"];
      if (folds > 0) printf " folds=%d fold_ms_mean=%.1f fold_ms_max=%.1f fold_s_total=%.1f", folds, fold_s*1000/folds, fold_max*1000, fold_s}')
  # What the server wrote to the disk a case (its log and, through checkpoints, its database).
  # On PostgreSQL its own server writes, not minyi's: nothing to say.
  kb_per_case=$(awk -v w="$written" -v n="$requests" 'BEGIN {if (n > 0) printf " kb_written_per_case=%.1f", w / n / 1024}')
  [ -n "${DATABASE_URL:-}" ] && kb_per_case=
  echo "intake_post bin=$BIN rps=$rps p50=$p50 p99=$p99 non2xx=${non2xx:-0}$kb_per_case $phases"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
done
