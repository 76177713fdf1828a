#!/usr/bin/env bash
# Memory under a flood of distinct keys: drives REQUESTS (default 1,000,000) requests, each for a key
# never seen before, at the API with the memory tier capped at TIER_MB (default 16 MiB) and no origin
# latency, then prints the API's peak RSS next to the tier's budget, with the same API idle as the
# baseline. Loopback only.   bash bench/many-keys.sh
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${REQUESTS:-1000000}
TIER_MB=${TIER_MB:-16}
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cleanup() {
  [ -n "${api_pid:-}" ] && kill "$api_pid" 2>/dev/null || true
  [ -n "${redis_port:-}" ] && redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet publish CacheLayer.Api -c Release -o "$work/api" --nologo -v quiet >/dev/null
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
api_port=$(free_port)
base="http://127.0.0.1:$api_port"
ConnectionStrings__cache="127.0.0.1:$redis_port" Demo__Origin__LatencyMs=0 \
CacheLayer__UserKeySalt="bench-$(od -An -tx8 -N16 /dev/urandom | tr -d ' \n')" \
CacheLayer__MemoryTier__SizeLimitBytes=$((TIER_MB * 1024 * 1024)) \
ASPNETCORE_URLS="$base" Logging__LogLevel__Default=Warning "$work/api/CacheLayer.Api" >"$work/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "$base/alive" && break; sleep 0.1; done
rss() { awk "/$1/ {print int(\$2 / 1024)}" "/proc/$api_pid/status"; }

wrk -t2 -c64 -d5s "$base/api/posts/" >/dev/null
idle=$(rss VmRSS)
start=$(date +%s)
sent=0
while [ "$sent" -lt "$REQUESTS" ]; do
  out=$(wrk -t2 -c64 -d20s -s bench/distinct.lua "$base/api/posts/")
  sent=$((sent + $(awk '/requests in/ {print $1}' <<<"$out")))
  echo "  $sent distinct keys requested, RSS $(rss VmRSS) MiB" >&2
done
echo "distinct keys requested : $sent in $(( $(date +%s) - start )) s"
echo "API RSS after warm-up   : $idle MiB"
echo "API RSS now / peak      : $(rss VmRSS) MiB / $(rss VmHWM) MiB"
echo "memory tier budget      : $TIER_MB MiB"
echo "entries in Redis        : $(redis-cli -p "$redis_port" dbsize) keys (entries and bookkeeping)"
