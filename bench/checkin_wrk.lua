-- wrk script for bench_checkin_throughput.py. Each thread posts bodies from BODIES_FILE
-- (url-encoded identity fields, one a line) with a client UUID unique per run, thread and
-- request. Non-2xx/3xx answers are counted by wrk itself.
local counter = 0
tid = tid or 0
local bodies = {}
local prefix = os.getenv("BENCH_RUN") or "0"
local path = os.getenv("BENCH_PATH")
local cookie = os.getenv("BENCH_COOKIE") or ""
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local file = os.getenv("BODIES_FILE")
  if file then
    for line in io.lines(file) do table.insert(bodies, line) end
  end
  if #bodies == 0 then table.insert(bodies, "") end
end

function request()
  counter = counter + 1
  local key = string.format("%08x-%04x-4000-8000-%012x", tonumber(prefix), tid, counter)
  local body = bodies[(counter % #bodies) + 1] .. "&client_uuid=" .. key
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end
