#!/usr/bin/env bash
# Probe starvation (issue 3's founding story), for each proxy in TARGETS (nginx configured like ingress-nginx, then
# the gateway), in one run:
#   - a slow route (slow.bench.test -> a backend answering after SLOW_DELAY s, or never) flooded by wrk with
#     FLOOD_CONNECTIONS concurrent connections for DURATION;
#   - a fast route of another host (fast.bench.test -> nginx answering at once), FAST_CONNECTIONS connections each
#     sending its next request as soon as the last is answered (FAST_DELAY_MS pauses in between when set),
#     measuring its throughput and latency: the neighbour that must not suffer from the slow application;
#   - a kubelet-like probe client hitting the health endpoints every PROBE_INTERVAL s with a PROBE_TIMEOUT s timeout
#     on a new connection each time: the gateway's /actuator/health/liveness and /readiness on the management port,
#     nginx's /healthz on its status server (ingress-nginx's port 10246);
# and reports probe success rate and p50/p99, fast-route req/s and p50/p99, the flood's status counts (rejections),
# the proxy's CPU, and for the gateway its Prometheus metrics after the flood. wrk's flood clients send their next
# request the moment an answer arrives, 503 or not: they retry at once, as retrying SDKs do. With both proxies in
# TARGETS the summary also sets the gateway beside nginx (issue 11's acceptance: probes 100% with p99 < 50 ms; fast
# route req/s at least 80% of nginx's, its p99 no worse than nginx's).
#
#   bench/probe-starvation/run.sh
#
# WARMUP runs the same flood and fast load once, unmeasured, before the measured run (then waits for the slow
# application's answers to drain): a proxy that has served traffic before, as one in production has. 0 skips it,
# which measures a JVM that meets the flood in its first seconds, still compiling.
#
# Environment: DURATION (20s), WARMUP (20s), FLOOD_CONNECTIONS (8000), FLOOD_THREADS (2), SLOW_DELAY (10, or never),
# FAST_CONNECTIONS (8), FAST_DELAY_MS (0), PROBE_INTERVAL (0.1), PROBE_TIMEOUT (1), TARGETS (nginx,gateway),
# GATEWAY_ARGS (extra --key=value for the gateway, e.g. resilience settings), BUILD, GATEWAY_JAVA_OPTS.
# Prints one JSON object; also stored in bench/results/probe-starvation-<timestamp>.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-20s}"
FLOOD_CONNECTIONS="${FLOOD_CONNECTIONS:-8000}"
FLOOD_THREADS="${FLOOD_THREADS:-2}"
SLOW_DELAY="${SLOW_DELAY:-10}"
FAST_CONNECTIONS="${FAST_CONNECTIONS:-8}"
FAST_DELAY_MS="${FAST_DELAY_MS:-0}"
PROBE_INTERVAL="${PROBE_INTERVAL:-0.1}"
PROBE_TIMEOUT="${PROBE_TIMEOUT:-1}"
TARGETS="${TARGETS:-nginx,gateway}"
GATEWAY_ARGS="${GATEWAY_ARGS:-}"

bench_init probe-starvation
ensure_tools wrk nginx curl
# wrk, the proxy and the slow backend each hold FLOOD_CONNECTIONS sockets (the proxy twice: client and upstream).
raise_nofile 65536
(( $(ulimit -n) > FLOOD_CONNECTIONS + 1000 )) || die "ulimit -n $(ulimit -n) is too low for $FLOOD_CONNECTIONS connections"
build_gateway
MACHINE="$(machine_json)"

start_fast_backend
start_slow_backend "$SLOW_DELAY"
python3 "$BENCH_LIB/routes.py" \
  --route "slow.bench.test=127.0.0.1:$SLOW_BACKEND_PORT" --route "fast.bench.test=127.0.0.1:$FAST_BACKEND_PORT" \
  --manifests "$RUN_DIR/manifests" --routes-json "$RUN_DIR/routes.json"

duration_s="$(seconds_of "$DURATION")"
if [[ "$SLOW_DELAY" == never ]]; then flood_timeout=$((duration_s + 5)); else flood_timeout=$((SLOW_DELAY + 5)); fi

