#!/usr/bin/env bash
# A VectorAspire cluster on loopback: etcd (meta store), s3rver (object store; the WAL lives in it too), RabbitMQ
# (the control bus: index-build jobs, segment and membership events) and every role as its own process, under
# $VA_CLUSTER_DIR (default ./.cluster).
#
#   scripts/cluster.sh start            installs what is missing, starts what is not running, waits until a Proxy
#                                       serves; the last line is VA_ADDR=127.0.0.1:PORT (REST v2 and gRPC)
#   scripts/cluster.sh stop             stops everything it started
#   scripts/cluster.sh kill ROLE [N]    kill -9 of one instance (ROLE: proxy coordinator streamingnode querynode
#                                       datanode; N 0-based, default 0; ROLE "leader" = the Coordinator leader)
#   scripts/cluster.sh status           one line per process
#
# Counts: VA_PROXIES=2 VA_QUERY_NODES=2 VA_STREAMING_NODES=2 VA_DATA_NODES=1 VA_COORDINATORS=2.
# VA_CONFIGURATION=Release (the build used); VA_NO_BUILD=1 skips the build (tests build first).
set -euo pipefail
exec 4>&2 # stderr for messages from inside wait_for, which silences its probe
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mkdir -p "${VA_CLUSTER_DIR:-$repo/.cluster}" && cd "${VA_CLUSTER_DIR:-$repo/.cluster}" && pwd)"
config="${VA_CONFIGURATION:-Release}"
mkdir -p "$dir/pids" "$dir/logs"

declare -A counts=(
  [coordinator]="${VA_COORDINATORS:-2}" [datanode]="${VA_DATA_NODES:-1}" [querynode]="${VA_QUERY_NODES:-2}"
  [streamingnode]="${VA_STREAMING_NODES:-2}" [proxy]="${VA_PROXIES:-2}")
declare -A projects=(
  [coordinator]=Coordinator [datanode]=DataNode [querynode]=QueryNode [streamingnode]=StreamingNode [proxy]=Proxy)
start_order=(coordinator datanode querynode streamingnode proxy)

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Below the kernel's ephemeral range (default 32768-60999): a port chosen there can be taken by any other process's
# port-0 listener (parallel tests, Aspire's orchestrator) between the choice and the server's bind.
ephemeral_low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
[ "${ephemeral_low:-0}" -gt 12000 ] 2>/dev/null || ephemeral_low=32768
free_port() {
  local p=$((10000 + RANDOM % (ephemeral_low - 12000)))
  while port_in_use "$p"; do p=$((p + 1)); done
  echo "$p"
}
# Remembers a port for the life of the cluster directory (so a restarted server keeps its address).
port_of() {
  local f="$dir/$1.port"
  [ -s "$f" ] || free_port >"$f"
  cat "$f"
}
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what="$2"; shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then echo "timed out waiting for $what" >&2; return 1; fi
    sleep 0.2
  done
}
spawn() { # spawn NAME COMMAND...: detached from this shell, output in logs/NAME.log, pid in pids/NAME.pid
  local name="$1"; shift
  [ -f "$dir/logs/$name.log" ] && mv -f "$dir/logs/$name.log" "$dir/logs/$name.previous.log"
  setsid "$@" >"$dir/logs/$name.log" 2>&1 </dev/null 4>&- &
  echo $! >"$dir/pids/$name.pid"
}

