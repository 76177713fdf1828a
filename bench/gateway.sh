#!/usr/bin/env bash
# The gateway against the caching proxies people already run, all on loopback and in one run: CacheLayer.Gateway
# (Release, on a throw-away redis-server), Varnish (Debian's varnish, default VCL, `-b` the origin, `-s malloc,256m`)
# and nginx proxy_cache (Debian's nginx-light, bench/gateway/nginx.conf: freshness from the origin's headers,
# revalidation, use_stale) in front of the same origin: bench/BareKestrel's GET /items/{n}, 1,024 bytes,
# `Cache-Control: public, max-age=3600` and an ETag.
#   bash bench/gateway.sh                    # DURATION=10s CONNECTIONS=64 THREADS=2 WARMUP=5s by default
#   DURATION=5s bash bench/gateway.sh        # a quick look
#   BENCH_OUT=/tmp/g bash bench/gateway.sh   # also keep wrk's raw output, the servers' logs and the nginx.conf there
# For each peer in turn: every item /items/1..KEYS (1,000) is asked once, one after the other, so each is stored;
# a WARMUP of wrk on the hot key and 1 s over the KEYS keys; one probe request of each scenario (its cache headers printed); then the measured
# runs with wrk -t$THREADS -c$CONNECTIONS: the hot key (/items/1) and KEYS keys (bench/gateway/items.lua cycles through
# /items/1..KEYS). The origin counts the /items requests it answers (GET /origin/requests): "origin reqs" is how many
# reached it during the measured runs, 0 when every one was a hit. A peer whose count is not 0 is marked "NOT all
# hits". Until CacheLayer.Gateway caches (.CacheFromOrigin() honouring the origin's headers), its rows are proxying.
# The three peers run side by side (idle while another is measured); the load average before the first process and
# after the last says how much else shared the two cores. Needs wrk, redis-server, curl, python3 and the .NET SDK;
# varnish and nginx-light are installed with apt-get when missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}
KEYS=${KEYS:-1000}
HOT=/items/1

command_line="$(printf '%s ' DURATION="$DURATION" CONNECTIONS="$CONNECTIONS" THREADS="$THREADS" WARMUP="$WARMUP" KEYS="$KEYS")bash bench/gateway.sh"
started=$SECONDS
work=$(mktemp -d)
# Varnish's workers run as its own user (vcache) and need to reach their working directory under here.
chmod 755 "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
log() { echo "[$(date +%T)] $*" >&2; }

pids=()
redis_port=""
cleanup() {
  local pid
  [ -f "$work/nginx/nginx.pid" ] && pids+=("$(cat "$work/nginx/nginx.pid" 2>/dev/null || true)")
  for pid in "${pids[@]}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    [ -n "$pid" ] || continue
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ -n "$redis_port" ]; then
    timeout 5 redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  fi
  wait 2>/dev/null || true
  if [ -n "${BENCH_OUT:-}" ]; then
    mkdir -p "$BENCH_OUT" && cp -r "$work"/*.wrk "$work"/*.log "$work/nginx/nginx.conf" "$work/nginx/error.log" "$BENCH_OUT"/ 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

missing=()
command -v varnishd >/dev/null || missing+=(varnish)
command -v nginx >/dev/null || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "needs ${missing[*]}: apt-get install -y ${missing[*]} (as root)" >&2; exit 1; fi
  log "installing ${missing[*]}"
  apt-get install -y "${missing[@]}" >"$work/apt.log" 2>&1 || { apt-get update >>"$work/apt.log" 2>&1 && apt-get install -y "${missing[@]}" >>"$work/apt.log" 2>&1; } \
    || { tail -20 "$work/apt.log" >&2; exit 1; }
fi
for tool in wrk redis-server redis-cli curl python3 dotnet varnishd nginx; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install -y wrk redis-server curl python3 varnish nginx-light)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run as root: nginx runs its workers as root, Varnish drops to its own user" >&2; exit 1; }

# Built from a copy of the sources, so a build running in the repository at the same time is not disturbed.
mkdir -p "$work/src"
tar --exclude=./.git --exclude='*/bin' --exclude='*/obj' --exclude=./TestResults -cf - . | tar -xf - -C "$work/src"
revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
[ -n "$(git status --porcelain -- CacheLayer.Gateway CacheLayer.AspNetCore CacheLayer.ServiceDefaults bench 2>/dev/null)" ] && revision+=", with uncommitted changes"
build() { # PROJECT OUTDIR
  if ! dotnet build "$work/src/$1" -c Release -o "$2" --nologo -v quiet >"$work/build.log" 2>&1; then
    grep -E 'error|warning' "$work/build.log" | sort -u | head -20 >&2 || true
    echo "build of $1 failed" >&2
    exit 1
  fi
}
log "building CacheLayer.Gateway and bench/BareKestrel (Release) at $revision"
build CacheLayer.Gateway "$work/gateway"
build bench/BareKestrel "$work/origin"
built=$SECONDS

