-- wrk script: every request asks a key never asked before (?page=<n>, unique per thread), to see memory
-- stay bounded. The posts list binds page, so each is its own key; past MaxVariantsPerPath (1,000) they
-- are served uncached (variant-limit) but still counted in the top-keys table.
local counter = 0
local thread_id = 0
local threads = 0
setup = function(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
request = function()
  counter = counter + 1
  return wrk.format("GET", wrk.path .. string.format("?page=%d", thread_id * 1000000000 + counter))
end
