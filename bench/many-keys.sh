#!/usr/bin/env bash
# Memory under a flood of distinct keys: drives REQUESTS (default 1,000,000) requests, each for a key
# never seen before, at the API with the memory tier capped at TIER_MB (default 16 MiB) and no origin
# latency, then prints the API's peak RSS next to the tier's budget, with the same API idle as the
# baseline. Loopback only.   bash bench/many-keys.sh
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${REQUESTS:-1000000}
TIER_MB=${TIER_MB:-16}
source bench/local-api.sh
start_local_api . CacheLayer__MemoryTier__SizeLimitBytes=$((TIER_MB * 1024 * 1024))
rss() { awk "/$1/ {print int(\$2 / 1024)}" "/proc/$api_pid/status"; }

wrk -t2 -c64 -d5s "$base/api/posts/" >/dev/null
idle=$(rss VmRSS)
start=$(date +%s)
sent=0
# Each 20 s run of wrk asks pages after the previous run's (2 threads, at most 5,000,000 requests each).
first=0
while [ "$sent" -lt "$REQUESTS" ]; do
  out=$(wrk -t2 -c64 -d20s -s bench/distinct.lua "$base/api/posts/" -- "$first" 5000000)
  first=$((first + 2 * 5000000))
  sent=$((sent + $(awk '/requests in/ {print $1}' <<<"$out")))
  echo "  $sent distinct keys requested, RSS $(rss VmRSS) MiB" >&2
done
echo "distinct keys requested : $sent in $(( $(date +%s) - start )) s"
echo "API RSS after warm-up   : $idle MiB"
echo "API RSS now / peak      : $(rss VmRSS) MiB / $(rss VmHWM) MiB"
echo "memory tier budget      : $TIER_MB MiB"
echo "entries in Redis        : $(redis-cli -p "$redis_port" dbsize) keys (entries and bookkeeping)"
