# Sourced by bench/run.sh: a throw-away Redis Cluster of masters only, on free loopback ports, no
# persistence.
#   cluster_start DIR [MASTERS]  # default 3; sets cluster_ports (an array) and cluster_endpoints
#                                # ("127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3", a connection string)
#   cluster_stop                 # shuts every node down; safe to call twice and from an EXIT trap
cluster_ports=()
cluster_pidfiles=()
cluster_endpoints=""

# N distinct free loopback ports (all bound at once, so no two are the same).
_cluster_free_ports() {
  python3 -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()' "$1"
}

cluster_start() {
  local dir=$1 masters=${2:-3} i port bus node ports
  mkdir -p "$dir"
  # Each node's bus port is set explicitly: its port + 10000 may be past 65535 or taken.
  read -r -a ports <<<"$(_cluster_free_ports $((2 * masters)))"
  for i in $(seq 0 $((masters - 1))); do
    port=${ports[$((2 * i))]}
    bus=${ports[$((2 * i + 1))]}
    node="$dir/$port"
    mkdir -p "$node"
    cluster_ports+=("$port")
    cluster_pidfiles+=("$node/redis.pid")
    redis-server --port "$port" --cluster-port "$bus" --bind 127.0.0.1 \
      --cluster-enabled yes --cluster-config-file "$node/nodes.conf" --dir "$node" \
      --save "" --appendonly no --daemonize yes --pidfile "$node/redis.pid" --logfile "$node/redis.log" >/dev/null
  done
  for port in "${cluster_ports[@]}"; do
    for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  done
  local endpoints=()
  for port in "${cluster_ports[@]}"; do endpoints+=("127.0.0.1:$port"); done
  if ! timeout 60 redis-cli --cluster create "${endpoints[@]}" --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1; then
    echo "redis-cli --cluster create failed:" >&2
    tail -20 "$dir/create.log" >&2
    return 1
  fi
  # Every node must agree before a client connects: cluster_state:ok on each, all 16384 slots assigned.
  local ok
  for _ in $(seq 1 200); do
    ok=yes
    for port in "${cluster_ports[@]}"; do
      redis-cli -p "$port" cluster info 2>/dev/null | tr -d '\r' | grep -qx 'cluster_state:ok' || ok=no
      redis-cli -p "$port" cluster info 2>/dev/null | tr -d '\r' | grep -qx 'cluster_slots_ok:16384' || ok=no
    done
    [ "$ok" = yes ] && break
    sleep 0.1
  done
  if [ "$ok" != yes ]; then
    echo "the cluster did not reach cluster_state:ok in 20 s" >&2
    for port in "${cluster_ports[@]}"; do redis-cli -p "$port" cluster info | head -3 >&2; done
    return 1
  fi
  cluster_endpoints=$(IFS=,; echo "${endpoints[*]}")
}

cluster_stop() {
  local i pid
  for i in "${!cluster_ports[@]}"; do
    pid=$(cat "${cluster_pidfiles[$i]}" 2>/dev/null || true)
    timeout 5 redis-cli -p "${cluster_ports[$i]}" shutdown nosave >/dev/null 2>&1 || true
    if [ -n "$pid" ]; then
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  cluster_ports=()
  cluster_pidfiles=()
  cluster_endpoints=""
}