wait_for() { # NAME URL: up to 20 s
  for _ in $(seq 1 200); do curl -s -o /dev/null "$2" && return 0; sleep 0.1; done
  echo "$1 did not start; its log:" >&2
  tail -30 "$work/$1.log" >&2 || true
  exit 1
}
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

origin_port=$(free_port)
origin="http://127.0.0.1:$origin_port"
ASPNETCORE_URLS="$origin" ASPNETCORE_ENVIRONMENT=Production "$work/origin/BareKestrel" >"$work/origin.log" 2>&1 &
pids+=($!)
wait_for origin "$origin/alive"
origin_requests() { curl -s "$origin/origin/requests"; }

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log" >/dev/null
for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

gateway_port=$(free_port)
# From its own directory: the content root, whose appsettings.json holds the catch-all route to cluster "origin".
(cd "$work/gateway" && exec env ASPNETCORE_URLS="http://127.0.0.1:$gateway_port" ASPNETCORE_ENVIRONMENT=Production \
  Logging__LogLevel__Default=Warning \
  ConnectionStrings__cache="127.0.0.1:$redis_port" \
  ReverseProxy__Clusters__origin__Destinations__d1__Address="$origin/" \
  dotnet CacheLayer.Gateway.dll) >"$work/gateway.log" 2>&1 &
pids+=($!)
wait_for gateway "http://127.0.0.1:$gateway_port/alive"

varnish_port=$(free_port)
varnishd -F -a "127.0.0.1:$varnish_port" -b "127.0.0.1:$origin_port" -s malloc,256m -n "$work/varnish" \
  -T none >"$work/varnish.log" 2>&1 &
pids+=($!)
wait_for varnish "http://127.0.0.1:$varnish_port/origin/requests"

nginx_port=$(free_port)
mkdir -p "$work/nginx"
sed -e "s|@DIR@|$work/nginx|g" -e "s|@PORT@|$nginx_port|g" -e "s|@ORIGIN@|$origin_port|g" \
  bench/gateway/nginx.conf >"$work/nginx/nginx.conf"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" >"$work/nginx.log" 2>&1 &
pids+=($!)
wait_for nginx "http://127.0.0.1:$nginx_port/origin/requests"

peers=(gateway varnish nginx)
declare -A port=([gateway]=$gateway_port [varnish]=$varnish_port [nginx]=$nginx_port)
declare -A pid_of=([gateway]=${pids[1]} [varnish]=${pids[2]} [nginx]=${pids[3]})
declare -A label=([gateway]="CacheLayer.Gateway" [varnish]="Varnish" [nginx]="nginx proxy_cache")

