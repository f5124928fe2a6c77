#!/usr/bin/env bash
# Proxy overhead: wrk on loopback against (a) the fast backend directly, (b) nginx configured like ingress-nginx,
# (c) HAProxy and (d) Caddy each configured as an Ingress controller built on it would be (bench/lib/haproxy_conf.py,
# caddy_conf.py: the same workers, keep-alive pool, headers and routing as the nginx config), (e) Ingress Gateway
# routing the same request by Host and path. One after the other in one run, each after a warm-up: requests/s,
# p50/p99 latency, and CPU microseconds per request of the proxy (user+sys from /proc / requests).
#
#   bench/proxy-overhead/run.sh
#
# Environment: DURATION (30s), WARMUP (30s: the JIT and the connection pools need it), CONNECTIONS (50), THREADS (2, wrk threads), BUILD (auto|always|never),
# GATEWAY_JAVA_OPTS, NGINX_ACCESS_LOG (off|on), TARGETS (direct,nginx,haproxy,caddy,gateway; haproxy and caddy are
# installed from Debian when missing, only when asked for),
# PROFILE (unset, or a JFR settings name/file such as `profile` or bench/lib/jfr/fine.jfc: records the gateway with JFR
# over exactly the measured window, to bench/results/proxy-overhead-<timestamp>.jfr, and prints a breakdown to stderr;
# the recording costs a few percent of CPU, so take CPU figures from a run without it).
# Prints one JSON object; also stored in bench/results/proxy-overhead-<timestamp>.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

DURATION="${DURATION:-30s}"
WARMUP="${WARMUP:-30s}"
CONNECTIONS="${CONNECTIONS:-50}"
THREADS="${THREADS:-2}"
TARGETS="${TARGETS:-direct,nginx,haproxy,caddy,gateway}"

bench_init proxy-overhead
ensure_tools wrk nginx curl
for peer in haproxy caddy; do
  if [[ ",$TARGETS," == *",$peer,"* ]]; then
    ensure_tools "$peer"
  fi
done
raise_nofile 65536
if [[ ",$TARGETS," == *",gateway,"* ]]; then
  build_gateway
fi
MACHINE="$(machine_json)"

start_fast_backend
python3 "$BENCH_LIB/routes.py" --rules 1 --backend "127.0.0.1:$FAST_BACKEND_PORT" \
  --manifests "$RUN_DIR/manifests" --routes-json "$RUN_DIR/routes.json"
HOST=h0.bench.test
JFR_FILE="$RESULTS_DIR/proxy-overhead-$BENCH_TIMESTAMP.jfr"
if [[ -n "${PROFILE:-}" ]]; then
  # Reactive stacks are deep: JFR's default of 64 frames would cut most samples off from the code that caused them.
  GATEWAY_JAVA_OPTS="$GATEWAY_JAVA_OPTS -XX:FlightRecorderOptions:stackdepth=512"
fi
REQUEST_PATH=/p0/v1/items

# load NAME PORT CPU_GROUPS : warm-up, then the measured window.
load() {
  local name="$1" port="$2" cpu="$3"
  local url="http://127.0.0.1:$port$REQUEST_PATH"
  log "$name: warm-up $WARMUP"
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" -H "Host: $HOST" "$url" >/dev/null
  log "$name: measuring $DURATION"
  if [[ -n "${PROFILE:-}" && "$name" == gateway ]]; then
    jcmd "$GATEWAY_PID" JFR.start name=bench settings="$PROFILE" filename="$JFR_FILE" >/dev/null
  fi
  local jvm=""
  [[ "$name" == gateway ]] && jvm=proxy
  MEASURE_JVM="$jvm" measure_wrk "$RUN_DIR/$name.json" "$name" "$cpu" -- \
    -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -H "Host: $HOST" "$url"
  if [[ -n "${PROFILE:-}" && "$name" == gateway ]]; then
    jcmd "$GATEWAY_PID" JFR.stop name=bench >/dev/null
    log "JFR recording of the measured window: ${JFR_FILE#"$REPO_ROOT"/}"
    python3 "$BENCH_LIB/jfr_summary.py" "$JFR_FILE" --json "${JFR_FILE%.jfr}-profile.json" \
      --cpu-us-per-request "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cpu"]["proxy"]["cpu_us_per_request"])' "$RUN_DIR/gateway.json")" >&2 || log "could not summarise $JFR_FILE"
  fi
}

