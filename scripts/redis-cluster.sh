#!/usr/bin/env bash
# A real local Redis Cluster (no Docker) for CI and for local runs of the test suite against a
# Redis Cluster; see README. It starts cluster-enabled redis-server processes on 127.0.0.1, joins
# them with `redis-cli --cluster create`, waits until the cluster serves all 16384 slots, and prints
# the seed list on its last line as `REDIS_URL=redis://127.0.0.1:P1,...` (the masters).
#
#   scripts/redis-cluster.sh start [--masters N (3)] [--replicas R (0)] [--base-port P (7100)]
#   scripts/redis-cluster.sh stop  [--base-port P (7100)]
#
# Ports P .. P+N*(1+R)-1 (and their cluster bus ports, +10000) must be free. Data, logs, pid files
# and node configs live under ${HOOKLINE_CLUSTER_DIR:-/tmp/hookline-cluster-<P>}; `stop` removes it.
# `start` is idempotent: a healthy cluster of the same shape is left alone, a broken one on those
# ports is shut down and created again. It never touches port 6379 (the plain test Redis).
#
#   eval "export $(scripts/redis-cluster.sh start | tail -n 1)"   # REDIS_URL for the test run
set -euo pipefail

readonly PROTECTED_PORT=6379
readonly WAIT_SECONDS="${HOOKLINE_CLUSTER_WAIT_SECONDS:-30}"

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

die() {
  echo "redis-cluster: $*" >&2
  exit 1
}

log() {
  echo "redis-cluster: $*"
}

# --- arguments ---------------------------------------------------------------------------------

command="${1:-}"
[ -n "$command" ] || usage
shift
masters=3
replicas=0
base_port=7100
while [ $# -gt 0 ]; do
  case "$1" in
    --masters) masters="${2:?--masters needs a number}"; shift 2 ;;
    --replicas) replicas="${2:?--replicas needs a number}"; shift 2 ;;
    --base-port) base_port="${2:?--base-port needs a number}"; shift 2 ;;
    -h | --help) usage ;;
    *) die "unknown option: $1" ;;
  esac
done
for value in "$masters" "$replicas" "$base_port"; do
  [[ "$value" =~ ^[0-9]+$ ]] || die "not a number: $value"
done

readonly dir="${HOOKLINE_CLUSTER_DIR:-/tmp/hookline-cluster-${base_port}}"
case "$dir" in
  / | /tmp | /tmp/ | "${HOME:-/}" | "${HOME:-}/") die "HOOKLINE_CLUSTER_DIR=$dir: a directory of its own, please (stop removes it)" ;;
esac
readonly total=$((masters * (1 + replicas)))
readonly last_port=$((base_port + total - 1))

# --- one node ----------------------------------------------------------------------------------

cli() {
  local port="$1"
  shift
  redis-cli -h 127.0.0.1 -p "$port" "$@"
}

# True when something accepts TCP connections on the port.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

answers() {
  [ "$(cli "$1" ping 2>/dev/null)" = "PONG" ]
}

# One field of an INFO-style reply (`field:value` lines), without the trailing CR:
#   info_field PORT FIELD COMMAND...   e.g. info_field 7100 cluster_state cluster info
info_field() {
  local port="$1" field="$2"
  shift 2
  cli "$port" "$@" 2>/dev/null | tr -d '\r' | sed -n "s/^${field}://p"
}

# A replica writes the RDB of a full sync to disk and loads it back: with one dump.rdb for all nodes
# in the shared dir, replicas syncing at the same moment load one another's data, so each node has
# a dbfilename of its own. Masters serve a new replica at once (not after the default 5 s delay).
start_node() {
  local port="$1"
  redis-server \
    --port "$port" \
    --bind 127.0.0.1 \
    --cluster-enabled yes \
    --cluster-config-file "$dir/nodes-$port.conf" \
    --cluster-node-timeout 2000 \
    --save '' \
    --appendonly no \
    --daemonize yes \
    --dir "$dir" \
    --dbfilename "dump-$port.rdb" \
    --repl-diskless-sync-delay 0 \
    --logfile "$dir/$port.log" \
    --pidfile "$dir/$port.pid"
}

# True while the process runs. An exited daemon stays a zombie until PID 1 reaps it (in some
# containers that takes a second or two): that counts as gone.
process_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != "Z" ]
}

# SHUTDOWN NOSAVE, then SIGKILL of its pid (the pid file's, or the one it reports) if it lingers.
stop_node() {
  local port="$1" pid=""
  [ "$port" -ne "$PROTECTED_PORT" ] || die "refusing to stop the redis-server on port $PROTECTED_PORT"
  [ -f "$dir/$port.pid" ] && pid="$(cat "$dir/$port.pid")"
  if answers "$port"; then
    [ -n "$pid" ] || pid="$(info_field "$port" process_id info server)"
    cli "$port" shutdown nosave >/dev/null 2>&1 || true
  fi
  [ -n "$pid" ] || return 0
  for _ in $(seq 1 50); do
    process_alive "$pid" || return 0
    sleep 0.1
  done
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "redis-server" ]; then
    log "port $port did not shut down; killing pid $pid"
    kill -9 "$pid" 2>/dev/null || true
  fi
}

# --- the cluster -------------------------------------------------------------------------------

ports() {
  seq "$base_port" "$last_port"
}

