#!/usr/bin/env bash
# Publishes bench/AotSmoke (a few lines that use only the library) with Native AOT, fails on any
# trimming or AOT warning, then runs it against a throw-away redis-server on loopback and checks a
# miss, a hit, an invalidating write and the admin statistics. Needs: apt-get install -y redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

dotnet publish bench/AotSmoke -c Release -r linux-x64 -o "$work/out" > "$work/publish.log" 2>&1 || { cat "$work/publish.log"; exit 1; }
warnings=$(grep -E 'warning (IL|AOT)[0-9]+' "$work/publish.log" | sort -u || true)
if [ -n "$warnings" ]; then echo "$warnings"; echo "aot-smoke: trimming/AOT warnings"; exit 1; fi
echo "published: $(du -h "$work/out/AotSmoke" | cut -f1) native binary, no trimming or AOT warnings"

redis_port=$(free_port); api_port=$(free_port); api="http://127.0.0.1:$api_port"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no > "$work/redis.log" 2>&1 &
ConnectionStrings__cache="127.0.0.1:$redis_port" CacheLayer__AdminApiKey=smoke \
  "$work/out/AotSmoke" --urls "$api" > "$work/api.log" 2>&1 &
# Wait until it listens: an unmapped path answers 404 (curl -f: exit 22) without touching the cache.
for _ in $(seq 100); do
  status=0; curl -sf -o /dev/null "$api/ready" || status=$?
  [ "$status" -eq 22 ] && break
  sleep 0.1
done

cache_of() { curl -si "$api/items/1" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache"{print $2}'; }
check() { if [ "$2" = "$3" ]; then echo "ok    $1: $2"; else echo "FAIL  $1: got '$2', want '$3'"; exit 1; fi; }

check "first GET" "$(cache_of)" MISS
check "second GET" "$(cache_of)" HIT
check "PUT" "$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$api/items/1" -H 'Content-Type: application/json' -d '{"id":1,"name":"uno"}')" 204
check "GET after PUT" "$(cache_of)" MISS
check "body after PUT" "$(curl -s "$api/items/1")" '{"id":1,"name":"uno"}'
check "statistics" "$(curl -s "$api/metrics/cache" -H 'X-Api-Key: smoke')" '{"hits":2,"misses":2,"top_keys":[["GET:/items/1",4]],"total_cached_keys":1}'
echo "aot-smoke: passed"
