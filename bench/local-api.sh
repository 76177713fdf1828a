# Sourced by bench/flood.sh and bench/many-keys.sh: a work folder removed on exit, and start_local_api,
# which publishes CacheLayer.Api (Release) and runs it on a free loopback port against a throw-away
# redis-server, with no origin latency.
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cleanup() {
  [ -n "${api_pid:-}" ] && kill "$api_pid" 2>/dev/null || true
  [ -n "${redis_port:-}" ] && redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# start_local_api SOURCE_DIR [NAME=VALUE ...]: sets redis_port, base and api_pid.
start_local_api() {
  local src=$1; shift
  dotnet publish "$src/CacheLayer.Api" -c Release -o "$work/api" --nologo -v quiet >/dev/null
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
  base="http://127.0.0.1:$(free_port)"
  # CacheLayer__Origin__LatencyMs: the latency setting in revisions before the library move.
  env ConnectionStrings__cache="127.0.0.1:$redis_port" Demo__Origin__LatencyMs=0 CacheLayer__Origin__LatencyMs=0 \
    CacheLayer__UserKeySalt="bench-$(od -An -tx8 -N16 /dev/urandom | tr -d ' \n')" "$@" \
    ASPNETCORE_URLS="$base" Logging__LogLevel__Default=Warning "$work/api/CacheLayer.Api" >"$work/api.log" 2>&1 &
  api_pid=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "$base/alive" && break; sleep 0.1; done
}
