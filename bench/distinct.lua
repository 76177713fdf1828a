-- wrk script: every request asks a page never asked before (?page=<n>), so each is a new cache key:
-- a miss that stores (bench/run.sh's miss rows, with MaxVariantsPerPath raised) or, past
-- MaxVariantsPerPath (1,000 by default), a variant-limit bypass that still passes through the key
-- building, the Redis lookup and the top-keys table (bench/many-keys.sh).
--   wrk -t2 ... -s bench/distinct.lua http://127.0.0.1:PORT/api/posts/ -- FIRST STRIDE
-- Thread t (0-based) asks FIRST + t * STRIDE + 1, + 2, ..., so threads never collide while one sends
-- fewer than STRIDE requests; a caller that runs wrk again passes FIRST + threads * STRIDE next time.
-- Defaults: FIRST 0, STRIDE 100,000,000. The API binds page as an int: stay below 2^31 (2,147,483,647).
local first, stride = 0, 100000000
local counter = 0
local threads = 0
-- A global, not a local: thread:set writes the thread's global, which a local here would hide.
thread_id = 0

function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

function init(args)
  first = tonumber(args[1]) or first
  stride = tonumber(args[2]) or stride
end

function request()
  counter = counter + 1
  return wrk.format("GET", wrk.path .. string.format("?page=%d", first + thread_id * stride + counter))
end
