# Shared shell pieces of the benchmarks. Source it from a run.sh after `set -euo pipefail`:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
#   bench_init proxy-overhead
#
# Everything binds to 127.0.0.1. Every process the script started (and what those started) is killed by its pid, TERM
# then KILL, when the script exits, however it exits.

BENCH_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_ROOT="$(cd "$BENCH_LIB/.." && pwd)"
REPO_ROOT="$(cd "$BENCH_ROOT/.." && pwd)"
RESULTS_DIR="$BENCH_ROOT/results"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

bench_init() {
  BENCH_NAME="$1"
  BENCH_TIMESTAMP="$(date -u +%Y%m%dT%H%M%SZ)"
  RUN_DIR="$(mktemp -d "/tmp/bench-$BENCH_NAME.XXXXXX")"
  mkdir -p "$RESULTS_DIR"
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  log "$BENCH_NAME: work directory $RUN_DIR (kept when KEEP_RUN_DIR=1)"
}

bench_cleanup() {
  local rc=$?
  local pid all=()
  # Every live descendant of this script: what start_bg recorded and what those started in turn (nginx workers,
  # wrk under a background measurement). Only descendants, so a recycled pid of someone else is never hit.
  read -r -a all <<<"$(python3 "$BENCH_LIB/procstat.py" descendants $$ 2>/dev/null)"
  for pid in "${all[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${all[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ "${KEEP_RUN_DIR:-0}" != 1 && -n "${RUN_DIR:-}" && $rc -eq 0 ]]; then
    rm -rf "$RUN_DIR"
  elif [[ -n "${RUN_DIR:-}" ]]; then
    log "logs kept in $RUN_DIR"
  fi
  exit $rc
}

# start_bg NAME CMD... : runs CMD in the background, output to $RUN_DIR/NAME.log; sets LAST_PID.
start_bg() {
  local name="$1"; shift
  "$@" >"$RUN_DIR/$name.log" 2>&1 &
  LAST_PID=$!
}

# stop_pid PID : TERM, wait up to 10 s, then KILL. For processes started with start_bg.
stop_pid() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Seconds in a wrk-style duration: 30s, 2m, 1h, or a bare number of seconds.
seconds_of() {
  local d="$1"
  case "$d" in
    *ms) awk -v v="${d%ms}" 'BEGIN { print v / 1000 }' ;;
    *s) echo "${d%s}" ;;
    *m) echo $(( ${d%m} * 60 )) ;;
    *h) echo $(( ${d%h} * 3600 )) ;;
    *) echo "$d" ;;
  esac
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

somaxconn() { cat /proc/sys/net/core/somaxconn; }

# Raises the open-file limit of this shell (and so of everything it starts) as far as the hard limit allows.
raise_nofile() {
  local want="${1:-65536}" hard
  hard="$(ulimit -Hn)"
  if [[ "$hard" != unlimited && "$hard" -lt "$want" ]]; then
    want="$hard"
  fi
  ulimit -n "$want" || log "could not raise ulimit -n to $want"
  log "open-file limit: $(ulimit -n)"
}