# probe PEER PATH: one request's status and cache headers, as wrk will send it.
probe() {
  curl -s -o /dev/null -D - "http://127.0.0.1:${port[$1]}$2" | tr -d '\r' \
    | awk 'NR == 1 {s = $2} tolower($1) ~ /^(cache-status|x-cache|x-cache-status|x-varnish|age|etag):$/ {h = h (h ? "; " : "") $0} END {print s " " h}'
}
wrk_run() { # KEY PEER DURATION PATH [LUA ARGS...]: wrk's output in $work/KEY.wrk
  local key=$1 peer=$2 duration=$3 path=$4
  shift 4
  local script=() script_args=()
  [ $# -gt 0 ] && { script=(-s "$1"); script_args=(-- "${@:2}"); }
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency "${script[@]}" "http://127.0.0.1:${port[$peer]}$path" "${script_args[@]}" \
    >"$work/$key.wrk" 2>&1 || true
}

: >"$work/results.tsv"
for peer in "${peers[@]}"; do
  base="http://127.0.0.1:${port[$peer]}"
  log "${label[$peer]} on $base: storing /items/1..$KEYS, warming up $WARMUP on $HOT"
  curl -s -o /dev/null "$base/items/[1-$KEYS]" || true
  wrk_run "${peer}_warmup" "$peer" "$WARMUP" "$HOT"
  wrk_run "${peer}_warmup_keys" "$peer" 1s / "$repo/bench/gateway/items.lua" "$KEYS"
  hot_probe=$(probe "$peer" "$HOT")
  keys_probe=$(probe "$peer" "/items/$((KEYS / 2))")
  before=$(origin_requests)
  log "${label[$peer]}: hot key $DURATION"
  wrk_run "${peer}_hot" "$peer" "$DURATION" "$HOT"
  log "${label[$peer]}: $KEYS keys $DURATION"
  wrk_run "${peer}_keys" "$peer" "$DURATION" / "$repo/bench/gateway/items.lua" "$KEYS"
  after=$(origin_requests)
  kill -0 "${pid_of[$peer]}" 2>/dev/null \
    || { echo "${label[$peer]} exited during its runs; its log:" >&2; tail -30 "$work/$peer.log" >&2; exit 1; }
  printf '%s\t%s\t%s\t%s\n' "$peer" "$((after - before))" "$hot_probe" "$keys_probe" >>"$work/results.tsv"
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "command: $command_line"
echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "date:    $(date -u '+%F %T UTC')"
echo "build:   CacheLayer.Gateway $revision (Release), .NET SDK $(dotnet --version), $(redis-server --version | awk '{print $1, $2, $3}')"
echo "peers:   $(varnishd -V 2>&1 | awk 'NR == 1 {print $1, $2}' | tr -d '()'), $(nginx -v 2>&1 | sed 's|.*: ||'), $(wrk -v 2>&1 | awk 'NR==1 {print $1, $2}')"
echo "wrk:     -t$THREADS -c$CONNECTIONS -d$DURATION --latency on loopback; $WARMUP warm-up per peer; $KEYS keys = bench/gateway/items.lua; body 1,024 B"
echo "load:    $load_start (1/5/15 min) before the first process, $load_end after the last: well above 0 means something else shared the cores"
echo "runtime: $((SECONDS - started)) s in all, $((built - started)) s of it building"
echo
python3 - "$work" <<'PY'
import os, re, sys

work = sys.argv[1]
labels = {"gateway": "CacheLayer.Gateway", "varnish": "Varnish", "nginx": "nginx proxy_cache"}

def parse(key):
    text = open(os.path.join(work, key + ".wrk")).read()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    def latency(p):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % p, text, re.M)
        if not m:
            return "-"
        value = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
        return f"{value:.2f} ms"
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors:.*", text)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": latency(50), "p99": latency(99),
        "bad": int(bad.group(1)) if bad else 0,
        "errors": errors.group(0) if errors else "",
    }

rows = {}
for line in open(os.path.join(work, "results.tsv")):
    peer, origin, hot_probe, keys_probe = line.rstrip("\n").split("\t")
    rows[peer] = {"origin": int(origin), "hot": parse(peer + "_hot"), "keys": parse(peer + "_keys"),
                  "hot_probe": hot_probe, "keys_probe": keys_probe}

print("| peer | hot key req/s | p50 | p99 | 1,000 keys req/s | p50 | p99 | origin reqs during runs |")
print("|---|--:|--:|--:|--:|--:|--:|--:|")
for peer, r in rows.items():
    mark = "" if r["origin"] == 0 else " (NOT all hits)"
    print(f"| {labels[peer]} | {r['hot']['rps']:,.0f} | {r['hot']['p50']} | {r['hot']['p99']} | "
          f"{r['keys']['rps']:,.0f} | {r['keys']['p50']} | {r['keys']['p99']} | {r['origin']:,}{mark} |")
print()
print("| ratio (req/s) | target | hot key | 1,000 keys |")
print("|---|---|--:|--:|")
g = rows.get("gateway")
for peer, target in (("varnish", "≥ 1.0x"), ("nginx", "≥ 0.9x")):
    if g and peer in rows:
        ratio = lambda s: f"{g[s]['rps'] / rows[peer][s]['rps']:.2f}x" if rows[peer][s]["rps"] else "-"
        print(f"| gateway / {labels[peer]} | {target} | {ratio('hot')} | {ratio('keys')} |")
print()
print("probes (status and cache headers of one request per scenario, after the warm-up):")
for peer, r in rows.items():
    print(f"  {labels[peer]:<20} hot key:  {r['hot_probe']}")
    print(f"  {'':<20} 1,000 keys: {r['keys_probe']}")
problems = []
for peer, r in rows.items():
    for s in ("hot", "keys"):
        if r[s]["bad"]:
            problems.append(f"{labels[peer]} {s}: {r[s]['bad']} non-2xx/3xx answers")
        if r[s]["errors"]:
            problems.append(f"{labels[peer]} {s}: {r[s]['errors']}")
    if r["origin"]:
        problems.append(f"{labels[peer]}: {r['origin']:,} requests reached the origin during the measured runs (not all hits)")
print()
print("\n".join(problems) if problems else "every measured request was a hit (the origin saw none), no non-2xx answer, no socket error")
PY
