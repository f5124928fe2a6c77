#!/usr/bin/env bash
# Global rate limit throughput (issue 13): requests/s through a route with a Redis-backed global-rate-limit set high
# enough never to refuse, with one gateway and with two gateways sharing one Redis, beside the same gateway's plain
# route for reference. Everything on loopback: a fast nginx backend, one redis-server (no persistence), wrk.
#
#   bench/global-rate-limit/run.sh
#
# Runs, one after the other, each after a warm-up:
#   plain          one gateway, a route without any limit
#   limited-one    one gateway, the limited route (one Redis round trip per request)
#   limited-two    two gateways on the same manifests and Redis, wrk on each at once (half the connections each);
#                  requests/s is their sum, CPU the two gateways' together
# Every limited run checks, from the gateways' metrics, that nothing was refused and Redis never failed (a refusal or
# a fail-open would measure something else); the result says so under "checks".
#
# Environment: DURATION (30s), WARMUP (30s), CONNECTIONS (50), THREADS (2, per wrk), BUILD (auto|always|never),
# GATEWAY_JAVA_OPTS, LIMIT (1000000000 per WINDOW), WINDOW (1m), OPERATION_TIMEOUT (100ms, the default),
# RUNS (plain,limited-one,limited-two).
# Prints one JSON object; also stored in bench/results/global-rate-limit-<timestamp>.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

DURATION="${DURATION:-30s}"
WARMUP="${WARMUP:-30s}"
CONNECTIONS="${CONNECTIONS:-50}"
THREADS="${THREADS:-2}"
LIMIT="${LIMIT:-1000000000}"
WINDOW="${WINDOW:-1m}"
OPERATION_TIMEOUT="${OPERATION_TIMEOUT:-100ms}"
RUNS="${RUNS:-plain,limited-one,limited-two}"
PLAIN_HOST=plain.bench.test
LIMITED_HOST=limited.bench.test
REQUEST_PATH=/v1/items

bench_init global-rate-limit
ensure_tools wrk nginx curl redis-server
raise_nofile 65536
build_gateway
MACHINE="$(machine_json)"

start_fast_backend

