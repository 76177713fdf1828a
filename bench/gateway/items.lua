-- wrk script for bench/gateway.sh: cycle through /items/1../items/KEYS (1,000 distinct cache keys by default),
-- each thread from its own offset so the threads do not ask the same item at the same moment.
--   wrk -t2 -c64 -d10s -s bench/gateway/items.lua http://127.0.0.1:PORT -- [KEYS]
local keys = 1000
local next_item = 0
local threads = 0
-- A global, not a local: thread:set writes the thread's global, which a local here would hide.
thread_id = 0

function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

function init(args)
  keys = tonumber(args[1]) or keys
  next_item = (thread_id * 499) % keys
end

function request()
  next_item = next_item % keys + 1
  return wrk.format("GET", "/items/" .. next_item)
end
