-- POST a new item per request, with a unique name (a taken one would be a 409):
--   wrk ... -s <report.lua + post.lua> <url> -- <prefix>
-- names are <prefix>-<thread>-<n>; run.py passes a fresh prefix to every wrk run.
local threads = {}
local counter = 0
local prefix = "bench"

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  prefix = args[1] or prefix
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name": "%s-%s-%d", "description": "benchmark item", "price": 9.5, "quantity": 3}',
    prefix, tostring(id), counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
