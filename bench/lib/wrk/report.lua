-- wrk script shared by every benchmark. Prints one line "WRK_JSON {...}" when the run is done: requests, duration,
-- requests/s, latency percentiles (microseconds), socket errors and, when asked, the count of each status code.
--
-- Environment (all optional):
--   BENCH_TARGETS       file of "host path" lines: each request picks one at random (Host header and path).
--                       Without it wrk sends its static request (URL path, -H headers): the cheapest path for wrk.
--   BENCH_COUNT_STATUS  "1": count responses by status code (defines response(), which costs wrk some CPU).
--   BENCH_DELAY_MS      pause each connection this long before each request: a moderate, bounded load.

local targets_file = os.getenv("BENCH_TARGETS")
local count_status = os.getenv("BENCH_COUNT_STATUS") == "1"
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "")

local threads = {}
local thread_index = 0

function setup(thread)
  thread_index = thread_index + 1
  thread:set("id", thread_index)
  table.insert(threads, thread)
end

if targets_file then
  local requests = {}

  function init(args)
    math.randomseed(os.time() * 1000 + (id or 0))
    for line in io.lines(targets_file) do
      local host, path = line:match("^(%S+)%s+(%S+)$")
      if host then
        requests[#requests + 1] = wrk.format("GET", path, { Host = host })
      end
    end
    if #requests == 0 then
      error("no targets in " .. targets_file)
    end
  end

  function request()
    return requests[math.random(#requests)]
  end
end

if delay_ms then
  function delay()
    return delay_ms
  end
end

if count_status then
  statuses = {}

  function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    if s then
      for code, n in pairs(s) do
        counts[code] = (counts[code] or 0) + n
      end
    end
  end
  local parts = {}
  for code, n in pairs(counts) do
    parts[#parts + 1] = string.format('"%d":%d', code, n)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"requests_per_s":%.1f,' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"min":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"status_counts":{%s}}\n',
    summary.requests, summary.duration, summary.bytes, summary.requests / (summary.duration / 1e6),
    latency.mean, latency.stdev, latency.min, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ",")))
end
