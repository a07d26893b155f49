-- GET /api/v1/items/{id} with a random id of the bulk-loaded rows (1..max):
--   wrk ... -s <report.lua + random_id.lua> <url> -- <max>
-- bench/growth.py passes the table's size as <max>.
local max_id = 1000
function init(args)
  max_id = tonumber(args[1]) or max_id
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  return wrk.format("GET", "/api/v1/items/" .. math.random(1, max_id))
end
