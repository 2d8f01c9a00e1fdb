-- Mixed traffic for bench/load.py: browse, search, movie pages, similar movies, picks, rating writes and the
-- home page, each request as a random user (API token). init() reads "token ..." and "movie ..." lines from the
-- file named by the first argument; the second, if given, is each connection's pause (ms) between requests.
local tokens, movies = {}, {}
local words = {"the", "love", "star", "man", "war", "night", "day", "life", "girl", "city"}

local pause = 0

function init(args)
  pause = tonumber(args[2] or "0")
  for line in io.lines(args[1]) do
    local kind, value = line:match("^(%a+) (.+)$")
    if kind == "token" then table.insert(tokens, value) else table.insert(movies, value) end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local headers = {["Authorization"] = "Token " .. tokens[math.random(#tokens)]}
  local movie = movies[math.random(#movies)]
  local r = math.random(100)
  if r <= 20 then
    return wrk.format("GET", "/api/movies/?page=" .. math.random(1, 100), headers)
  elseif r <= 35 then
    return wrk.format("GET", "/api/movies/?search=" .. words[math.random(#words)], headers)
  elseif r <= 55 then
    return wrk.format("GET", "/api/movies/" .. movie .. "/", headers)
  elseif r <= 65 then
    return wrk.format("GET", "/api/movies/" .. movie .. "/similar/?kind=ratings", headers)
  elseif r <= 80 then
    return wrk.format("GET", "/api/me/picks/", headers)
  elseif r <= 95 then
    headers["Content-Type"] = "application/json"
    return wrk.format("PUT", "/api/me/ratings/" .. movie .. "/", headers,
                      string.format('{"value": %.1f}', math.random(1, 10) / 2))
  else
    return wrk.format("GET", "/", headers)
  end
end

function delay()
  return pause
end