# warm_up NAME PORT : the flood and the fast load for WARMUP, unmeasured; then the slow answers drain.
warm_up() {
  local name="$1" port="$2" warmup_s
  warmup_s="$(seconds_of "$WARMUP")"
  (( warmup_s > 0 )) || return 0
  log "$name: warm-up, the same flood and fast load for $WARMUP (not measured)"
  wrk -t "$FLOOD_THREADS" -c "$FLOOD_CONNECTIONS" -d "$WARMUP" --timeout "${flood_timeout}s" \
    -H "Host: slow.bench.test" "http://127.0.0.1:$port/" >/dev/null 2>&1 &
  local flood_pid=$!
  wrk -t 1 -c "$FAST_CONNECTIONS" -d "$WARMUP" --timeout 5s -H "Host: fast.bench.test" \
    "http://127.0.0.1:$port/" >/dev/null 2>&1 || true
  wait "$flood_pid" || true
  # wrk leaves its last requests to the slow application unanswered; let them end before the measured run.
  if [[ "$SLOW_DELAY" != never ]]; then sleep $((SLOW_DELAY + 2)); else sleep 2; fi
}

# scenario NAME PORT CPU_GROUPS PROBE_URLS... : the flood, the fast load and the probes, concurrently.
scenario() {
  local name="$1" port="$2" cpu="$3"; shift 3
  warm_up "$name" "$port"
  log "$name: flood ${FLOOD_CONNECTIONS} connections on the slow route, fast route and probes for $DURATION"
  python3 "$BENCH_LIB/probe.py" --interval "$PROBE_INTERVAL" --timeout "$PROBE_TIMEOUT" \
    --duration "$duration_s" --out "$RUN_DIR/$name-probes.json" "$@" 2>"$RUN_DIR/$name-probes.log" &
  local probe_pid=$!
  BENCH_COUNT_STATUS=1 measure_wrk "$RUN_DIR/$name-flood.json" "$name-flood" "$cpu" -- \
    -t "$FLOOD_THREADS" -c "$FLOOD_CONNECTIONS" -d "$DURATION" --timeout "${flood_timeout}s" \
    -H "Host: slow.bench.test" "http://127.0.0.1:$port/" 2>"$RUN_DIR/$name-flood.log" &
  local flood_pid=$!
  local fast_delay=""
  (( FAST_DELAY_MS > 0 )) && fast_delay="$FAST_DELAY_MS"
  BENCH_COUNT_STATUS=1 BENCH_DELAY_MS="$fast_delay" measure_wrk "$RUN_DIR/$name-fast.json" "$name-fast" "" -- \
    -t 1 -c "$FAST_CONNECTIONS" -d "$DURATION" --timeout 5s --latency \
    -H "Host: fast.bench.test" "http://127.0.0.1:$port/" 2>"$RUN_DIR/$name-fast.log" &
  local fast_pid=$!
  # Mid-flood snapshot of the proxy's own view (nginx stub_status, or the gateway's metrics), bounded to 2 s.
  sleep "$(awk -v d="$duration_s" 'BEGIN { print d / 2 }')"
  mid_flood_snapshot "$name" || true
  wait "$probe_pid" || log "$name: probe client failed"
  wait "$flood_pid" || log "$name: flood failed: $(tail -5 "$RUN_DIR/$name-flood.log")"
  wait "$fast_pid" || log "$name: fast load failed: $(tail -5 "$RUN_DIR/$name-fast.log")"
  cat "$RUN_DIR/$name-probes.log" "$RUN_DIR/$name-flood.log" "$RUN_DIR/$name-fast.log" >&2
}

mid_flood_snapshot() {
  local name="$1"
  if [[ "$name" == nginx ]]; then
    curl -s -m 2 "http://127.0.0.1:$NGINX_HEALTH_PORT/nginx_status" >"$RUN_DIR/$name-mid-status.txt" \
      || echo "no answer within 2 s" >"$RUN_DIR/$name-mid-status.txt"
  else
    curl -s -m 2 "http://127.0.0.1:$GATEWAY_MGMT_PORT/actuator/prometheus" >"$RUN_DIR/$name-mid-metrics.txt" \
      || echo "no answer within 2 s" >"$RUN_DIR/$name-mid-metrics.txt"
  fi
}