# The current masters' ports (masters that serve slots), one a line, ascending.
master_ports() {
  cli "$base_port" cluster nodes 2>/dev/null | tr -d '\r' |
    awk '$3 ~ /master/ && $3 !~ /fail/ && NF > 8 { split($2, a, "[:@]"); print a[2] }' | sort -n
}

# True when every node answers with cluster_state:ok, all slots assigned and served, every node
# known to every other, and the expected number of masters serving slots.
healthy() {
  local port
  for port in $(ports); do
    [ "$(info_field "$port" cluster_state cluster info)" = "ok" ] || return 1
    [ "$(info_field "$port" cluster_slots_assigned cluster info)" = "16384" ] || return 1
    [ "$(info_field "$port" cluster_slots_ok cluster info)" = "16384" ] || return 1
    [ "$(info_field "$port" cluster_known_nodes cluster info)" = "$total" ] || return 1
    [ "$(info_field "$port" cluster_size cluster info)" = "$masters" ] || return 1
  done
}

print_seed_urls() {
  local urls
  urls="$(master_ports | sed 's|^|redis://127.0.0.1:|' | paste -sd, -)"
  [ -n "$urls" ] || die "no masters found on port $base_port"
  echo "REDIS_URL=$urls"
}

ensure_redis_installed() {
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    echo "redis-server missing: installing it with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq redis-server >/dev/null
  fi
}

check_ports() {
  [ "$masters" -ge 3 ] || die "Redis Cluster needs at least 3 masters (got --masters $masters)"
  [ "$base_port" -ge 1024 ] || die "--base-port must be at least 1024"
  [ $((last_port + 10000)) -le 65535 ] || die "ports $base_port..$last_port leave no room for their cluster bus ports (+10000)"
  if [ "$base_port" -le "$PROTECTED_PORT" ] && [ "$PROTECTED_PORT" -le "$last_port" ]; then
    die "ports $base_port..$last_port include $PROTECTED_PORT, the plain test Redis; pick another --base-port"
  fi
}

# Shuts down whatever cluster-enabled redis-server answers on our ports and removes the directory.
# Anything else on those ports (a plain redis, another program) is not ours: refuse.
clear_ports() {
  local port
  for port in $(ports); do
    if answers "$port" && [ "$(info_field "$port" cluster_enabled info cluster)" != "1" ]; then
      die "port $port answers as a redis-server without cluster mode: not ours, pick another --base-port"
    fi
  done
  for port in $(ports); do
    if answers "$port"; then stop_node "$port"; fi
  done
  rm -rf "$dir"
  for port in $(ports); do
    port_in_use "$port" && die "port $port is in use by another program; pick another --base-port"
    port_in_use $((port + 10000)) && die "cluster bus port $((port + 10000)) is in use; pick another --base-port"
  done
  return 0
}

# Runs the command until it succeeds; fails after WAIT_SECONDS.
wait_until() {
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
  return 0
}

all_answer() {
  local port
  for port in $(ports); do answers "$port" || return 1; done
}

any_in_use() {
  local port
  for port in $(ports); do port_in_use "$port" && return 0; done
  return 1
}

describe_nodes() {
  local port
  for port in $(ports); do
    echo "  $port: state=$(info_field "$port" cluster_state cluster info) slots_ok=$(info_field "$port" cluster_slots_ok cluster info) known_nodes=$(info_field "$port" cluster_known_nodes cluster info) (log: $dir/$port.log)" >&2
  done
}

cmd_start() {
  check_ports
  ensure_redis_installed
  if all_answer && healthy; then
    log "a healthy cluster of $masters masters and $total nodes already answers on ports $base_port..$last_port"
    print_seed_urls
    return 0
  fi
  if any_in_use; then
    log "ports $base_port..$last_port are in use, but not by a healthy cluster of $masters masters and $total nodes: recreating it"
  fi
  clear_ports
  mkdir -p "$dir"

  log "starting $total redis-server processes on ports $base_port..$last_port (data in $dir)"
  local port addresses=()
  for port in $(ports); do
    start_node "$port"
    addresses+=("127.0.0.1:$port")
  done
  wait_until all_answer || {
    describe_nodes
    die "not every redis-server answered within ${WAIT_SECONDS} s"
  }

  log "creating the cluster: $masters masters, $replicas replica(s) each"
  if ! redis-cli --cluster create "${addresses[@]}" --cluster-replicas "$replicas" --cluster-yes \
    >"$dir/create.log" 2>&1; then
    cat "$dir/create.log" >&2
    die "redis-cli --cluster create failed (output above; node logs in $dir)"
  fi

  wait_until healthy || {
    describe_nodes
    die "the cluster was not healthy (cluster_state:ok, 16384 slots, $total nodes) on every node within ${WAIT_SECONDS} s"
  }
  log "cluster ok: 16384 slots served by $masters masters, $total nodes"
  print_seed_urls
}

cmd_stop() {
  local port found=()
  if [ -d "$dir" ]; then
    for file in "$dir"/*.pid "$dir"/nodes-*.conf; do
      [ -e "$file" ] || continue
      port="$(basename "$file" | tr -dc '0-9')"
      [ -n "$port" ] && found+=("$port")
    done
  fi
  if [ "${#found[@]}" -eq 0 ]; then
    log "no cluster in $dir"
  else
    for port in $(printf '%s\n' "${found[@]}" | sort -nu); do
      stop_node "$port"
    done
    log "stopped ports $(printf '%s\n' "${found[@]}" | sort -nu | paste -sd' ' -)"
  fi
  rm -rf "$dir"
}

case "$command" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  *) usage ;;
esac