if [[ ",$TARGETS," == *",direct,"* ]]; then
  load direct "$FAST_BACKEND_PORT" "backend=$FAST_BACKEND_PID"
fi

if [[ ",$TARGETS," == *",nginx,"* ]]; then
  start_nginx_proxy nginx "$RUN_DIR/routes.json"
  wait_route "$HOST" "$REQUEST_PATH" "$NGINX_PORT"
  load nginx "$NGINX_PORT" "proxy=$NGINX_PID;backend=$FAST_BACKEND_PID"
  stop_pid "$NGINX_PID"
fi

if [[ ",$TARGETS," == *",haproxy,"* ]]; then
  start_haproxy_proxy haproxy "$RUN_DIR/routes.json"
  wait_route "$HOST" "$REQUEST_PATH" "$HAPROXY_PORT"
  load haproxy "$HAPROXY_PORT" "proxy=$HAPROXY_PID;backend=$FAST_BACKEND_PID"
  stop_pid "$HAPROXY_PID"
fi

if [[ ",$TARGETS," == *",caddy,"* ]]; then
  start_caddy_proxy caddy "$RUN_DIR/routes.json"
  wait_route "$HOST" "$REQUEST_PATH" "$CADDY_PORT"
  load caddy "$CADDY_PORT" "proxy=$CADDY_PID;backend=$FAST_BACKEND_PID"
  stop_pid "$CADDY_PID"
fi

if [[ ",$TARGETS," == *",gateway,"* ]]; then
  start_gateway_manifests gateway "$RUN_DIR/manifests"
  wait_gateway_ready 120
  wait_route "$HOST" "$REQUEST_PATH" "$GATEWAY_PORT"
  load gateway "$GATEWAY_PORT" "proxy=$GATEWAY_PID;backend=$FAST_BACKEND_PID"
  echo "{\"ready_ms\": $GATEWAY_READY_MS}" >"$RUN_DIR/gateway-start.json"
  stop_pid "$GATEWAY_PID"
fi

python3 "$BENCH_LIB/assemble.py" "$RUN_DIR/result.json" \
  benchmark=str:proxy-overhead \
  parameters=json:"{\"duration\":\"$DURATION\",\"warmup\":\"$WARMUP\",\"connections\":$CONNECTIONS,\"threads\":$THREADS,\"host\":\"$HOST\",\"path\":\"$REQUEST_PATH\",\"gateway_java_opts\":\"$GATEWAY_JAVA_OPTS\",\"nginx_access_log\":\"${NGINX_ACCESS_LOG:-off}\",\"proxy_workers\":$(proxy_workers)}" \
  machine=json:"$MACHINE" \
  runs.direct=file:"$RUN_DIR/direct.json" \
  runs.nginx=file:"$RUN_DIR/nginx.json" \
  runs.haproxy=file:"$RUN_DIR/haproxy.json" \
  runs.caddy=file:"$RUN_DIR/caddy.json" \
  runs.gateway=file:"$RUN_DIR/gateway.json" \
  gateway_start=file:"$RUN_DIR/gateway-start.json"

# Comparisons the acceptance criteria name: gateway CPU/request relative to each other proxy's (nginx: at most 2.5x;
# Caddy: below 1), and throughput relative (nginx: at least 0.5x).
python3 - "$RUN_DIR/result.json" <<'EOF'
import json, sys
path = sys.argv[1]
r = json.load(open(path))
runs = r["runs"]
cmp = {}
g = runs.get("gateway")
for peer in ("nginx", "haproxy", "caddy"):
    p = runs.get(peer)
    if not (p and g):
        continue
    pcpu, gcpu = p["cpu"]["proxy"]["cpu_us_per_request"], g["cpu"]["proxy"]["cpu_us_per_request"]
    cmp[f"gateway_cpu_per_request_vs_{peer}"] = round(gcpu / pcpu, 3) if pcpu and gcpu else None
    cmp[f"gateway_throughput_vs_{peer}"] = round(g["wrk"]["requests_per_s"] / p["wrk"]["requests_per_s"], 3)
r["comparison"] = cmp
json.dump(r, open(path, "w"), indent=1)
EOF
emit_result "$RUN_DIR/result.json"