# The gateway's metrics that tell what happened to the flood: its own, Resilience4j's, the gateway's per-route
# request counts by status, and the connection pools.
gateway_metrics() {
  curl -s -m 10 "http://127.0.0.1:$GATEWAY_MGMT_PORT/actuator/prometheus" | python3 -c '
import json, re, sys
keep = re.compile(r"^(ingress_gateway_|resilience4j_|spring_cloud_gateway_requests_seconds_count|"
                  r"reactor_netty_connection_provider_|reactor_netty_http_server_(connections|data)|"
                  r"http_server_requests_seconds_count|jvm_threads_live|process_files_open)")
lines = [l.rstrip() for l in sys.stdin if keep.match(l)]
print(json.dumps(lines[:1000]))' >"$RUN_DIR/$1-metrics.json" || echo null >"$RUN_DIR/$1-metrics.json"
}

pieces=()
if [[ ",$TARGETS," == *",nginx,"* ]]; then
  start_nginx_proxy nginx "$RUN_DIR/routes.json"
  wait_route fast.bench.test / "$NGINX_PORT"
  scenario nginx "$NGINX_PORT" "proxy=$NGINX_PID" "http://127.0.0.1:$NGINX_HEALTH_PORT/healthz"
  python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$RUN_DIR/nginx-mid-status.txt" \
    >"$RUN_DIR/nginx-mid.json"
  stop_pid "$NGINX_PID"
  pieces+=("runs.nginx.probes=file:$RUN_DIR/nginx-probes.json" "runs.nginx.flood=file:$RUN_DIR/nginx-flood.json"
           "runs.nginx.fast=file:$RUN_DIR/nginx-fast.json" "runs.nginx.mid_flood_stub_status=file:$RUN_DIR/nginx-mid.json")
  sleep 2
fi

if [[ ",$TARGETS," == *",gateway,"* ]]; then
  # shellcheck disable=SC2086
  start_gateway_manifests gateway "$RUN_DIR/manifests" $GATEWAY_ARGS
  wait_gateway_ready 120
  wait_route fast.bench.test / "$GATEWAY_PORT"
  scenario gateway "$GATEWAY_PORT" "proxy=$GATEWAY_PID" \
    "http://127.0.0.1:$GATEWAY_MGMT_PORT/actuator/health/liveness" \
    "http://127.0.0.1:$GATEWAY_MGMT_PORT/actuator/health/readiness"
  gateway_metrics gateway
  python3 -c '
import json, re, sys
text = open(sys.argv[1]).read()
keep = re.compile(r"^(ingress_gateway_|resilience4j_|reactor_netty_connection_provider_|jvm_threads_live|process_files_open)")
print(json.dumps([l for l in text.splitlines() if keep.match(l)][:500] or text[:200]))' \
    "$RUN_DIR/gateway-mid-metrics.txt" >"$RUN_DIR/gateway-mid.json"
  stop_pid "$GATEWAY_PID"
  pieces+=("runs.gateway.probes=file:$RUN_DIR/gateway-probes.json" "runs.gateway.flood=file:$RUN_DIR/gateway-flood.json"
           "runs.gateway.fast=file:$RUN_DIR/gateway-fast.json" "runs.gateway.metrics_after=file:$RUN_DIR/gateway-metrics.json"
           "runs.gateway.metrics_mid_flood=file:$RUN_DIR/gateway-mid.json")
fi

