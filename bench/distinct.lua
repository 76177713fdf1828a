-- wrk script: every request asks a key never asked before (?page=<thread>-<n>), to see memory stay bounded.
local counter = 0
local thread_id = 0
local threads = 0
setup = function(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
request = function()
  counter = counter + 1
  return wrk.format("GET", wrk.path .. "?page=" .. thread_id .. "-" .. counter)
end