etcd_url() { echo "http://127.0.0.1:$(port_of etcd-client)"; }
amqp_url() { echo "amqp://guest:guest@127.0.0.1:$(port_of rabbitmq)/"; }
# Debian's rabbitmq-server run as this user on loopback with its state under $dir/rabbitmq (see ../shared/infra.md §2).
rabbit_env() {
  local r="$dir/rabbitmq"
  mkdir -p "$r/home" "$r/mnesia" "$r/log"
  export HOME="$r/home" RABBITMQ_NODENAME="rabbit@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$(port_of rabbitmq)" RABBITMQ_DIST_PORT="$(port_of rabbitmq-dist)" ERL_EPMD_ADDRESS=127.0.0.1 \
    ERL_EPMD_PORT="$(port_of rabbitmq-epmd)" RABBITMQ_MNESIA_BASE="$r/mnesia" RABBITMQ_LOG_BASE="$r/log" \
    RABBITMQ_CONFIG_FILE="$r/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$r/enabled_plugins" RABBITMQ_PID_FILE="$r/pid" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export PATH="/usr/lib/rabbitmq/bin:$PATH"
  # An index build is acknowledged when it ends: allow long ones (the broker's default cancels a delivery after 30 min).
  printf 'listeners.tcp.1 = 127.0.0.1:%s\nlog.console = false\nlog.file.level = warning\nconsumer_timeout = 86400000\n' \
    "$(port_of rabbitmq)" >"$r/rabbitmq.conf"
  echo '[].' >"$r/enabled_plugins"
}
stop_rabbit() {
  [ -d "$dir/rabbitmq" ] || return 0
  ( rabbit_env; rabbitmqctl -q stop >/dev/null 2>&1 || true
    # epmd refuses -kill while the node is still registered: wait for the broker's process to end.
    for _ in $(seq 1 50); do alive "$dir/pids/rabbitmq.pid" || break; sleep 0.2; done
    epmd -kill >/dev/null 2>&1 || true )
}
s3_url() { echo "http://127.0.0.1:$(port_of s3)"; }

start_infra() {
  "$repo/scripts/infra/install.sh"
  if ! alive "$dir/pids/etcd.pid"; then
    local peer="http://127.0.0.1:$(port_of etcd-peer)"
    spawn etcd etcd --name va --data-dir "$dir/etcd" --logger zap --log-level warn \
      --listen-client-urls "$(etcd_url)" --advertise-client-urls "$(etcd_url)" \
      --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "va=$peer"
  fi
  if ! alive "$dir/pids/s3.pid"; then
    mkdir -p "$dir/s3"
    NODE_OPTIONS=--openssl-legacy-provider spawn s3 node "$repo/scripts/infra/node/node_modules/s3rver/bin/s3rver.js" \
      -d "$dir/s3" -a 127.0.0.1 -p "$(port_of s3)" --silent
  fi
  if ! alive "$dir/pids/rabbitmq.pid"; then
    ( rabbit_env; spawn rabbitmq rabbitmq-server )
  fi
  wait_for 30 etcd port_in_use "$(port_of etcd-client)"
  wait_for 30 s3rver port_in_use "$(port_of s3)"
  wait_for 60 rabbitmq port_in_use "$(port_of rabbitmq)"
  ( rabbit_env; rabbitmqctl -q await_startup >/dev/null ) || { echo "rabbitmq did not start; see $dir/logs/rabbitmq.log" >&2; exit 1; }
}

role_args() { # role_args ROLE N
  echo --VectorAspire:Cluster:NodeId="$1-$2" --VectorAspire:Host=127.0.0.1 --VectorAspire:Port="${3:-0}" \
    --VectorAspire:DataPath="$dir/data/$1-$2" \
    --VectorAspire:MetaStore:Provider=etcd --ConnectionStrings:etcd="$(etcd_url)" \
    --VectorAspire:ObjectStore:Provider=s3 --VectorAspire:ObjectStore:S3:CreateBucketIfMissing=true \
    "--ConnectionStrings:s3=Endpoint=$(s3_url);Bucket=vectoraspire;AccessKey=S3RVER;SecretKey=S3RVER;Region=us-east-1;ForcePathStyle=true" \
    --VectorAspire:Wal:Provider=object --ConnectionStrings:rabbitmq="$(amqp_url)"
}

node_serves() { # the role process is alive and logged that it registered and serves
  alive "$dir/pids/$1.pid" || { echo "$1 exited; its log ends:" >&4; tail -n 30 "$dir/logs/$1.log" >&4; exit 1; }
  grep -q " serves at " "$dir/logs/$1.log"
}

start_roles() {
  local started=()
  for role in "${start_order[@]}"; do
    local dll="$repo/${projects[$role]}/bin/$config/net10.0/VectorAspire.${projects[$role]}.dll"
    [ -f "$dll" ] || { echo "$dll is missing: build first (or unset VA_NO_BUILD)" >&2; exit 1; }
    for ((i = 0; i < counts[$role]; i++)); do
      alive "$dir/pids/$role-$i.pid" && continue
      local port=0
      [ "$role" = proxy ] && port="$(port_of "proxy-$i")"
      # shellcheck disable=SC2046
      # Each instance is its own service in traces and metrics when OTEL_EXPORTER_OTLP_ENDPOINT is set.
      OTEL_SERVICE_NAME="$role-$i" spawn "$role-$i" dotnet "$dll" $(role_args "$role" "$i" "$port")
      started+=("$role-$i")
    done
  done
  for name in "${started[@]}"; do
    wait_for 120 "$name to serve (see $dir/logs/$name.log)" node_serves "$name"
  done
}

