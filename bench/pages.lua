-- wrk script: spread requests uniformly over ?page=1..1000 (1,000 distinct cache keys) of the URL's path.
-- Every server answers page 1 with the posts list and a later page with the empty list, so bodies match.
math.randomseed(os.time())
request = function()
  return wrk.format("GET", wrk.path .. "?page=" .. math.random(1, 1000))
end
