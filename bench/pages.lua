-- wrk script: spread requests uniformly over ?page=1..1000 (1,000 distinct cache keys).
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/posts/?page=" .. math.random(1, 1000))
end