REDIS_PORT="$(free_port)"
start_bg redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no
REDIS_PID="$LAST_PID"
for _ in $(seq 100); do
  [[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null || true)" == PONG ]] && break
  sleep 0.1
done
[[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null || true)" == PONG ]] || die "redis-server did not start"
log "redis-server: pid $REDIS_PID, :$REDIS_PORT"

# One Service whose endpoint is the backend; a plain Ingress and a limited one.
mkdir -p "$RUN_DIR/manifests"
ingress() {
  local name="$1" host="$2" annotations="$3"
  cat <<YAML
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  namespace: bench
  name: $name
  annotations: {$annotations}
spec:
  ingressClassName: ingress-gateway
  rules:
    - host: $host
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: backend
                port:
                  number: 80
YAML
}
{
  cat <<YAML
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: ingress-gateway
spec:
  controller: ingress-gateway.io/controller
---
apiVersion: v1
kind: Service
metadata:
  namespace: bench
  name: backend
spec:
  ports:
    - name: http
      port: 80
      targetPort: $FAST_BACKEND_PORT
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  namespace: bench
  name: backend-1
  labels:
    kubernetes.io/service-name: backend
addressType: IPv4
ports:
  - name: http
    port: $FAST_BACKEND_PORT
    protocol: TCP
endpoints:
  - addresses: ["127.0.0.1"]
    conditions: {ready: true}
YAML
  ingress plain "$PLAIN_HOST" ""
  ingress limited "$LIMITED_HOST" "nginx.ingress.kubernetes.io/global-rate-limit: \"$LIMIT\", nginx.ingress.kubernetes.io/global-rate-limit-window: \"$WINDOW\""
} >"$RUN_DIR/manifests/bench.yaml"

GATEWAY_ARGS=(--ingress-gateway.global-rate-limit.redis.url="redis://127.0.0.1:$REDIS_PORT"
  --ingress-gateway.global-rate-limit.redis.operation-timeout="$OPERATION_TIMEOUT"
  --ingress-gateway.tls.enabled=false)

# start_one NAME : a gateway on the manifests; sets its PID, PORT and MGMT_PORT as <NAME>_PID etc.
start_one() {
  local name="$1"
  start_gateway_manifests "$name" "$RUN_DIR/manifests" "${GATEWAY_ARGS[@]}"
  wait_gateway_ready 120
  wait_route "$PLAIN_HOST" "$REQUEST_PATH" "$GATEWAY_PORT"
  wait_route "$LIMITED_HOST" "$REQUEST_PATH" "$GATEWAY_PORT"
  printf -v "${name}_PID" '%s' "$GATEWAY_PID"
  printf -v "${name}_PORT" '%s' "$GATEWAY_PORT"
  printf -v "${name}_MGMT" '%s' "$GATEWAY_MGMT_PORT"
}

# counter MGMT_PORT NAME : the sum of a Prometheus counter's series (0 when absent).
counter() {
  curl -fsS "http://127.0.0.1:$1/actuator/prometheus" \
    | awk -v name="$2" 'index($0, name) == 1 { sum += $NF } END { printf "%d\n", sum }'
}

# check_limited LABEL MGMT_PORT... : records refusals and Redis failures seen by the gateways (both must stay 0).
check_limited() {
  local label="$1"; shift
  local refused=0 failed=0 admitted=0 port
  for port in "$@"; do
    refused=$((refused + $(counter "$port" 'ingress_gateway_global_rate_limit_decisions_total{decision="limited"}')))
    failed=$((failed + $(counter "$port" 'ingress_gateway_global_rate_limit_store_errors_total')))
    admitted=$((admitted + $(counter "$port" 'ingress_gateway_global_rate_limit_decisions_total{decision="admitted"}')))
  done
  echo "{\"admitted\": $admitted, \"limited\": $refused, \"store_errors\": $failed}" >"$RUN_DIR/check-$label.json"
  # No admitted request means the limit never ran (an Ingress warning, no Redis): nothing of Redis was measured.
  ((admitted > 0)) || die "$label: no request went through the global rate limit; see the gateway's /actuator/ingresses"
  if ((refused > 0 || failed > 0)); then
    log "WARNING $label: $refused requests refused and $failed Redis failures; raise LIMIT or OPERATION_TIMEOUT"
  fi
}

# load NAME PORT CPU_GROUPS HOST [CONNECTIONS] : warm-up, then the measured window (in the background with BG=1).
load() {
  local name="$1" port="$2" cpu="$3" host="$4" connections="${5:-$CONNECTIONS}"
  local url="http://127.0.0.1:$port$REQUEST_PATH"
  log "$name: warm-up $WARMUP"
  wrk -t "$THREADS" -c "$connections" -d "$WARMUP" -H "Host: $host" "$url" >/dev/null
  log "$name: measuring $DURATION"
  measure_wrk "$RUN_DIR/$name.json" "$name" "$cpu" -- \
    -t "$THREADS" -c "$connections" -d "$DURATION" --latency -H "Host: $host" "$url"
}

start_one gw1
if [[ ",$RUNS," == *",plain,"* ]]; then
  load plain "$gw1_PORT" "proxy=$gw1_PID;backend=$FAST_BACKEND_PID" "$PLAIN_HOST"
fi
if [[ ",$RUNS," == *",limited-one,"* ]]; then
  load limited-one "$gw1_PORT" "proxy=$gw1_PID;redis=$REDIS_PID;backend=$FAST_BACKEND_PID" "$LIMITED_HOST"
  check_limited limited-one "$gw1_MGMT"
fi
if [[ ",$RUNS," == *",limited-two,"* ]]; then
  start_one gw2
  # Both warm up and measure at the same time, half the connections each; CPU counts both gateways.
  half=$(( (CONNECTIONS + 1) / 2 ))
  cpu="proxy=$gw1_PID,$gw2_PID;redis=$REDIS_PID;backend=$FAST_BACKEND_PID"
  load limited-two-a "$gw1_PORT" "$cpu" "$LIMITED_HOST" "$half" &
  first=$!
  load limited-two-b "$gw2_PORT" "$cpu" "$LIMITED_HOST" "$half" &
  second=$!
  wait "$first"
  wait "$second"
  check_limited limited-two "$gw1_MGMT" "$gw2_MGMT"
  python3 - "$RUN_DIR" <<'PY'
import json, sys
run_dir = sys.argv[1]
a = json.load(open(f"{run_dir}/limited-two-a.json"))
b = json.load(open(f"{run_dir}/limited-two-b.json"))
requests = a["wrk"]["requests"] + b["wrk"]["requests"]
# Each measurement read the CPU of both gateways (and Redis) over the same window: per request, that CPU is shared by
# the requests of both wrk runs (the mean of the two readings, which differ only by their windows' edges).
cpu = {}
for group in a["cpu"]:
    if group == "load_generator":
        continue
    seconds = (a["cpu"][group]["cpu_seconds"] + b["cpu"][group]["cpu_seconds"]) / 2
    cpu[group] = {"cpu_seconds": round(seconds, 3),
                  "cpu_us_per_request": round(seconds * 1e6 / requests, 2) if requests else None}
together = {"label": "limited-two", "gateways": [a, b], "requests": requests, "cpu": cpu,
            "requests_per_s": round(a["wrk"]["requests_per_s"] + b["wrk"]["requests_per_s"], 1)}
json.dump(together, open(f"{run_dir}/limited-two.json", "w"), indent=1)
PY
fi

args=()
for run in plain limited-one limited-two; do
  [[ -f "$RUN_DIR/$run.json" ]] && args+=("runs.$run=file:$RUN_DIR/$run.json")
  [[ -f "$RUN_DIR/check-$run.json" ]] && args+=("checks.$run=file:$RUN_DIR/check-$run.json")
done
python3 "$BENCH_LIB/assemble.py" "$RUN_DIR/result.json" \
  benchmark=str:global-rate-limit \
  parameters=json:"{\"duration\":\"$DURATION\",\"warmup\":\"$WARMUP\",\"connections\":$CONNECTIONS,\"threads\":$THREADS,\"limit\":$LIMIT,\"window\":\"$WINDOW\",\"operation_timeout\":\"$OPERATION_TIMEOUT\",\"path\":\"$REQUEST_PATH\",\"gateway_java_opts\":\"$GATEWAY_JAVA_OPTS\"}" \
  machine=json:"$MACHINE" \
  "${args[@]}"

# The figures the issue asks for: requests/s through the limit with one and with two gateways, against the plain route.
python3 - "$RUN_DIR/result.json" <<'PY'
import json, sys
path = sys.argv[1]
r = json.load(open(path))
runs = r["runs"]
def rps(name):
    run = runs.get(name)
    if not run:
        return None
    return run["requests_per_s"] if "requests_per_s" in run else run["wrk"]["requests_per_s"]
figures = {name: rps(name) for name in ("plain", "limited-one", "limited-two")}
cmp = {"requests_per_s": figures}
if figures["plain"] and figures["limited-one"]:
    cmp["limited_one_vs_plain"] = round(figures["limited-one"] / figures["plain"], 3)
if figures["limited-one"] and figures["limited-two"]:
    cmp["limited_two_vs_one"] = round(figures["limited-two"] / figures["limited-one"], 3)
r["comparison"] = cmp
json.dump(r, open(path, "w"), indent=1)
print("requests/s: " + ", ".join(f"{k} {v}" for k, v in figures.items() if v is not None), file=sys.stderr)
PY
emit_result "$RUN_DIR/result.json"
