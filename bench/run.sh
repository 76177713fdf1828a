#!/usr/bin/env bash
# Load benchmark, all on loopback: CacheLayer.Api (Release) against the static-bytes ceiling, against a bare
# Kestrel process answering the same bytes (bench/BareKestrel: no telemetry, middleware, routing or
# logging), the library alone in a slim host against that same floor (bench/LeanHost), the API against
# itself with the in-process tier off, against ASP.NET Core Output Caching on the same Redis
# (bench/OutputCachePeer: same service defaults and OpenTelemetry, its own default-configured Redis
# client; its header lists how that client differs from CacheLayer's) and against the uncached origin.
# Every scenario runs in one go and lands in one table, so the ratios compare like with like on a
# shared, noisy machine.
#   bash bench/run.sh                  # DURATION=13s CONNECTIONS=64 THREADS=2 by default (13 s, not 15 s, since
#                                      # the bare Kestrel process and the controller row were added)
#   DURATION=5s bash bench/run.sh      # a quick look
#   CLUSTER=0 bash bench/run.sh        # skip the Redis Cluster process (about 100 s of ~10.5 min; ~9 min without it
#                                      # on a quiet machine, publishing included)
#   SOURCE=HEAD bash bench/run.sh      # build the API from a git revision (the peer always from the work tree)
#   BENCH_OUT=/tmp/b bash bench/run.sh # also keep wrk's raw output and the servers' logs there
# Processes, each started fresh against an emptied Redis, so peak RSS is per configuration:
#   1. the API, memory tier on, with /bench/ceiling: ceiling, hits (hot key, 1,000 keys, a controller
#      action's hot key: GET /bench/controller/1, [CacheResponse(300)]), origin
#   1b. bench/BareKestrel: the same bytes on /api/posts/ (hot key, 1,000 URLs): the floor every
#      "/ bare" ratio is against
#   1c. bench/LeanHost: CacheLayer.AspNetCore alone in WebApplication.CreateSlimBuilder (no service
#      defaults, OpenTelemetry, health-check endpoints, exception handler or logging providers), the same
#      bytes on /api/posts/ with .CacheResponse(5 min) and the API's bench controller action: hits (hot
#      key, 1,000 keys, controller action), each key stored once before its scenario's warm-up; a
#      KeyPrefix of its own per run. "lean host hit / bare Kestrel" is the library's cost (routing
#      included), without the demo host's
#   2. the same API with every request traced (OTEL_TRACES_SAMPLER=always_on): ceiling, hits (hot key, 1,000 keys)
#   3. the API, memory tier off: hits (hot key, 1,000 keys)
#   4. the Output Caching peer: hits (hot key, 1,000 keys)
#   5. the API, 0 ms origin, MaxVariantsPerPath 1,000,000: Redis bytes per entry, misses
#   6. the Output Caching peer, 0 ms origin: Redis bytes per entry, misses
#   7. (CLUSTER=1, the default) the API, 0 ms origin, on a 3-master Redis Cluster on loopback with no
#      KeyPrefix (bench/redis-cluster.sh): Redis bytes per entry, hits (hot key, 1,000 keys), misses
# Every process runs in Production, so traces are sampled as there (ServiceDefaults: a request is traced
# when its caller's is, and one in ten that start here), with no exporter; process 2 shows what tracing
# every request costs (the OpenTelemetry SDK's own default, before ServiceDefaults set one).
# Each process gets a WARMUP on its hot path, each scenario a SCENARIO_WARMUP, before it is measured.
# Misses (bench/distinct.lua): every request a page never asked before in this run, so a new key the
# server stores; Redis is emptied after the scenario's warm-up, and the keys it holds after the measured
# run, per request, show whether they were stored (keys/req: 1.00 for one key per entry, CacheLayer too since layout v3:
# one body per entry, the grace in it).
# Redis bytes per entry: ENTRIES (1,000) pages of /api/posts/ stored one by one into an emptied Redis,
# then MEMORY USAGE summed over every key (SCAN, on each master of a cluster; bench/redis_bytes.py).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

DURATION=${DURATION:-13s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-10s}
SCENARIO_WARMUP=${SCENARIO_WARMUP:-3s}
SOURCE=${SOURCE:-worktree}
CLUSTER=${CLUSTER:-1}
ENTRIES=${ENTRIES:-1000}
LATENCY_MS=20
# The validator's maximum: misses store a new variant of /api/posts/ each, which the default cap (1,000
# live variants per path) would turn into variant-limit bypasses after the first thousand.
MISS_MAX_VARIANTS=1000000

started=$SECONDS
work=$(mktemp -d)
source bench/redis-cluster.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
log() { echo "[$(date +%T)] $*" >&2; }