proxy_serves() { # a Proxy answers a Milvus REST call through the whole cluster (Coordinator leader included)
  local out
  out="$(exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}' >&3 && timeout 5 cat <&3)" || return 1
  [[ "$out" == *'"code":0'* ]]
}

leader_index() { # the live coordinator whose log last said it leads
  local best="" best_time=0
  for ((i = 0; i < counts[coordinator]; i++)); do
    alive "$dir/pids/coordinator-$i.pid" || continue
    local f="$dir/logs/coordinator-$i.log"
    if grep -q "coordinator-$i leads and serves" "$f" 2>/dev/null; then
      local t; t="$(stat -c %Y "$f")"
      if [ -z "$best" ] || [ "$t" -ge "$best_time" ]; then best="$i"; best_time="$t"; fi
    fi
  done
  [ -n "$best" ] && echo "$best"
}

case "${1:-}" in
  start)
    if [ "${VA_NO_BUILD:-0}" != 1 ]; then
      for role in "${start_order[@]}"; do
        dotnet build "$repo/${projects[$role]}/VectorAspire.${projects[$role]}.csproj" -c "$config" -v q -nologo >/dev/null
      done
    fi
    start_infra
    start_roles
    for ((i = 0; i < counts[proxy]; i++)); do
      wait_for 120 "proxy-$i to serve (see $dir/logs)" proxy_serves "$(port_of "proxy-$i")"
    done
    echo "VA_ADDR=127.0.0.1:$(port_of proxy-0)"
    ;;
  stop)
    # The roles first (they drain through the bus), then the infrastructure.
    for f in "$dir"/pids/*.pid; do
      [ -f "$f" ] || continue
      case "$(basename "$f")" in etcd.pid | s3.pid | rabbitmq.pid) continue ;; esac
      if alive "$f"; then kill -TERM "$(cat "$f")" 2>/dev/null || true; fi
    done
    for f in "$dir"/pids/*.pid; do
      [ -f "$f" ] || continue
      case "$(basename "$f")" in etcd.pid | s3.pid | rabbitmq.pid) continue ;; esac
      for _ in $(seq 1 50); do alive "$f" || break; sleep 0.2; done
    done
    alive "$dir/pids/rabbitmq.pid" && stop_rabbit
    for f in "$dir"/pids/*.pid; do
      [ -f "$f" ] || continue
      if alive "$f"; then kill -TERM "$(cat "$f")" 2>/dev/null || true; fi
    done
    for f in "$dir"/pids/*.pid; do
      [ -f "$f" ] || continue
      for _ in $(seq 1 50); do alive "$f" || break; sleep 0.2; done
      if alive "$f"; then kill -9 "$(cat "$f")" 2>/dev/null || true; fi
      rm -f "$f"
    done
    ;;
  kill)
    role="${2:?usage: cluster.sh kill ROLE [N]}"
    n="${3:-0}"
    if [ "$role" = leader ]; then
      role=coordinator
      n="$(leader_index)" || { echo "no live coordinator leader found" >&2; exit 1; }
    fi
    [ -n "${projects[$role]:-}" ] || { echo "unknown role $role" >&2; exit 2; }
    f="$dir/pids/$role-$n.pid"
    alive "$f" || { echo "$role-$n is not running" >&2; exit 1; }
    kill -9 "$(cat "$f")"
    echo "killed $role-$n (pid $(cat "$f"))"
    ;;
  status)
    for f in "$dir"/pids/*.pid; do
      [ -f "$f" ] || continue
      name="$(basename "$f" .pid)"
      if alive "$f"; then echo "$name running pid $(cat "$f")"; else echo "$name stopped"; fi
    done
    ;;
  *)
    sed -n '2,15p' "$0" >&2
    exit 2
    ;;
esac