python3 "$BENCH_LIB/assemble.py" "$RUN_DIR/result.json" \
  benchmark=str:probe-starvation \
  parameters=json:"{\"duration\":\"$DURATION\",\"warmup\":\"$WARMUP\",\"flood_connections\":$FLOOD_CONNECTIONS,\"flood_threads\":$FLOOD_THREADS,\"slow_delay\":\"$SLOW_DELAY\",\"fast_connections\":$FAST_CONNECTIONS,\"fast_delay_ms\":$FAST_DELAY_MS,\"probe_interval_s\":$PROBE_INTERVAL,\"probe_timeout_s\":$PROBE_TIMEOUT,\"gateway_args\":\"$GATEWAY_ARGS\",\"gateway_java_opts\":\"$GATEWAY_JAVA_OPTS\",\"open_files_limit\":$(ulimit -n)}" \
  machine=json:"$MACHINE" \
  "${pieces[@]}"

# Side-by-side summary: the figures issue 3 asks for.
python3 - "$RUN_DIR/result.json" <<'EOF'
import json, sys
path = sys.argv[1]
r = json.load(open(path))
summary = {}
for name, run in r.get("runs", {}).items():
    probes = (run.get("probes") or {}).get("probes", {})
    flood = (run.get("flood") or {}).get("wrk", {})
    fast = (run.get("fast") or {}).get("wrk", {})
    counts = flood.get("status_counts", {})
    summary[name] = {
        "probe_success_rate_min": min((p["success_rate"] for p in probes.values() if p["success_rate"] is not None),
                                      default=None),
        "probe_p50_ms_max": max((p["latency_ms"]["p50"] for p in probes.values() if p["latency_ms"]["p50"]),
                                default=None),
        "probe_p99_ms_max": max((p["latency_ms"]["p99"] for p in probes.values() if p["latency_ms"]["p99"]),
                                default=None),
        "probe_failures": {u: p["failures"] for u, p in probes.items() if p["failures"]},
        "fast_route_p50_ms": fast.get("latency_us", {}).get("p50", 0) / 1000 if fast else None,
        "fast_route_p99_ms": fast.get("latency_us", {}).get("p99", 0) / 1000 if fast else None,
        "fast_route_requests": fast.get("requests"),
        "fast_route_rps": round(fast["requests_per_s"]) if fast.get("requests_per_s") is not None else None,
        "fast_route_status_counts": fast.get("status_counts"),
        "fast_route_socket_errors": fast.get("errors"),
        "flood_responses": flood.get("requests"),
        "flood_status_counts": counts,
        "flood_rejected_503": counts.get("503", 0),
        "flood_socket_errors": flood.get("errors"),
        "proxy_cpu_seconds": (run.get("flood") or {}).get("cpu", {}).get("proxy", {}).get("cpu_seconds"),
    }
r["summary"] = summary
# The gateway beside nginx, measured in this same run: what issue 11 accepts.
g, n = summary.get("gateway"), summary.get("nginx")
if g and n and n.get("fast_route_rps") and g.get("fast_route_rps") is not None:
    r["comparison"] = {
        "fast_route_rps_vs_nginx": round(g["fast_route_rps"] / n["fast_route_rps"], 3),
        "fast_route_p99_ms": {"gateway": g["fast_route_p99_ms"], "nginx": n["fast_route_p99_ms"]},
        "probes_all_ok": g["probe_success_rate_min"] == 1.0,
        "probe_p99_under_50ms": g["probe_p99_ms_max"] is not None and g["probe_p99_ms_max"] < 50,
        "fast_route_rps_at_least_80pct": g["fast_route_rps"] >= 0.8 * n["fast_route_rps"],
        "fast_route_p99_no_worse": g["fast_route_p99_ms"] <= n["fast_route_p99_ms"],
    }
json.dump(r, open(path, "w"), indent=1)
for name, s in summary.items():
    print(f"{name}: probes ok {s['probe_success_rate_min']}, probe p99 {s['probe_p99_ms_max']} ms, "
          f"fast {s['fast_route_rps']} req/s, p99 {s['fast_route_p99_ms']} ms, "
          f"flood statuses {s['flood_status_counts']}, flood errors {s['flood_socket_errors']}", file=sys.stderr)
if "comparison" in r:
    print(f"gateway vs nginx: {json.dumps(r['comparison'])}", file=sys.stderr)
EOF
emit_result "$RUN_DIR/result.json"
