#!/usr/bin/env bash
# Convergence: an API server (the fabric8 CRUD mock as a standalone process, bench/java BenchApiServer) holding
# INGRESSES Ingresses (one rule each, plus their Services and EndpointSlices); the gateway watching it. Then, CHANGES
# times each: create one Ingress, update one Ingress's path, change one EndpointSlice; each time the gateway is polled
# back to back until it serves the new state. Reports p50/p90/p99/max of the time from the API call returning to the
# first request served by the new state, and the gateway's start-to-ready time with INGRESSES Ingresses present.
#
#   bench/convergence/run.sh
#
# Environment: INGRESSES (10000), PATHS_PER_HOST (10), CHANGES (200), POLL_INTERVAL_MS (1), PAUSE_MS (50, between
# changes), TIMEOUT_MS (10000, per change), SCENARIOS (create_ingress,update_ingress,update_endpointslice), BUILD,
# GATEWAY_JAVA_OPTS.
# Prints one JSON object; also stored in bench/results/convergence-<timestamp>.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

INGRESSES="${INGRESSES:-10000}"
PATHS_PER_HOST="${PATHS_PER_HOST:-10}"
CHANGES="${CHANGES:-200}"
POLL_INTERVAL_MS="${POLL_INTERVAL_MS:-1}"
PAUSE_MS="${PAUSE_MS:-50}"
TIMEOUT_MS="${TIMEOUT_MS:-10000}"
SCENARIOS="${SCENARIOS:-create_ingress,update_ingress,update_endpointslice}"

bench_init convergence
ensure_tools nginx curl
raise_nofile 65536
build_gateway
build_bench_classes
MACHINE="$(machine_json)"
start_fast_backend

python3 "$BENCH_LIB/routes.py" --rules "$INGRESSES" --paths-per-host "$PATHS_PER_HOST" \
  --backend "127.0.0.1:$FAST_BACKEND_PORT" --manifests "$RUN_DIR/manifests" --targets "$RUN_DIR/targets.txt"
last_line="$(tail -1 "$RUN_DIR/targets.txt")"

log "API server: loading $INGRESSES Ingresses"
start_bg api-server java -cp "$BENCH_CP" io.ingressgateway.bench.BenchApiServer \
  --manifests "$RUN_DIR/manifests" --url-file "$RUN_DIR/api-url"
API_PID="$LAST_PID"
for _ in $(seq 6000); do
  [[ -s "$RUN_DIR/api-url" ]] && break
  kill -0 "$API_PID" 2>/dev/null || die "API server exited: $(tail -20 "$RUN_DIR/api-server.log")"
  sleep 0.1
done
[[ -s "$RUN_DIR/api-url" ]] || die "API server not loaded within 600 s"
API_URL="$(cat "$RUN_DIR/api-url")"
log "$(grep '^loaded' "$RUN_DIR/api-server.log")"

start_gateway gateway --ingress-gateway.source=kubernetes --ingress-gateway.kubernetes.master-url="$API_URL"
wait_gateway_ready 300
# Ready means the first full sync is translated and loaded: the last Ingress listed must already be served.
ROUTE_WAIT_START_NS="$(date +%s%N)"
wait_route "${last_line% *}" "${last_line#* }" "$GATEWAY_PORT" 60
LAST_ROUTE_AFTER_READY_MS=$(( ($(date +%s%N) - ROUTE_WAIT_START_NS) / 1000000 ))
echo "{\"ready_ms\": $GATEWAY_READY_MS, \"last_ingress_served_ms_after_ready\": $LAST_ROUTE_AFTER_READY_MS}" \
  >"$RUN_DIR/start.json"

log "measuring convergence: $CHANGES changes per scenario ($SCENARIOS)"
timeout 3600 java -cp "$BENCH_CP" io.ingressgateway.bench.ConvergenceDriver \
  --api "$API_URL" --gateway-port "$GATEWAY_PORT" --changes "$CHANGES" --timeout-ms "$TIMEOUT_MS" \
  --poll-interval-ms "$POLL_INTERVAL_MS" --pause-ms "$PAUSE_MS" --scenarios "$SCENARIOS" \
  --out "$RUN_DIR/convergence.json" >"$RUN_DIR/driver.log" 2>&1 \
  || die "convergence driver failed: $(tail -30 "$RUN_DIR/driver.log")"

RSS_BYTES="$(python3 "$BENCH_LIB/procstat.py" rss "$GATEWAY_PID")"
python3 "$BENCH_LIB/assemble.py" "$RUN_DIR/result.json" \
  benchmark=str:convergence \
  parameters=json:"{\"ingresses\":$INGRESSES,\"paths_per_host\":$PATHS_PER_HOST,\"changes\":$CHANGES,\"poll_interval_ms\":$POLL_INTERVAL_MS,\"pause_ms\":$PAUSE_MS,\"timeout_ms\":$TIMEOUT_MS,\"gateway_java_opts\":\"$GATEWAY_JAVA_OPTS\"}" \
  machine=json:"$MACHINE" \
  gateway_start=file:"$RUN_DIR/start.json" \
  gateway_rss_bytes_after=num:"$RSS_BYTES" \
  convergence=file:"$RUN_DIR/convergence.json"
emit_result "$RUN_DIR/result.json"
