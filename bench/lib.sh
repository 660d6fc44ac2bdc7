# Shared by the bench scripts (sourced, not run): waiting for a server and signing in.

# wait_for_server BASE [LOG]: waits until BASE/healthz answers, up to five minutes (a big
# folder can take a minute to open after a run, its statistics refreshed); otherwise says
# so, prints LOG (the server's output) if given, and fails.
wait_for_server() {
  local base=$1 log=${2:-}
  for _ in $(seq 1 1500); do curl -sf "$base/healthz" >/dev/null && return 0; sleep 0.2; done
  echo "bench: the server at $base did not start${log:+ (log: $log)}" >&2
  [ -z "$log" ] || cat "$log" >&2
  return 1
}

# sign_in BASE: prints the session cookie (minyi_session=…) of the demo's administrator,
# or fails.
sign_in() {
  local cookie
  cookie=$(curl -s -i -H 'Content-Type: application/json' -d '{"username":"admin","password":"minyi-demo-2026"}' \
    "$1/api/v1/session" | sed -n 's/^[Ss]et-[Cc]ookie: \(minyi_session=[^;]*\).*/\1/p' | head -n1)
  [ -n "$cookie" ] || { echo "bench: cannot sign in at $1" >&2; return 1; }
  printf '%s' "$cookie"
}