server_pid=""
redis_pidfile="$work/redis.pid"
stop_server() {
  [ -n "$server_pid" ] || return 0
  kill "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
cleanup() {
  stop_server
  cluster_stop
  if [ -n "${redis_port:-}" ]; then
    local pid=""
    [ -f "$redis_pidfile" ] && pid=$(cat "$redis_pidfile" 2>/dev/null || true)
    timeout 5 redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
    if [ -n "$pid" ]; then
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  if [ -n "${BENCH_OUT:-}" ]; then
    mkdir -p "$BENCH_OUT" && cp -r "$work"/*.wrk "$work"/*.log "$work/results.tsv" "$BENCH_OUT"/ 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in wrk redis-server redis-cli curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install -y wrk redis-server curl python3)" >&2; exit 1; }
done

# Build from a copy of the sources, so a build running in the repository at the same time is not
# disturbed and a half-written bin/obj is not read. The peer (bench/) always comes from the work tree.
mkdir -p "$work/src"
if [ "$SOURCE" = worktree ]; then
  tar --exclude=./.git --exclude='*/bin' --exclude='*/obj' --exclude=./TestResults -cf - . | tar -xf - -C "$work/src"
else
  git archive --format=tar "$SOURCE" | tar -xf - -C "$work/src"
  rm -rf "$work/src/bench"
  tar --exclude='*/bin' --exclude='*/obj' -cf - bench | tar -xf - -C "$work/src"
fi
revision="$(git rev-parse --short "$([ "$SOURCE" = worktree ] && echo HEAD || echo "$SOURCE")")"
[ "$SOURCE" = worktree ] && [ -n "$(git status --porcelain -- CacheLayer.Api CacheLayer.AspNetCore CacheLayer.ServiceDefaults bench)" ] && revision+=", with uncommitted changes"
publish() { # PROJECT OUTDIR
  if ! dotnet publish "$work/src/$1" -c Release -o "$2" --nologo -v quiet >"$work/publish.log" 2>&1; then
    grep -E 'error|warning' "$work/publish.log" | sort -u | head -20 >&2 || true
    echo "publish of $1 failed" >&2
    exit 1
  fi
}
log "publishing CacheLayer.Api, bench/OutputCachePeer, bench/BareKestrel and bench/LeanHost (Release) from $SOURCE ($revision)"
publish CacheLayer.Api "$work/api"
publish bench/OutputCachePeer "$work/peer"
publish bench/BareKestrel "$work/bare"
# The lean host builds against the library of $SOURCE, whose API an older revision may not have: then
# its rows are left out rather than the run failed.
lean=yes
if [ "$SOURCE" = worktree ]; then
  publish bench/LeanHost "$work/lean"
elif ! (publish bench/LeanHost "$work/lean") 2>/dev/null; then
  lean=no
  log "bench/LeanHost does not build against $SOURCE: no lean host rows"
fi
published=$SECONDS

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  --daemonize yes --pidfile "$redis_pidfile" --logfile "$work/redis.log" >/dev/null
for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
# The Redis the next process uses: this redis-server, or every master of the cluster (use_cluster).
redis_ports=("$redis_port")
redis_conn="127.0.0.1:$redis_port"
redis_all() { local p; for p in "${redis_ports[@]}"; do redis-cli -p "$p" "$@"; done; }
redis_sum() { # SECTION FIELD: an INFO field summed over the nodes
  local p
  for p in "${redis_ports[@]}"; do redis-cli -p "$p" info "$1"; done | tr -d '\r' | awk -F: -v f="$2" '$1 == f {s += $2} END {print s + 0}'
}
redis_commands() { redis_sum stats total_commands_processed; }
redis_keys() { local p n=0; for p in "${redis_ports[@]}"; do n=$((n + $(redis-cli -p "$p" dbsize))); done; echo "$n"; }

# start_server LABEL BINARY [NAME=VALUE...]: a fresh process on a free port, against an empty Redis.
start_server() {
  local label=$1 binary=$2
  shift 2
  redis_all flushall >/dev/null
  local port
  port=$(free_port)
  base="http://127.0.0.1:$port"
  server_label=$label
  server_log="$work/$(tr -c 'A-Za-z0-9\n' _ <<<"$label").log"
  env ConnectionStrings__cache="$redis_conn" \
    CacheLayer__UserKeySalt="bench-$(od -An -tx8 -N16 /dev/urandom | tr -d ' \n')" \
    Demo__Origin__LatencyMs="$LATENCY_MS" \
    ASPNETCORE_URLS="$base" Logging__LogLevel__Default=Warning \
    "$@" "$binary" >"$server_log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do curl -sf -o /dev/null "$base/alive" && break; sleep 0.1; done
  if ! curl -sf -o /dev/null "$base/alive"; then
    echo "$label did not start; its log:" >&2
    tail -30 "$server_log" >&2
    exit 1
  fi
  log "$label: pid $server_pid on $base, warming up $WARMUP on /api/posts/"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$base/api/posts/" >/dev/null 2>&1 || true
  # The warm-up's peak, before the per-scenario resets below lose it.
  warmup_hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
  echo -e "process\t$label\t$warmup_hwm" >>"$work/results.tsv"
}

# Peak RSS per scenario: "5" in clear_refs resets VmHWM to the current RSS (Linux >= 4.0), so the
# peak read after a run is the peak during that run. Where that is refused the figure is cumulative.
reset_hwm() { echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null && hwm_mode=scenario || hwm_mode=cumulative; }
hwm_mode=scenario

# Pages for bench/distinct.lua: each run of wrk gets its own range (THREADS * page_stride pages), all
# past the pages of pages.lua and of the bytes-per-entry check, all below 2^31 (the API binds an int).
page_next=10000000
page_stride=10000000
distinct_args() { # sets wrk_tail: the script's arguments for the next run of wrk
  wrk_tail=(-- "$page_next" "$page_stride")
  page_next=$((page_next + THREADS * page_stride))
  if [ "$page_next" -ge 2147483647 ]; then echo "out of page numbers for bench/distinct.lua" >&2; exit 1; fi
}

# run KEY NAME PATH [LUA]: a warm-up, a check of one response, then the measured run.
# With bench/distinct.lua (misses) Redis is emptied before the measured run, which then counts the keys
# it adds.
run() {
  local key=$1 name=$2 path=$3 script=${4:-}
  local args=(-t"$THREADS" -c"$CONNECTIONS" --latency) misses=no
  [ -n "$script" ] && args+=(-s "$script")
  [ "$script" = "$repo/bench/distinct.lua" ] && misses=yes
  wrk_tail=()
  log "$server_label: $name"
  [ "$misses" = yes ] && distinct_args
  wrk "${args[@]}" -d"$SCENARIO_WARMUP" "$base$path" "${wrk_tail[@]}" >/dev/null 2>&1 || true

  # One request as wrk sends it (the many-keys one for a page, a new one for misses): status, body,
  # cache headers.
  local probe=$path body status headers
  [ -n "$script" ] && probe="$path?page=7"
  if [ "$misses" = yes ]; then
    probe="$path?page=$page_next"
    page_next=$((page_next + 1))
  fi
  rm -f "$work/headers"
  body=$(curl -s -D "$work/headers" "$base$probe" || true)
  status=$(awk 'NR==1 {print $2}' "$work/headers" 2>/dev/null || true)
  headers=$(grep -i -E '^(cache-status|x-cache|age):' "$work/headers" 2>/dev/null | tr -d '\r' | paste -sd ';' - || true)
  local body_ok=no expected=$payload
  # Every server pages as the demo's posts list does: page 7 of two posts is the empty list.
  [ -n "$script" ] && expected='{"posts":[]}'
  [ "$path" = /bench/controller/1 ] && expected=$controller_payload
  [ "$body" = "$expected" ] && body_ok=yes

  [ "$misses" = yes ] && { redis_all flushall >/dev/null; distinct_args; }
  reset_hwm
  local before after keys_before keys_after
  keys_before=$(redis_keys)
  before=$(redis_commands)
  wrk "${args[@]}" -d"$DURATION" "$base$path" "${wrk_tail[@]}" >"$work/$key.wrk" 2>&1 || true
  after=$(redis_commands)
  sleep 0.2 # a store that finishes after its response has been sent
  keys_after=$(redis_keys)
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "$server_label exited during '$name'; its log:" >&2
    tail -30 "$server_log" >&2
    exit 1
  fi
  local hwm
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
  echo -e "row\t$key\t$name\t$server_label\t$hwm\t$((after - before))\t$status\t$body_ok\t$headers\t$((keys_after - keys_before))" >>"$work/results.tsv"
}

# entry_bytes KEY: Redis bytes per stored entry. Empties Redis, stores ENTRIES pages of /api/posts/
# (2..ENTRIES+1, one connection, one after the other: each a miss that stores, all the same 12-byte
# body), then sums MEMORY USAGE over every key and finds the entry of one page by its key name.
entry_bytes() {
  local key=$1 page=$((ENTRIES / 2 + 1)) used_before used_after body line
  log "$server_label: Redis bytes per entry ($ENTRIES entries)"
  redis_all flushall >/dev/null
  used_before=$(redis_sum memory used_memory)
  curl -s -o /dev/null "$base/api/posts/?page=[2-$((ENTRIES + 1))]" || true
  body=$(curl -s -o /dev/null -w '%{size_download}' "$base/api/posts/?page=$page" || echo 0)
  sleep 0.5 # a store that finishes after its response has been sent
  used_after=$(redis_sum memory used_memory)
  line=$(python3 "$repo/bench/redis_bytes.py" "page=$page(?![0-9])" "${redis_ports[@]}") || line=$'0\t0\t\t\t\t'
  printf 'bytes\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$server_label" "$ENTRIES" "$body" "$((used_after - used_before))" "$line" >>"$work/results.tsv"
}

# entry_bytes_kib KEY: the same for 1 KiB bodies (real bodies are not 12 bytes). Adds KIB_POSTS posts through the
# API's own POST /api/posts/ (in-process origin), so that each of KIB_PAGES pages of pageSize=30 holds about 1 KiB of
# JSON, then empties Redis and stores those pages one by one. CacheLayer only: the Output Caching peer serves fixed
# bodies.
KIB_PAGES=${KIB_PAGES:-200}
entry_bytes_kib() {
  local key=$1 page=$((KIB_PAGES / 2)) used_before used_after body line i
  log "$server_label: Redis bytes per entry, 1 KiB bodies ($KIB_PAGES entries)"
  : >"$work/posts.curl"
  for i in $(seq 1 $((KIB_PAGES * 30))); do
    printf 'url = "%s/api/posts/"\nrequest = "POST"\nheader = "Content-Type: application/json"\ndata = "{\\"title\\":\\"Bench post %05d, 1 KiB page\\"}"\noutput = "/dev/null"\nnext\n' "$base" "$i" >>"$work/posts.curl"
  done
  curl -s --no-progress-meter --parallel --parallel-max 16 -K "$work/posts.curl" || true
  redis_all flushall >/dev/null
  used_before=$(redis_sum memory used_memory)
  curl -s -o /dev/null "$base/api/posts/?page=[1-$KIB_PAGES]&pageSize=30" || true
  body=$(curl -s -o /dev/null -w '%{size_download}' "$base/api/posts/?page=$page&pageSize=30" || echo 0)
  sleep 0.5 # a store that finishes after its response has been sent
  used_after=$(redis_sum memory used_memory)
  line=$(python3 "$repo/bench/redis_bytes.py" "page=$page&pagesize=30(?![0-9])" "${redis_ports[@]}") || line=$'0\t0\t\t\t\t'
  printf 'bytes\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$server_label" "$KIB_PAGES" "$body" "$((used_after - used_before))" "$line" >>"$work/results.tsv"
}

# use_cluster: start a 3-master Redis Cluster; the next process uses it, without a KeyPrefix.
use_cluster() {
  log "starting a 3-master Redis Cluster on loopback"
  cluster_start "$work/cluster"
  redis_ports=("${cluster_ports[@]}")
  redis_conn=$cluster_endpoints
  log "cluster: $redis_conn"
}

payload='{"posts":["Cached post A","Cached post B"]}'
controller_payload='{"id":1,"name":"Cached item A, controller"}'   # 43 bytes, as the posts list
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$work/results.tsv"

# The 1,000-key rows need 1,001 entries on /api/posts/: the plain path (stored by the warm-up and the
# hot key) and the 1,000 pages. Under the default cap (CacheLayer:MaxVariantsPerPath, 1,000) one page
# is never stored and every request for it (0.1%) waits for the 20 ms origin; wrk corrects its
# latencies for coordinated omission (a request that took n intervals also counts for the n - 1 it
# delayed), so that 0.1% became about 1.5% of the samples and set CacheLayer's p99, which Output
# Caching (no cap) never paid. The cap is raised just enough.
room="CacheLayer__MaxVariantsPerPath=1001"

# CacheLayer__Benchmark__CeilingEndpoint is the ceiling's setting before the layer moved into
# CacheLayer.AspNetCore (SOURCE=<an older revision>); the current API ignores it.
start_server "API, memory tier on" "$work/api/CacheLayer.Api" "$room" \
  CacheLayer__MemoryTier__Enabled=true Demo__Benchmark__CeilingEndpoint=true CacheLayer__Benchmark__CeilingEndpoint=true
run ceiling "ceiling: static bytes (API)" "/bench/ceiling"
# The same ceiling through the Lua script: wrk's own cost of building 1,000 URLs, on the same two
# cores, then weighs on both sides of the 1,000-key ratios.
run ceiling_many "ceiling, 1,000 URLs" "/bench/ceiling" "$repo/bench/pages.lua"
run cl_hot "CacheLayer hit, hot key" "/api/posts/"
run cl_many "CacheLayer hit, 1,000 keys" "/api/posts/" "$repo/bench/pages.lua"
run ctrl_hot "CacheLayer hit, controller action" "/bench/controller/1"
run origin "origin: nocache, ${LATENCY_MS} ms" "/api/posts/?nocache=true"
stop_server

# Right after the API's hits, so the "/ bare" ratios compare neighbouring minutes of a shared machine.
start_server "bare Kestrel" "$work/bare/BareKestrel"
run bare_hot "bare Kestrel, hot key" "/api/posts/"
run bare_many "bare Kestrel, 1,000 URLs" "/api/posts/" "$repo/bench/pages.lua"
stop_server

# Right after bare Kestrel, for the same reason. Every page of bench/pages.lua (and the controller
# action) is stored once, one request after the other, before its scenario's wrk warm-up, so the
# measured runs are hits from the first request (keys/req 0.00 shows none was stored during them).
if [ "$lean" = yes ]; then
  start_server "lean host" "$work/lean/LeanHost" "$room" CacheLayer__MemoryTier__Enabled=true \
    CacheLayer__KeyPrefix="bench-$(od -An -tx4 -N4 /dev/urandom | tr -d ' \n')-lean:"
  run lean_hot "lean host: CacheLayer hit, hot key" "/api/posts/"
  curl -s -o /dev/null "$base/api/posts/?page=[1-1000]" || true
  run lean_many "lean host: CacheLayer hit, 1,000 keys" "/api/posts/" "$repo/bench/pages.lua"
  curl -s -o /dev/null "$base/bench/controller/1" || true
  run lean_ctrl_hot "lean host: CacheLayer hit, controller" "/bench/controller/1"
  stop_server
fi

start_server "API, every request traced" "$work/api/CacheLayer.Api" "$room" OTEL_TRACES_SAMPLER=always_on \
  CacheLayer__MemoryTier__Enabled=true Demo__Benchmark__CeilingEndpoint=true CacheLayer__Benchmark__CeilingEndpoint=true
run ceiling_traced "ceiling: static bytes, always_on" "/bench/ceiling"
run ceiling_many_traced "ceiling, 1,000 URLs, always_on" "/bench/ceiling" "$repo/bench/pages.lua"
run cl_hot_traced "CacheLayer hit, hot key, always_on" "/api/posts/"
run cl_many_traced "CacheLayer hit, 1,000 keys, always_on" "/api/posts/" "$repo/bench/pages.lua"
stop_server

start_server "API, memory tier off" "$work/api/CacheLayer.Api" "$room" CacheLayer__MemoryTier__Enabled=false
run off_hot "CacheLayer tier off, hot key" "/api/posts/"
run off_many "CacheLayer tier off, 1,000 keys" "/api/posts/" "$repo/bench/pages.lua"
stop_server

start_server "Output Caching peer" "$work/peer/OutputCachePeer"
run oc_hot "OutputCaching+Redis, hot key" "/api/posts/"
run oc_many "OutputCaching+Redis, 1,000 keys" "/api/posts/" "$repo/bench/pages.lua"
stop_server

start_server "API, 0 ms origin" "$work/api/CacheLayer.Api" \
  Demo__Origin__LatencyMs=0 CacheLayer__MaxVariantsPerPath=$MISS_MAX_VARIANTS
entry_bytes cl
run cl_miss "CacheLayer miss, 0 ms origin" "/api/posts/" "$repo/bench/distinct.lua"
entry_bytes_kib clk
stop_server

start_server "Output Caching peer, 0 ms" "$work/peer/OutputCachePeer" Demo__Origin__LatencyMs=0
entry_bytes oc
run oc_miss "OutputCaching+Redis miss, 0 ms" "/api/posts/" "$repo/bench/distinct.lua"
stop_server

if [ "$CLUSTER" != 0 ]; then
  use_cluster
  start_server "API on cluster, 0 ms" "$work/api/CacheLayer.Api" \
    Demo__Origin__LatencyMs=0 CacheLayer__MaxVariantsPerPath=$MISS_MAX_VARIANTS CacheLayer__KeyPrefix=
  entry_bytes cc
  run cc_hot "cluster: CacheLayer hit, hot key" "/api/posts/"
  run cc_many "cluster: CacheLayer hit, 1,000 keys" "/api/posts/" "$repo/bench/pages.lua"
  run cc_miss "cluster: CacheLayer miss, 0 ms" "/api/posts/" "$repo/bench/distinct.lua"
  stop_server
  cluster_stop
fi

echo
echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "date:    $(date -u '+%F %T UTC')"
echo "build:   CacheLayer.Api $SOURCE ($revision), .NET SDK $(dotnet --version), $(redis-server --version | awk '{print $1, $2, $3}'), $(wrk -v 2>&1 | awk 'NR==1 {print $1, $2}')"
echo "wrk:     -t$THREADS -c$CONNECTIONS -d$DURATION --latency on loopback; warm-up $WARMUP per process, $SCENARIO_WARMUP per scenario; 1,000 keys = bench/pages.lua, misses = bench/distinct.lua"
echo "redis:   one redis-server$([ "$CLUSTER" != 0 ] && echo "; cluster rows: 3 masters, no replicas, no KeyPrefix (bench/redis-cluster.sh)")"
echo "load:    $load_start (1/5/15 min) before the first process, $(cut -d' ' -f1-3 /proc/loadavg) after the last: well above 0 means something else shared the cores"
echo "peak RSS: VmHWM of the serving process during the measured run ($hwm_mode)"
echo "runtime: $((SECONDS - started)) s in all, $((published - started)) s of it publishing"
echo
python3 - "$work" <<'PY'
import os, re, sys

work = sys.argv[1]
rows, processes, sizes = [], [], []
for line in open(os.path.join(work, "results.tsv")):
    f = line.rstrip("\n").split("\t")
    if f[0] == "process":
        processes.append((f[1], int(f[2] or 0)))
    elif f[0] == "bytes":
        sizes.append(dict(key=f[1], process=f[2], entries=int(f[3]), body=int(f[4] or 0), used=int(f[5] or 0),
                          keys=int(f[6] or 0), usage=int(f[7] or 0), key_len=f[8], value_len=f[9],
                          entry_usage=f[10], entry_key=f[11] if len(f) > 11 else ""))
    else:
        rows.append(dict(key=f[1], name=f[2], process=f[3], hwm=int(f[4] or 0), redis=int(f[5]),
                         status=f[6], body_ok=f[7], headers=f[8], keys=int(f[9] or 0)))

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
def ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text or "")
    return float(m.group(1)) * UNITS[m.group(2)] if m else None

# What the probe must show: a CacheLayer hit says "hit" in Cache-Status, a miss "fwd=miss" and "stored";
# Output Caching has no Cache-Status, but its hits carry Age and its misses do not.
def cache_ok(r):
    k, h = r["key"].removesuffix("_traced"), r["headers"].lower()
    kind = "miss" if k.endswith("_miss") else "hit" if k.endswith(("_hot", "_many")) else None
    if kind is None or k.startswith(("ceiling", "bare")):
        return True
    if k.startswith("oc_"):
        return ("age:" in h) == (kind == "hit")
    return "cachelayer; hit" in h if kind == "hit" else "cachelayer; fwd=miss" in h and "; stored" in h

for r in rows:
    out = open(os.path.join(work, r["key"] + ".wrk")).read()
    grab = lambda pattern: (re.search(pattern, out, re.M) or [None, None])[1]
    r["rps"] = float(grab(r"^Requests/sec:\s+([\d.]+)") or 0)
    r["requests"] = int(grab(r"^\s*(\d+) requests in") or 0)
    r["p50"] = ms(grab(r"^\s+50%\s+(\S+)"))
    r["p99"] = ms(grab(r"^\s+99%\s+(\S+)"))
    r["non2xx"] = int(grab(r"Non-2xx or 3xx responses: (\d+)") or 0)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    r["errors"] = sum(map(int, errors.groups())) if errors else 0
    r["cache_ok"] = cache_ok(r)
    # A miss row is only a miss row if (nearly) every request left a new key in Redis.
    r["stored_ok"] = not r["key"].endswith("_miss") or (r["requests"] > 0 and r["keys"] >= 0.9 * r["requests"])
    r["bad"] = (r["non2xx"] > 0 or r["errors"] > 0 or r["status"] != "200" or r["body_ok"] != "yes"
                or not r["rps"] or not r["cache_ok"] or not r["stored_ok"])
by = {r["key"]: r for r in rows}

def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "n/a"
def lat(v):
    return "n/a" if v is None else (f"{v:.2f}ms" if v < 1000 else f"{v / 1000:.2f}s")

ceiling = by.get("ceiling", {})
order = ["ceiling", "ceiling_many", "cl_hot", "cl_many", "ctrl_hot", "bare_hot", "bare_many", "lean_hot", "lean_many",
         "lean_ctrl_hot", "ceiling_traced", "ceiling_many_traced", "cl_hot_traced", "cl_many_traced", "off_hot", "off_many", "oc_hot", "oc_many", "origin",
         "cl_miss", "oc_miss", "cc_hot", "cc_many", "cc_miss"]
head = ("scenario", "req/s", "p50", "p99", "req/s/ceil", "p99/ceil", "redis/req", "keys/req", "non-2xx", "sock err", "peak RSS")
widths = (37, 9, 8, 8, 10, 8, 9, 8, 7, 8, 8)
fmt = "| " + " | ".join(("{:<%d}" if i == 0 else "{:>%d}") % w for i, w in enumerate(widths)) + " |"
print(fmt.format(*head))
print("|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|")
for key in order:
    r = by.get(key)
    if not r:
        continue
    name = r["name"] + (" !" if r["bad"] else "")
    # Rows driven by a Lua script compare with the ceiling driven by one: wrk's own work shares the cores.
    # Rows with every request traced compare with the ceiling traced likewise.
    suffix = "_traced" if key.endswith("_traced") else ""
    plain = key.removesuffix("_traced")
    base = by.get("ceiling" + suffix, ceiling)
    if plain.endswith(("_many", "_miss")):
        base = by.get("ceiling_many" + suffix, base)
    print(fmt.format(name, f"{r['rps']:.0f}", lat(r["p50"]), lat(r["p99"]),
                     ratio(r["rps"], base.get("rps")), ratio(r["p99"], base.get("p99")),
                     f"{r['redis'] / r['requests']:.2f}" if r["requests"] else "n/a",
                     f"{r['keys'] / r['requests']:.2f}" if r["requests"] else "n/a",
                     r["non2xx"], r["errors"], f"{r['hwm'] // 1024} MiB"))

traced = [(what, by.get(a), by.get(b)) for what, a, b in [
    ("ceiling: static bytes (API)", "ceiling", "ceiling_traced"),
    ("ceiling, 1,000 URLs", "ceiling_many", "ceiling_many_traced"),
    ("CacheLayer hit, hot key", "cl_hot", "cl_hot_traced"),
    ("CacheLayer hit, 1,000 keys", "cl_many", "cl_many_traced")] if by.get(a) and by.get(b)]
if traced:
    print()
    print("sampling: the default outside Development (parent-based, 1 in 10 of the requests that start a trace)")
    print("against every request traced (OTEL_TRACES_SAMPLER=always_on); no exporter either way:")
    twidths = (27, 11, 9, 13, 11, 14)
    tfmt = "| " + " | ".join(("{:<%d}" if i == 0 else "{:>%d}") % w for i, w in enumerate(twidths)) + " |"
    print(tfmt.format("scenario", "req/s, 10%", "p99, 10%", "req/s, always", "p99, always", "always / 10%"))
    print("|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(twidths)) + "|")
    for what, a, b in traced:
        flag = " !" if a["bad"] or b["bad"] else ""
        print(tfmt.format(what + flag, f"{a['rps']:.0f}", lat(a["p99"]), f"{b['rps']:.0f}", lat(b["p99"]), ratio(b["rps"], a["rps"])))

print()
print("peak RSS per process (max of its warm-up and scenarios):")
for label, warm in processes:
    peak = max([warm] + [r["hwm"] for r in rows if r["process"] == label])
    print(f"  {label:<27} {peak // 1024:>5} MiB")

def pair(a, b, what, target=""):
    x, y = by.get(a), by.get(b)
    if not x or not y:
        return
    flag = "  (! a scenario had errors or wrong cache outcomes)" if x["bad"] or y["bad"] else ""
    print(f"  {what:<52} req/s {ratio(x['rps'], y['rps']):>7}   p99 {ratio(x['p99'], y['p99']):>7}"
          f"{'   ' + target if target else ''}{flag}")
print()
print("headline ratios (req/s: higher is better; p99: lower is better; targets from issue 10):")
pair("cl_hot", "ceiling", "CacheLayer hit / ceiling, hot key", "target req/s >= 0.95x")
pair("cl_many", "ceiling_many", "CacheLayer hit / ceiling, 1,000 keys", "target req/s >= 0.9x")
pair("cl_many", "oc_many", "CacheLayer / Output Caching, 1,000 keys", "target p99 <= 1.5x")
pair("cl_hot", "oc_hot", "CacheLayer / Output Caching, hot key")
pair("off_hot", "oc_hot", "CacheLayer tier off / Output Caching, hot key")
pair("off_many", "oc_many", "CacheLayer tier off / Output Caching, 1,000 keys")
pair("cl_hot", "origin", "CacheLayer hit / origin, hot key")
pair("cl_hot_traced", "ceiling_traced", "always_on: CacheLayer hit / ceiling, hot key")
pair("cl_many_traced", "ceiling_many_traced", "always_on: CacheLayer hit / ceiling, 1,000 keys")
pair("cl_miss", "oc_miss", "CacheLayer miss / Output Caching miss", "target req/s >= 1.0x")
pair("cc_hot", "ceiling", "cluster: CacheLayer hit / ceiling, hot key", "target req/s >= 0.95x")
pair("cc_many", "ceiling_many", "cluster: CacheLayer hit / ceiling, 1,000 keys", "target req/s >= 0.9x")
pair("cc_miss", "oc_miss", "cluster: CacheLayer miss / Output Caching miss")
pair("cc_hot", "cl_hot", "cluster / one redis-server: CacheLayer, hot key")
pair("cc_many", "cl_many", "cluster / one redis-server: CacheLayer, 1,000 keys")
pair("cc_miss", "cl_miss", "cluster / one redis-server: CacheLayer, misses")
print()
print("against bare Kestrel (bench/BareKestrel: the same bytes, nothing else in the process) and Output Caching:")
pair("cl_hot", "bare_hot", "CacheLayer hit / bare Kestrel, hot key", "target req/s >= 0.95x")
pair("cl_many", "bare_many", "CacheLayer hit / bare Kestrel, 1,000 keys", "target req/s >= 0.9x")
pair("cl_many", "oc_many", "CacheLayer hit / Output Caching+Redis, 1,000 keys", "target req/s >= 1.5x")
pair("ctrl_hot", "bare_hot", "CacheLayer controller hit / bare Kestrel, hot key", "target req/s >= 0.9x")
pair("ctrl_hot", "cl_hot", "CacheLayer controller hit / minimal-API hit, hot key")
pair("ceiling", "bare_hot", "API ceiling (static bytes) / bare Kestrel, hot key")
pair("ceiling_many", "bare_many", "API ceiling / bare Kestrel, 1,000 URLs")
if by.get("lean_hot") or by.get("lean_many"):
    print()
    print("lean host (bench/LeanHost: the library alone in a slim host, no service defaults or telemetry) against")
    print("bare Kestrel, Output Caching and the API's own hits:")
    pair("lean_hot", "bare_hot", "lean hit / bare Kestrel, hot key", "target req/s >= 0.95x")
    pair("lean_many", "bare_many", "lean hit / bare Kestrel, 1,000 keys", "target req/s >= 0.9x")
    pair("lean_many", "oc_many", "lean hit / Output Caching+Redis, 1,000 keys", "target req/s >= 1.5x")
    pair("lean_ctrl_hot", "bare_hot", "lean controller hit / bare Kestrel, hot key", "target req/s >= 0.9x")
    pair("lean_hot", "cl_hot", "lean hit / API hit, hot key")
    pair("lean_many", "cl_many", "lean hit / API hit, 1,000 keys")
    pair("lean_ctrl_hot", "ctrl_hot", "lean controller hit / API controller hit, hot key")

if sizes:
    names = {"cl": "CacheLayer", "oc": "Output Caching", "cc": "CacheLayer, cluster", "clk": "CacheLayer, 1 KiB"}
    print()
    print(f"Redis bytes per stored entry (pages of /api/posts/ stored one by one into an emptied Redis: {sizes[0]['entries']:,} of 12 B, and 1 KiB ones;")
    print("bytes/entry = MEMORY USAGE summed over every key, bookkeeping included, / entries; the entry = one page's own key;")
    print("used_memory = INFO's used_memory after minus before, / entries; entry's own = MEMORY USAGE of the entry's key alone;")
    print("overhead = bytes/entry - body - key, so bytes/entry <= 2x (body + key), issue 10's target, holds from body + key >= overhead):")
    swidths = (21, 6, 11, 11, 6, 5, 7, 11, 8, 11)
    sfmt = "| " + " | ".join(("{:<%d}" if i == 0 else "{:>%d}") % w for i, w in enumerate(swidths)) + " |"
    print(sfmt.format("store", "keys", "bytes/entry", "used_memory", "body B", "key B", "value B", "entry's own", "overhead", "/(body+key)"))
    print("|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(swidths)) + "|")
    for s in sizes:
        n = s["entries"]
        stored = s["keys"] >= n and s["key_len"] != ""
        per = s["usage"] / n if stored else None
        key_len = int(s["key_len"]) if s["key_len"] else None
        print(sfmt.format(names.get(s["key"], s["key"]) + ("" if stored else " !"), s["keys"],
                          f"{per:.0f}" if per else "n/a", f"{s['used'] / n:.0f}" if stored else "n/a",
                          s["body"], key_len if key_len is not None else "n/a", s["value_len"] or "n/a",
                          s["entry_usage"] or "n/a",
                          f"{per - s['body'] - key_len:.0f}" if per and key_len else "n/a",
                          f"{per / (s['body'] + key_len):.2f}x" if per and key_len else "n/a"))
    for s in sizes:
        print(f"  {names.get(s['key'], s['key'])} entry key: {s['entry_key'] or '(none found)'}")
    if any(s["keys"] < s["entries"] or not s["key_len"] for s in sizes):
        print("  ! = fewer keys than entries, or no entry key found: the server did not store (e.g. store-unavailable)")

print()
misses = [by.get(k) for k in ("cl_miss", "oc_miss", "cc_miss") if by.get(k) and by.get(k)["requests"]]
if misses:
    print()
    print("Redis commands per miss (INFO's total_commands_processed over the measured run, commands inside scripts included, / requests;")
    print("issue 21's target: at most 4 on the request path + 1 amortized for indexes and bookkeeping):")
    for r in misses:
        print(f"  {r['name']:<37} {r['redis'] / r['requests']:.2f}")

print()
print("checks (one request as wrk sends it, after the scenario's warm-up):")
for key in order:
    r = by.get(key)
    if r:
        notes = []
        if not r["cache_ok"]:
            notes.append("NOT the expected cache outcome")
        if not r["stored_ok"]:
            notes.append(f"only {r['keys']} new Redis keys for {r['requests']} requests")
        print(f"  {r['name']:<37} HTTP {r['status'] or '-'}, body {'ok' if r['body_ok'] == 'yes' else 'DIFFERENT'}"
              f"{', ' + r['headers'] if r['headers'] else ''}{'  ! ' + '; '.join(notes) if notes else ''}")
if any(r["bad"] for r in rows):
    print("  ! = non-2xx responses, socket errors, a wrong status, body or cache outcome, misses that did not store,")
    print("      or no result: that row is not a fair figure")
PY
