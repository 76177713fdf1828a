#!/usr/bin/env bash
# Runs the HTTP caching test suite (conformance/cache-tests, cache-tests.fyi) against CacheLayer.Gateway
# on a redis-server of its own, and prints the path of the results JSON on its last line.
#
#   bash conformance/run.sh [--replicas 1|2] [--out FILE] [--gateway-dll PATH] [--keep] [--id TEST]
#
#   --replicas 2       two gateway processes on the one Redis, behind conformance/round-robin.mjs,
#                      which alternates each test's requests between them (default 1: one gateway)
#   --out FILE         where the results go (default conformance/out/results-<N>replica.json)
#   --gateway-dll PATH run this build of CacheLayer.Gateway instead of building it in Release
#   --keep             keep the temporary directory (logs, the suite's copy) and print where it is
#   --id TEST          run one test (e.g. freshness-max-age) and print both sides' view of it, the
#                      client's and the origin's, instead of writing results
#
# Everything listens on free loopback ports and writes under one temporary directory, so two runs
# on one machine do not collide; every process it starts is stopped on exit. Needs node and npm
# (Node 20; npm fetches undici@7, which the suite's client needs for its 1xx tests), redis-server,
# and the .NET SDK. Grade the results with `node conformance/check.mjs FILE`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
replicas=1
out=""
gateway_dll=""
keep=0
test_id=""
ready_timeout="${CONFORMANCE_READY_TIMEOUT:-180}"    # seconds, per process: a cold start on a loaded machine
client_timeout="${CONFORMANCE_CLIENT_TIMEOUT:-900}"  # seconds for the whole suite (about a minute when quiet)

while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) replicas="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --gateway-dll) gateway_dll="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --id) test_id="$2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$replicas" in 1|2) ;; *) echo "run.sh: --replicas is 1 or 2" >&2; exit 2 ;; esac
out="${out:-$here/out/results-${replicas}replica.json}"

for tool in node npm redis-server dotnet; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool is not on PATH (redis-server: apt-get install redis-server)" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/cachelayer-conformance.XXXXXX")"
pids=()
status_ok=0

log() { echo "run.sh: $*" >&2; }

