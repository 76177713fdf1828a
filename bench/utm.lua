-- wrk script for bench/flood.sh: every request invents a query parameter (?utm_<random>=<random>) and an
-- Accept-Language, as a client trying to inflate or poison the cache would.
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local function token(n)
  local chars = {}
  for i = 1, n do chars[i] = string.char(math.random(97, 122)) end
  return table.concat(chars)
end
request = function()
  local headers = { ["Accept-Language"] = token(2) .. "-" .. token(6) }
  return wrk.format("GET", wrk.path .. "?utm_" .. token(8) .. "=" .. token(12), headers)
end
