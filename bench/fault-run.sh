#!/usr/bin/env bash
# Fault-injection load run: the API (Release) against a throw-away redis-server, all on loopback.
# Drives load for DURATION seconds while redis-server is stopped and restarted twice and paused once, and
# the demo origin is down for 6 s (see bench/fault_run.py), then prints requests sent, 5xx, stale reads, the outage's GETs per
# path (200 fresh / 200 stale / 503), invalidated bodies served (a key the admin deleted during the outage), p50/p99 latency
# during and outside the faults, and a count of the API's warn/fail log lines.
#   bash bench/fault-run.sh                  # DURATION=75 (seconds, at least 60)
#   bash bench/fault-run.sh --duration 60    # the same as DURATION=60
#   SOURCE=HEAD bash bench/fault-run.sh      # build a git revision instead of the working tree
# The API is built from a copy of the sources (the working tree by default), so a build running in the
# repository at the same time is not disturbed. Exits non-zero when the run saw a 5xx (other than the origin's 503s during
# its outage), a stale read, an invalidated body served, a connection error or a failed fault injection.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-75}
SOURCE=${SOURCE:-worktree}
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) [ $# -ge 2 ] || { echo "--duration needs a value" >&2; exit 2; }; DURATION=$2; shift 2 ;;
    --duration=*) DURATION=${1#--duration=}; shift ;;
    *) echo "unknown argument '$1' (the only flag is --duration N; SOURCE is set in the environment)" >&2; exit 2 ;;
  esac
done
if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || [ "$DURATION" -lt 60 ]; then
  echo "DURATION must be a whole number of seconds, at least 60 (got '$DURATION')" >&2
  exit 2
fi

command -v redis-server >/dev/null || { echo "redis-server is needed: apt-get install -y redis-server" >&2; exit 1; }
command -v redis-cli >/dev/null || { echo "redis-cli is needed: apt-get install -y redis-tools" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
redis_pidfile="$work/redis.pid"

cleanup() {
  if [ -n "${api_pid:-}" ]; then
    kill "$api_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$api_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$api_pid" 2>/dev/null || true
  fi
  if [ -n "${redis_port:-}" ]; then
    # Our redis-server only: by its pidfile (the port may be reused by the fault run's restarts).
    local pid=""
    [ -f "$redis_pidfile" ] && pid=$(cat "$redis_pidfile" 2>/dev/null || true)
    timeout 5 redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
    if [ -n "$pid" ]; then
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Copy the sources so the publish neither reads a half-written bin/obj nor writes into the repository's.
mkdir -p "$work/src"
if [ "$SOURCE" = worktree ]; then
  tar --exclude=./.git --exclude='*/bin' --exclude='*/obj' -cf - . | tar -xf - -C "$work/src"
else
  git archive --format=tar "$SOURCE" | tar -xf - -C "$work/src"
fi
echo "building CacheLayer.Api (Release) from $SOURCE ($(git rev-parse --short "$([ "$SOURCE" = worktree ] && echo HEAD || echo "$SOURCE")")$([ "$SOURCE" = worktree ] && [ -n "$(git status --porcelain -- CacheLayer.Api CacheLayer.AspNetCore CacheLayer.ServiceDefaults)" ] && echo ', with uncommitted changes'))"
if ! dotnet publish "$work/src/CacheLayer.Api" -c Release -o "$work/api" --nologo -v quiet >"$work/publish.log" 2>&1; then
  grep -E 'error|Error' "$work/publish.log" | sort -u | head -20 >&2 || true
  echo "publish failed; try SOURCE=HEAD to build the last commit" >&2
  exit 1
fi
if [ ! -x "$work/api/CacheLayer.Api" ]; then
  # Seen once with other builds running on the machine: publish exited 0 without writing the app.
  echo "publish exited 0 but wrote no $work/api/CacheLayer.Api; the end of its log:" >&2
  tail -20 "$work/publish.log" >&2
  exit 1
fi

# The same command is used by fault_run.py to restart it on the same port.
redis_port=$(free_port)
redis_args=(--port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes
            --pidfile "$redis_pidfile" --dir "$work" --logfile "$work/redis.log")
# Redis 7 refuses DEBUG (used for the pause) unless enabled; "local" allows it over loopback only.
redis_major=$(redis-server --version | sed -n 's/.* v=\([0-9]*\)\..*/\1/p')
[ "${redis_major:-0}" -ge 7 ] && redis_args+=(--enable-debug-command local)
redis-server "${redis_args[@]}" >/dev/null
for _ in $(seq 1 50); do [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done

api_port=$(free_port)
base="http://127.0.0.1:$api_port"
admin_key="bench-$(od -An -tx8 -N16 /dev/urandom | tr -d ' \n')"
# Short TTLs, so that entries expire during the faults as they would in a longer run.
ConnectionStrings__cache="127.0.0.1:$redis_port" \
CacheLayer__AdminApiKey="$admin_key" \
Demo__Ttl__Users=00:00:05 Demo__Ttl__Posts=00:00:05 \
CacheLayer__UserKeySalt="bench-$(od -An -tx8 -N16 /dev/urandom | tr -d ' \n')" \
Demo__Origin__LatencyMs=20 \
ASPNETCORE_URLS="$base" Logging__LogLevel__Default=Warning \
  "$work/api/CacheLayer.Api" >"$work/api.log" 2>&1 &
api_pid=$!
up=0
for _ in $(seq 1 150); do curl -sf -o /dev/null "$base/alive" && { up=1; break; }; sleep 0.1; done
if [ "$up" != 1 ]; then
  echo "the API did not answer /alive within 15 s; its log:" >&2
  tail -50 "$work/api.log" >&2
  exit 1
fi

rc=0
python3 bench/fault_run.py --base "$base" --redis-port "$redis_port" --duration "$DURATION" \
  --redis-pidfile "$redis_pidfile" --redis-dir "$work" --admin-key "$admin_key" || rc=$?

echo
echo "API log (level Warning and above): $(grep -cE '^(warn|fail|crit): ' "$work/api.log" || true) entries"
echo "  warn: $(grep -cE '^warn: ' "$work/api.log" || true)   fail: $(grep -cE '^fail: ' "$work/api.log" || true)   crit: $(grep -cE '^crit: ' "$work/api.log" || true)"
echo "  \"Cache store unavailable\": $(grep -c 'Cache store unavailable' "$work/api.log" || true)"
# The console logger writes "warn: Category[event]" and the message on the next line; count by message.
awk '/^(warn|fail|crit): / { level = $1; getline msg; sub(/^ +/, "", msg); print level " " substr(msg, 1, 110) }' "$work/api.log" \
  | sort | uniq -c | sort -rn | head -15 | sed 's/^/  /'
exit "$rc"
