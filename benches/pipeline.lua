-- wrk script: send DEPTH requests per write (HTTP pipelining).
-- usage: wrk ... -s benches/pipeline.lua URL -- DEPTH METHOD PATH BODYFILE|-
-- BENCH_HEADER ("name: value"), when set, is sent with every request.
local depth, method, path, bodyfile

function init(args)
  depth = tonumber(args[1]) or 1
  method = args[2] or "GET"
  path = args[3] or "/"
  bodyfile = args[4] or "-"
  local body = nil
  local headers = {}
  local extra = os.getenv("BENCH_HEADER")
  if extra and extra ~= "" then
    local name, value = extra:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  if bodyfile ~= "-" then
    local f = assert(io.open(bodyfile, "rb"))
    body = f:read("*a")
    f:close()
    headers["Content-Type"] = "application/json"
  end
  local one = wrk.format(method, path, headers, body)
  local all = {}
  for i = 1, depth do all[i] = one end
  request_data = table.concat(all)
end

function request()
  return request_data
end
