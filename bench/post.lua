-- wrk script of the intake benchmarks (run.sh, intake-ab.sh): each request posts a new
-- case, numbered so no two match, to a representative drawn at random from the file
-- REP_IDS (an environment variable naming a file of ids, one a line: bench/rep_ids.py
-- writes it), so that the cases of a batch reach many towns, stations and deputies.
-- With PAUSE_MS set, each connection waits that long before each request, so that
-- CONNECTIONS connections offer at most CONNECTIONS * 1000 / PAUSE_MS cases a second: the
-- latency of a load below the server's ceiling rather than at it.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local reps = {}
for line in io.lines(os.getenv("REP_IDS")) do
  if #line > 0 then reps[#reps + 1] = line end
end
assert(#reps > 0, "post.lua: REP_IDS names no representative")
local categories = {"construction", "transport", "environment", "education", "health", "social_security",
  "market", "public_safety", "other"}
counter = 0
local pause = tonumber(os.getenv("PAUSE_MS") or "0")
if pause > 0 then
  function delay()
    return pause
  end
end
function init(args)
  -- Each thread draws its own sequence.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end
request = function()
  counter = counter + 1
  local rep_id = reps[math.random(#reps)]
  local category = categories[math.random(#categories)]
  local body = '{"channel":"deputy_code","representative_id":"' .. rep_id .. '","category":"' .. category .. '",' ..
    '"body":"压测：村口路灯坏了，第' .. counter .. '件","mobile":"13900000000"}'
  return wrk.format(nil, nil, nil, body)
end
