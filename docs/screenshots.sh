#!/usr/bin/env bash
# Makes the README's pictures (docs/images/*.png) from one real AppHost run:
# builds, starts `dotnet run --project CacheLayer.AppHost` (dashboard :15080, API :5080, Prometheus :9090),
# sends loopback traffic for a few minutes, takes the pictures with headless Chromium (docs/screenshots.mjs),
# then stops the AppHost and everything it started. Bounded in time (SCREENSHOTS_TIME_LIMIT, seconds).
# Needs: the .NET SDK, node and npm, chromium (apt-get install chromium), curl, prometheus on PATH.
# Usage: bash docs/screenshots.sh
set -euo pipefail

time_limit=${SCREENSHOTS_TIME_LIMIT:-1200}
if [[ -z ${SCREENSHOTS_BOUNDED:-} ]]; then
  # Re-run under timeout: on expiry the trap below still stops the AppHost.
  exec env SCREENSHOTS_BOUNDED=1 timeout --kill-after=120 "$time_limit" bash "$0" "$@"
fi

docs=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$docs")
out=$docs/images
traffic_seconds=${SCREENSHOTS_TRAFFIC_SECONDS:-180}
api=http://localhost:5080
prometheus=http://localhost:9090
log=''
run_pid=''
traffic_pid=''
sessions=()

say() { printf '%s screenshots: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
fail() { say "$*"; exit 1; }

# Polls until the command succeeds or the seconds run out.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "gave up after ${seconds}s waiting for $what (AppHost log: $log)"
    [[ -n $run_pid ]] && ! kill -0 "$run_pid" 2>/dev/null && fail "the AppHost exited (log: $log)"
    sleep 1
  done
}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Processes left in the sessions of this run: dotnet run and the AppHost, DCP, redis-server, prometheus, the replicas.
leftovers() {
  local sid pids=''
  for sid in "$run_pid" "${sessions[@]}"; do
    pids+=" $(ps -eo pid=,sid= | awk -v s="$sid" '$2 == s { print $1 }')"
  done
  echo $pids
}

stop_apphost() {
  [[ -n $traffic_pid ]] && kill "$traffic_pid" 2>/dev/null || true
  [[ -z $run_pid ]] && return
  say "stopping the AppHost"
  # SIGTERM, which the .NET host handles as Ctrl+C (a background job starts with SIGINT ignored):
  # the AppHost stops, and DCP then stops the resources it started.
  kill -TERM -- "-$run_pid" 2>/dev/null || true
  local signal deadline pids
  for signal in '' TERM KILL; do
    if [[ -n $signal ]]; then
      say "sending $signal to leftover processes: $pids"
      kill -"$signal" $pids 2>/dev/null || true
    fi
    deadline=$((SECONDS + 30))
    while pids=$(leftovers) && [[ -n $pids ]] && ((SECONDS < deadline)); do sleep 1; done
    [[ -z $pids ]] && break
  done
  run_pid=''
}
trap 'stop_apphost' EXIT
trap 'exit 143' TERM INT

# Sessions DCP made for this run: its API server watches the AppHost's pid, its controllers are its children.
dcp_sessions() {
  local apphost server
  apphost=$(pgrep -P "$run_pid" -f 'CacheLayer.AppHost' | head -1) || return 1
  server=$(pgrep -f "dcp start-apiserver --monitor $apphost( |$)" | head -1) || return 1
  ps -o sid= -p "$(pgrep -P "$server" | tr '\n' ',')$server" | awk '{ print $1 }' | sort -u
}

# Bounded loopback traffic: mostly hits (memory tier, and redis tier after an invalidation), a few misses and bypasses.
traffic() {
  local until=$((SECONDS + traffic_seconds)) i=0
  while ((SECONDS < until)); do
    curl -s -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
      "$api/api/posts/" "$api/api/users/1" "$api/api/users/2" "$api/api/greeting" || true
    i=$((i + 1))
    if ((i % 10 == 0)); then
      curl -s -o /dev/null -X PUT "$api/api/users/1" -H 'Content-Type: application/json' -d '{"name":"Updated User A"}' || true
      curl -s -o /dev/null "$api/api/posts/?nocache=true" -o /dev/null "$api/api/greeting" -H 'Accept-Language: fr' || true
    fi
    if ((i % 40 == 0)); then
      curl -s -o /dev/null -X POST "$api/api/posts/" -H 'Content-Type: application/json' -d '{"title":"New Post A"}' || true
    fi
    sleep 0.1
  done
}

((traffic_seconds >= 60)) || fail "SCREENSHOTS_TRAFFIC_SECONDS must be at least 60 (rates over a minute are charted)"
for tool in dotnet node npm curl; do
  command -v "$tool" >/dev/null || fail "$tool is not on PATH"
done
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[[ -x $chromium ]] || fail "no chromium on PATH (apt-get install chromium), or set CHROMIUM"
command -v prometheus >/dev/null || fail "prometheus is not on PATH (apt-get install prometheus): the AppHost would not run it"
for port in 15080 5080 9090; do
  port_taken "$port" && fail "port $port is taken: is another AppHost running? Stop it first."
done

if [[ ! -d $docs/node_modules/puppeteer-core ]]; then
  say "installing puppeteer-core into docs/node_modules"
  npm ci --prefix "$docs" --no-audit --no-fund >&2
fi

say "building"
dotnet build "$root/CacheLayer.AppHost" -nologo -v quiet >&2

log=$(mktemp -t cachelayer-screenshots-apphost.XXXXXX.log)
say "starting the AppHost (log: $log)"
cd "$root"
setsid dotnet run --project CacheLayer.AppHost --no-build >"$log" 2>&1 </dev/null &
run_pid=$!

wait_for 180 "the dashboard's login link" grep -q 'Login to the dashboard at http' "$log"
login=$(grep -o 'http://localhost:15080/login?t=[0-9a-f]*' "$log" | head -1)
[[ -n $login ]] || fail "the login link is not on port 15080 (log: $log)"
wait_for 30 "DCP" dcp_sessions
mapfile -t sessions < <(dcp_sessions)
wait_for 180 "the API at $api" curl -sf "$api/health"
wait_for 120 "Prometheus to scrape both replicas" \
  bash -c "[[ \$(curl -sf '$prometheus/api/v1/targets?state=active' | grep -o '\"health\":\"up\"' | wc -l) -ge 2 ]]"

say "traffic for ${traffic_seconds}s"
traffic &
traffic_pid=$!
# The pictures are taken while the traffic still runs, so the last minute's rates are not falling off.
sleep $((traffic_seconds - 30))

say "taking the pictures"
CHROMIUM=$chromium PROMETHEUS_URL=$prometheus timeout 300 node "$docs/screenshots.mjs" "$login" "$out"
wait "$traffic_pid" || true
traffic_pid=''
stop_apphost
rm -f "$log"
say "done: $(cd "$out" && ls *.png | tr '\n' ' ')"