cleanup() {
  local code=$?
  trap - EXIT INT TERM
  # Stop what we started, newest first: the front, the gateways, the origin, Redis.
  for (( i=${#pids[@]}-1; i>=0; i-- )); do kill "${pids[$i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$status_ok" -ne 1 ]; then
    for f in "$work"/*.log; do
      [ -f "$f" ] || continue
      echo "----- $(basename "$f") (last 40 lines)" >&2
      tail -n 40 "$f" >&2
    done
  fi
  if [ "$keep" -eq 1 ]; then log "kept $work"; else rm -rf "$work"; fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

# Polls until $2 answers any HTTP status (or "$3", when given), while process $1 is alive.
wait_http() {
  local pid="$1" url="$2" want="${3:-}" name="$4" deadline=$((SECONDS + ready_timeout))
  while :; do
    kill -0 "$pid" 2>/dev/null || { log "$name exited before it was ready"; return 1; }
    if node -e '
      const [url, want] = process.argv.slice(1)
      fetch(url, { signal: AbortSignal.timeout(2000) })
        .then(r => process.exit(!want || String(r.status) === want ? 0 : 1), () => process.exit(1))' "$url" "$want"; then
      return 0
    fi
    [ "$SECONDS" -lt "$deadline" ] || { log "$name not ready at $url after ${ready_timeout}s"; return 1; }
    sleep 0.2
  done
}

# --- Redis
redis_port="$(free_port)"
mkdir -p "$work/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work/redis" \
  >"$work/redis.log" 2>&1 &
pids+=($!)
redis_pid=$!
deadline=$((SECONDS + ready_timeout))
until node -e '
  const socket = require("net").connect(Number(process.argv[1]), "127.0.0.1", () => socket.write("PING\r\n"))
  socket.setTimeout(2000, () => process.exit(1))
  socket.on("data", d => process.exit(String(d).startsWith("+PONG") ? 0 : 1))
  socket.on("error", () => process.exit(1))' "$redis_port"; do
  kill -0 "$redis_pid" 2>/dev/null || { log "redis-server exited"; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { log "redis-server did not answer PING after ${ready_timeout}s"; exit 1; }
  sleep 0.1
done

# --- The suite: a copy we may write in, and undici@7 beside it (the client imports it for the 1xx
# tests; node resolves it from $work/node_modules, a parent of the copy).
cp -r "$here/cache-tests" "$work/cache-tests"
rm -rf "$work/cache-tests/node_modules"
if ! npm install --prefix "$work" --no-audit --no-fund --prefer-offline --loglevel=error undici@7 >"$work/npm.log" 2>&1; then
  log "npm install undici@7 failed (the suite's 1xx tests need it); see npm.log"
  exit 1
fi

# --- The suite's origin: what `npm run --silent server` runs, on a free port, its pid file in $work.
origin_port="$(free_port)"
(
  cd "$work/cache-tests"
  export npm_config_protocol=http npm_config_port="$origin_port" npm_config_pidfile="$work/origin.pid"
  exec node test-engine/server/server.mjs
) >"$work/origin.log" 2>&1 &
pids+=($!)
wait_http "$!" "http://127.0.0.1:$origin_port/" "" origin

# --- The gateway(s)
if [ -z "$gateway_dll" ]; then
  log "building CacheLayer.Gateway (Release)"
  dotnet build "$repo/CacheLayer.Gateway/CacheLayer.Gateway.csproj" -c Release -nologo -v q -nodeReuse:false \
    >"$work/build.log" 2>&1 &
  pids+=($!)
  wait "$!" || { log "build failed"; cat "$work/build.log" >&2; exit 1; }
  gateway_dll="$repo/CacheLayer.Gateway/bin/Release/net10.0/CacheLayer.Gateway.dll"
fi
[ -f "$gateway_dll" ] || { log "no gateway at $gateway_dll"; exit 1; }
gateway_dll="$(cd "$(dirname "$gateway_dll")" && pwd)/$(basename "$gateway_dll")"
key_prefix="conformance-$$-$RANDOM:"

gateway_urls=()
gateway_pids=()
for n in $(seq 1 "$replicas"); do
  port="$(free_port)"
  (
    cd "$(dirname "$gateway_dll")"   # the content root: appsettings.json sits beside the dll
    export ASPNETCORE_ENVIRONMENT=Production DOTNET_NOLOGO=1 \
      ConnectionStrings__cache="127.0.0.1:$redis_port" \
      ReverseProxy__Routes__all__ClusterId=origin \
      'ReverseProxy__Routes__all__Match__Path={**catch-all}' \
      ReverseProxy__Clusters__origin__Destinations__d1__Address="http://127.0.0.1:$origin_port/" \
      CacheLayer__OriginDirected__ActAsCdn=true \
      CacheLayer__OriginDirected__HeuristicFraction=0.1 \
      CacheLayer__OperationTimeout=00:00:05 \
      CacheLayer__KeyPrefix="$key_prefix" \
      Logging__LogLevel__Default=Warning
    exec dotnet "$gateway_dll" --urls "http://127.0.0.1:$port"
  ) >"$work/gateway$n.log" 2>&1 &
  pids+=($!)
  gateway_pids[$n]=$!
  gateway_urls+=("http://127.0.0.1:$port")
done
for n in $(seq 1 "$replicas"); do
  wait_http "${gateway_pids[$n]}" "${gateway_urls[$((n - 1))]}/health" 200 "gateway $n"
done

if [ "$replicas" -eq 1 ]; then
  base="${gateway_urls[0]}"
else
  front_port="$(free_port)"
  node "$here/round-robin.mjs" "$front_port" "${gateway_urls[@]}" >"$work/front.log" 2>&1 &
  pids+=($!)
  base="http://127.0.0.1:$front_port"
  wait_http "$!" "$base/health" 200 "round-robin front"
fi
# The whole chain, client to origin: the origin answers 404 for a file it does not have.
wait_http "${pids[-1]}" "$base/conformance-ready" 404 "the chain to the origin"

# --- One test: `npm run cli --base=$base --id=$test_id`, the client's view, then the origin's.
if [ -n "$test_id" ]; then
  (
    cd "$work/cache-tests"
    export npm_config_base="$base" npm_package_config_id="$test_id"
    exec timeout 120 node --no-warnings test-engine/cli.mjs
  ) 2>&1 &
  pids+=($!)
  wait "$!" || true
  echo "===== the origin's view (origin.log)"
  cat "$work/origin.log"
  status_ok=1
  exit 0
fi

# --- The suite: `npm run --silent cli --base=$base`, about a minute.
log "running the suite against $base ($replicas gateway(s), Redis on $redis_port, origin on $origin_port)"
mkdir -p "$(dirname "$out")"
start=$SECONDS
(
  cd "$work/cache-tests"
  export npm_config_base="$base" npm_package_config_id=""
  exec timeout "$client_timeout" node --no-warnings test-engine/cli.mjs
) >"$work/results.json" 2>"$work/client.log" &
pids+=($!)
# In the background and waited for, so that a TERM stops the run at once (bash runs traps only
# between commands).
wait "$!" || { log "the suite's client failed or timed out after ${client_timeout}s"; exit 1; }
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1])); if (Object.keys(r).length < 100) process.exit(1)' \
  "$work/results.json" || { log "the client's output is not a results file"; head -c 2000 "$work/results.json" >&2; exit 1; }
cp "$work/results.json" "$out"
errors=$(grep -c '^ERROR' "$work/client.log" || true)
log "suite done in $((SECONDS - start))s; $errors test setup error(s) reported by the client"
status_ok=1
echo "$out"
