#!/usr/bin/env bash
# Issue 9's figures: a flood of anonymous GETs to /api/posts/, each with an invented ?utm_<random>=<random>
# and an invented Accept-Language, for DURATION seconds (default 20). Prints Redis entries and used_memory
# before and after, how long one POST /api/posts/ (the path's invalidation) takes, /health afterwards and
# whether the next GET /api/posts/ is a stored MISS. Throw-away redis-server and the published API (Release)
# on free loopback ports, no origin latency.   bash bench/flood.sh   (MAX_VARIANTS=n sets the cap;
# SOURCE=<revision> floods that commit's API instead of the working tree, for a before/after comparison)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}
source bench/local-api.sh

SOURCE=${SOURCE:-worktree}
src=.
if [ "$SOURCE" != worktree ]; then
  mkdir -p "$work/src" && git archive --format=tar "$SOURCE" | tar -xf - -C "$work/src" && src="$work/src"
fi
extra=()
[ -n "${MAX_VARIANTS:-}" ] && extra+=("CacheLayer__MaxVariantsPerPath=$MAX_VARIANTS")
start_local_api "$src" "${extra[@]}"

redis() { redis-cli -p "$redis_port" "$@"; }
used_memory() { redis info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r'; }
status_of() { curl -s -o /dev/null -D - "$@" | awk -F': ' 'tolower($1)=="cache-status" {print $2}' | tr -d '\r'; }

curl -sf -o /dev/null "$base/api/posts/"   # the plain entry, stored
keys_before=$(redis dbsize); memory_before=$(used_memory)

wrk_out=$(wrk -t2 -c32 -d"${DURATION}s" -s bench/utm.lua "$base/api/posts/")
keys_after=$(redis dbsize); memory_after=$(used_memory)
sample=$(status_of -H "Accept-Language: xx-$RANDOM" "$base/api/posts/?utm_probe=$RANDOM")

post=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -X POST "$base/api/posts/" \
  -H 'Content-Type: application/json' -d '{"title":"Flood Post"}')
keys_post=$(redis dbsize)
health=$(curl -s "$base/health")
next=$(status_of "$base/api/posts/")

echo "flood ($SOURCE): ${DURATION} s of GET /api/posts/?utm_<random>=<random> with a random Accept-Language, wrk -t2 -c32, loopback"
echo "  requests sent                 : $(awk '/requests in/ {print $1}' <<<"$wrk_out")  ($(awk '/Requests\/sec/ {print $2}' <<<"$wrk_out") req/s)"
echo "  non-2xx or socket errors      : $(grep -E 'Non-2xx|Socket errors' <<<"$wrk_out" | tr -s ' ' | paste -sd';' - || true)"
echo "  cap (MaxVariantsPerPath)      : ${MAX_VARIANTS:-1000 (default)}"
echo "  Redis keys  before / after    : $keys_before / $keys_after (entries and bookkeeping)"
echo "  used_memory before / after    : $memory_before / $memory_after bytes"
echo "  one more invented request     : $sample"
echo "  POST /api/posts/ (invalidates): HTTP ${post% *} in ${post#* } s; Redis keys after: $keys_post"
echo "  /health afterwards            : $health"
echo "  next GET /api/posts/          : $next"
case "$next" in *"fwd=miss; stored"*) echo "  next GET is a stored MISS     : yes";; *) echo "  next GET is a stored MISS     : NO";; esac
