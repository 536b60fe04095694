-- wrk script: POSTs the AdmissionReview mix round-robin over each keep-alive connection.
-- Usage: wrk ... -s mix.lua URL -- MIX_FILE   (MIX_FILE: "PATH BODY_FILE" a line, from generate.py)
-- Prints one line: "rps=... requests=... non2xx=... socket_errors=..." besides wrk's own report.

local requests = {}
local next_index = 1

local function read_file(path)
  local file = assert(io.open(path, "rb"))
  local content = file:read("*a")
  file:close()
  return content
end

function init(args)
  local headers = {["Content-Type"] = "application/json"}
  for line in io.lines(args[1]) do
    local path, body_file = line:match("^(%S+)%s+(%S+)$")
    requests[#requests + 1] = wrk.format("POST", path, headers, read_file(body_file))
  end
  next_index = math.random(#requests)
end

function request()
  local prepared = requests[next_index]
  next_index = next_index % #requests + 1
  return prepared
end

function done(summary, latency, _)
  local errors = summary.errors
  io.write(string.format("rps=%.0f requests=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d\n",
                         summary.requests / (summary.duration / 1e6), summary.requests, errors.status,
                         errors.connect + errors.read + errors.write + errors.timeout,
                         latency:percentile(50), latency:percentile(99)))
end
