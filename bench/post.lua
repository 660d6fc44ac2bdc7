-- wrk script of the intake benchmarks (run.sh, intake-ab.sh): each request posts a new
-- case to the representative REP_ID (an environment variable), numbered so no two match.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local rep_id = os.getenv("REP_ID")
counter = 0
request = function()
  counter = counter + 1
  local body = '{"channel":"deputy_code","representative_id":"' .. rep_id .. '","category":"transport",' ..
    '"body":"压测：村口路灯坏了，第' .. counter .. '件","mobile":"13900000000"}'
  return wrk.format(nil, nil, nil, body)
end
