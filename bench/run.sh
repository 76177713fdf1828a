#!/usr/bin/env bash
# Load benchmark: the API (Release) against a throw-away redis-server, all on loopback.
# Runs every scenario in one go so the ratios compare like with like on a shared, noisy machine.
#   bash bench/run.sh            # DURATION=15s CONNECTIONS=64 THREADS=2 by default
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

cleanup() {
  [ -n "${api_pid:-}" ] && kill "$api_pid" 2>/dev/null || true
  [ -n "${redis_port:-}" ] && redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is needed: apt-get install -y redis-server" >&2; exit 1; }

dotnet publish CacheLayer.Api -c Release -o "$work/api" --nologo -v quiet >/dev/null

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
api_port=$(free_port)
base="http://127.0.0.1:$api_port"
ConnectionStrings__cache="127.0.0.1:$redis_port" \
CacheLayer__Origin__LatencyMs=20 \
ASPNETCORE_URLS="$base" Logging__LogLevel__Default=Warning \
  "$work/api/CacheLayer.Api" >"$work/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "$base/alive" && break; sleep 0.1; done

# run NAME PATH [LUA]: warm-up, then the measured run; prints one table row.
run() {
  local name=$1 path=$2 script=${3:-}
  local args=(-t"$THREADS" -c"$CONNECTIONS" --latency)
  [ -n "$script" ] && args+=(-s "$script")
  wrk "${args[@]}" -d3s "$base$path" >/dev/null
  local out rss
  out=$(wrk "${args[@]}" -d"$DURATION" "$base$path")
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$api_pid/status")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf '| %-34s | %10s | %8s | %8s | %8s MiB |\n' "$name" "$rps" "$p50" "$p99" "$((rss / 1024))"
  echo "$rps" >"$work/$name.rps"
}

# Let tiered JIT and dynamic PGO settle before anything is measured.
wrk -t"$THREADS" -c"$CONNECTIONS" -d10s "$base/api/posts/" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "$base/api/posts/?nocache=true" >/dev/null

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on $(nproc) cores, $(date -u +%F)"
echo "| scenario                           |      req/s |      p50 |      p99 |    peak RSS |"
echo "|------------------------------------|-----------:|---------:|---------:|------------:|"
run "hit, one hot key" "/api/posts/"
run "hit, 1,000 keys" "/api/posts/" bench/pages.lua
run "origin (nocache, 20 ms latency)" "/api/posts/?nocache=true"

hit=$(cat "$work/hit, one hot key.rps")
origin=$(cat "$work/origin (nocache, 20 ms latency).rps")
echo
echo "hit / origin: $(python3 -c "print(f'{$hit / $origin:.1f}x')")"
