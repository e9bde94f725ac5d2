-- wrk.lua - cycle through a file of request paths, no credentials (a gate's scan is public).
-- usage: wrk ... -s wrk.lua URL -- PATHS_FILE
-- Each wrk thread starts at a different place in the file and walks it in order.
-- done() prints one machine-readable line:
--   WRKRESULT p50_us p99_us requests duration_us non2xx socket_errors
local threads = {}
local nthreads = 0

function setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
  table.insert(threads, thread)
end

local paths = {}
local idx = 0

function init(args)
  local file = args[1]
  for line in io.lines(file) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  if #paths == 0 then error("no paths in " .. tostring(file)) end
  idx = ((tid or 0) * 7919) % #paths
end

function request()
  idx = idx % #paths + 1
  return wrk.format("GET", paths[idx])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKRESULT %d %d %d %d %d %d\n",
    latency:percentile(50), latency:percentile(99), summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout))
end