# Installs the Debian packages for the given commands when any is missing (wrk, nginx, curl, haproxy, caddy: each
# command is its package's name).
ensure_tools() {
  local missing=() cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# --- builds ----------------------------------------------------------------------------------------------------------

# The Maven wrapper, offline first (dependencies are normally in ~/.m2), online when something is missing. Its output
# goes to stderr: stdout carries the benchmark's JSON only.
mvnw() {
  (cd "$REPO_ROOT" && { ./mvnw -B -q -o "$@" || ./mvnw -B -q "$@"; }) >&2
}

# Builds the gateway jar when BUILD=always, or when BUILD=auto (the default) and sources are newer than the jar.
# Sets GATEWAY_JAR.
build_gateway() {
  local jar
  jar="$(ls "$REPO_ROOT"/target/ingress-gateway-*.jar 2>/dev/null | grep -v -- '-plain\|original' | head -1 || true)"
  local mode="${BUILD:-auto}"
  if [[ "$mode" == always || -z "$jar" || ( "$mode" == auto && -n "$(find "$REPO_ROOT/src/main" "$REPO_ROOT/pom.xml" -newer "$jar" -print -quit)" ) ]]; then
    if [[ "$mode" == never && -z "$jar" ]]; then
      die "no gateway jar in target/ and BUILD=never"
    fi
    log "building the gateway jar (./mvnw -B -q -DskipTests package)"
    mvnw -Dmaven.test.skip=true package
    jar="$(ls "$REPO_ROOT"/target/ingress-gateway-*.jar | grep -v -- '-plain\|original' | head -1)"
  fi
  GATEWAY_JAR="$jar"
  log "gateway jar: $GATEWAY_JAR"
}

# Compiles bench/java (profile `bench`: JMH, the standalone API server, the convergence driver) and sets BENCH_CP.
build_bench_classes() {
  local cpfile="$REPO_ROOT/target/bench-classpath.txt"
  log "compiling bench/java (./mvnw -Pbench test-compile)"
  mvnw -Pbench test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile"
  BENCH_CP="$REPO_ROOT/target/test-classes:$REPO_ROOT/target/classes:$(cat "$cpfile")"
}

# --- the gateway -----------------------------------------------------------------------------------------------------

# JVM options for the gateway under test; the chart's default is -XX:MaxRAMPercentage=75.0.
GATEWAY_JAVA_OPTS="${GATEWAY_JAVA_OPTS:-}"

# start_gateway NAME ARGS... : starts the jar on fresh loopback ports with extra Spring arguments.
# Sets GATEWAY_PID, GATEWAY_PORT, GATEWAY_MGMT_PORT, GATEWAY_START_NS.
start_gateway() {
  local name="$1"; shift
  GATEWAY_PORT="$(free_port)"
  GATEWAY_MGMT_PORT="$(free_port)"
  GATEWAY_START_NS="$(date +%s%N)"
  # shellcheck disable=SC2086
  start_bg "$name" java $GATEWAY_JAVA_OPTS -jar "$GATEWAY_JAR" \
    --server.address=127.0.0.1 --server.port="$GATEWAY_PORT" \
    --management.server.address=127.0.0.1 --management.server.port="$GATEWAY_MGMT_PORT" \
    --ingress-gateway.tls.port="$(free_port)" \
    "$@"
  GATEWAY_PID="$LAST_PID"
  log "gateway $name: pid $GATEWAY_PID, traffic :$GATEWAY_PORT, management :$GATEWAY_MGMT_PORT"
}

start_gateway_manifests() {
  local name="$1" dir="$2"; shift 2
  start_gateway "$name" --ingress-gateway.source=manifests --ingress-gateway.manifests-dir="$dir" "$@"
}

# wait_gateway_ready TIMEOUT_S : waits for readiness; sets GATEWAY_READY_MS (from start_gateway to ready).
wait_gateway_ready() {
  local timeout="${1:-120}"
  GATEWAY_READY_MS="$(python3 "$BENCH_LIB/http_wait.py" --since-ns "$GATEWAY_START_NS" --timeout "$timeout" \
    --pid "$GATEWAY_PID" "http://127.0.0.1:$GATEWAY_MGMT_PORT/actuator/health/readiness")" \
    || { tail -n 40 "$RUN_DIR"/*.log >&2 || true; die "gateway not ready within ${timeout}s"; }
  log "gateway ready after ${GATEWAY_READY_MS} ms"
}

# wait_route HOST PATH PORT TIMEOUT_S : waits until a request through a proxy answers 2xx.
wait_route() {
  python3 "$BENCH_LIB/http_wait.py" --timeout "${4:-30}" --host "$1" "http://127.0.0.1:$3$2" >/dev/null \
    || die "route $1$2 on :$3 never answered 2xx"
}

# --- backends and nginx ----------------------------------------------------------------------------------------------

# start_fast_backend : nginx answering 200 with a small body. Sets FAST_BACKEND_PORT, FAST_BACKEND_PID.
start_fast_backend() {
  FAST_BACKEND_PORT="$(free_port)"
  local dir="$RUN_DIR/fast-backend"
  mkdir -p "$dir/logs"
  python3 "$BENCH_LIB/nginx_conf.py" backend --port "$FAST_BACKEND_PORT" --workers "${BACKEND_WORKERS:-1}" \
    --prefix "$dir" >"$dir/nginx.conf"
  start_bg fast-backend nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
  FAST_BACKEND_PID="$LAST_PID"
  wait_route backend / "$FAST_BACKEND_PORT" 10
  log "fast backend (nginx): pid $FAST_BACKEND_PID, :$FAST_BACKEND_PORT"
}

# start_slow_backend DELAY_S|never : asyncio server answering after a delay, or never. Sets SLOW_BACKEND_PORT/_PID.
start_slow_backend() {
  SLOW_BACKEND_PORT="$(free_port)"
  start_bg slow-backend python3 "$BENCH_LIB/slow_backend.py" --port "$SLOW_BACKEND_PORT" --delay "$1"
  SLOW_BACKEND_PID="$LAST_PID"
  python3 "$BENCH_LIB/http_wait.py" --timeout 10 --accept-any "http://127.0.0.1:$SLOW_BACKEND_PORT/__up" >/dev/null \
    || die "slow backend did not start"
  log "slow backend (delay $1): pid $SLOW_BACKEND_PID, :$SLOW_BACKEND_PORT"
}

# start_nginx_proxy NAME ROUTES_JSON : nginx configured like ingress-nginx for the routes in ROUTES_JSON (written by
# routes.py). Sets NGINX_PORT, NGINX_HEALTH_PORT, NGINX_PID.
start_nginx_proxy() {
  local name="$1" routes="$2"
  NGINX_PORT="$(free_port)"
  NGINX_HEALTH_PORT="$(free_port)"
  local dir="$RUN_DIR/$name"
  mkdir -p "$dir/logs"
  python3 "$BENCH_LIB/nginx_conf.py" proxy --routes "$routes" --port "$NGINX_PORT" \
    --health-port "$NGINX_HEALTH_PORT" --prefix "$dir" --backlog "$(somaxconn)" \
    --access-log "${NGINX_ACCESS_LOG:-off}" >"$dir/nginx.conf"
  nginx -t -q -p "$dir" -c "$dir/nginx.conf" || die "nginx config rejected: $dir/nginx.conf"
  start_bg "$name" nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
  NGINX_PID="$LAST_PID"
  python3 "$BENCH_LIB/http_wait.py" --timeout 10 "http://127.0.0.1:$NGINX_HEALTH_PORT/healthz" >/dev/null \
    || die "nginx proxy did not start"
  log "nginx proxy $name: pid $NGINX_PID, traffic :$NGINX_PORT, health :$NGINX_HEALTH_PORT"
}

# Worker processes or threads of every proxy under test: nginx_conf.py's `worker_processes auto` is one per core, and
# the peers get as many (HAProxy threads, Caddy's GOMAXPROCS).
proxy_workers() { nproc; }

# start_haproxy_proxy NAME ROUTES_JSON : HAProxy configured like an Ingress controller built on it (haproxy_conf.py)
# for the routes in ROUTES_JSON, in the foreground (-db: one process, its threads). Sets HAPROXY_PORT,
# HAPROXY_HEALTH_PORT, HAPROXY_PID.
start_haproxy_proxy() {
  local name="$1" routes="$2"
  HAPROXY_PORT="$(free_port)"
  HAPROXY_HEALTH_PORT="$(free_port)"
  local dir="$RUN_DIR/$name" cfg
  cfg="$(python3 "$BENCH_LIB/haproxy_conf.py" --routes "$routes" --port "$HAPROXY_PORT" \
    --health-port "$HAPROXY_HEALTH_PORT" --prefix "$dir" --threads "$(proxy_workers)" --backlog "$(somaxconn)")"
  haproxy -c -q -f "$cfg" >&2 || die "haproxy config rejected: $cfg"
  start_bg "$name" haproxy -db -f "$cfg"
  HAPROXY_PID="$LAST_PID"
  python3 "$BENCH_LIB/http_wait.py" --timeout 30 --pid "$HAPROXY_PID" \
    "http://127.0.0.1:$HAPROXY_HEALTH_PORT/healthz" >/dev/null \
    || { tail -n 20 "$RUN_DIR/$name.log" >&2 || true; die "haproxy did not start"; }
  log "haproxy $name: pid $HAPROXY_PID, traffic :$HAPROXY_PORT, health :$HAPROXY_HEALTH_PORT"
}

# start_caddy_proxy NAME ROUTES_JSON : Caddy configured like an Ingress controller built on it (caddy_conf.py, JSON
# config, admin endpoint off) for the routes in ROUTES_JSON. Its home and config directories are in the run directory,
# so nothing is written elsewhere. Sets CADDY_PORT, CADDY_HEALTH_PORT, CADDY_PID.
start_caddy_proxy() {
  local name="$1" routes="$2"
  CADDY_PORT="$(free_port)"
  CADDY_HEALTH_PORT="$(free_port)"
  local dir="$RUN_DIR/$name"
  mkdir -p "$dir"
  python3 "$BENCH_LIB/caddy_conf.py" --routes "$routes" --port "$CADDY_PORT" --health-port "$CADDY_HEALTH_PORT" \
    --threads "$(proxy_workers)" >"$dir/caddy.json"
  start_bg "$name" env HOME="$dir" XDG_CONFIG_HOME="$dir/config" XDG_DATA_HOME="$dir/data" \
    GOMAXPROCS="$(proxy_workers)" caddy run --config "$dir/caddy.json"
  CADDY_PID="$LAST_PID"
  python3 "$BENCH_LIB/http_wait.py" --timeout 60 --pid "$CADDY_PID" \
    "http://127.0.0.1:$CADDY_HEALTH_PORT/healthz" >/dev/null \
    || { tail -n 20 "$RUN_DIR/$name.log" >&2 || true; die "caddy did not start"; }
  log "caddy $name: pid $CADDY_PID, traffic :$CADDY_PORT, health :$CADDY_HEALTH_PORT"
}

# --- measurement -----------------------------------------------------------------------------------------------------

# measure_wrk OUT_JSON LABEL CPU_GROUPS -- WRK_ARGS... : (MEASURE_JVM=GROUP also splits that JVM group's CPU by thread) runs wrk (with bench/lib/wrk/report.lua), reading the CPU
# time of each pid group (name=pid,pid;name=pid) before and after; writes one JSON object to OUT_JSON.
measure_wrk() {
  local out="$1" label="$2" cpu="$3"; shift 3
  [[ "$1" == -- ]] && shift
  python3 "$BENCH_LIB/measure.py" --label "$label" --cpu "$cpu" --out "$out" --jvm "${MEASURE_JVM:-}" -- \
    wrk -s "$BENCH_LIB/wrk/report.lua" "$@"
}

# emit_result JSON_FILE : prints the result on stdout (one line) and stores it in bench/results/NAME-TIMESTAMP.json.
emit_result() {
  local file="$RESULTS_DIR/$BENCH_NAME-$BENCH_TIMESTAMP.json"
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(",", ":")))' "$1" \
    | tee "$file"
  log "result stored in ${file#"$REPO_ROOT"/}"
}

machine_json() {
  python3 "$BENCH_LIB/machine.py"
}
