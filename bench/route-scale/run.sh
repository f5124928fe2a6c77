#!/usr/bin/env bash
# Route-table scale, end to end: the gateway (and nginx configured like ingress-nginx, same rules) with 10, 1,000 and
# 10,000 Ingress rules loaded (hosts h<i>.bench.test with PATHS_PER_HOST paths each, one Ingress per rule), wrk
# spreading requests at random over every rule (Host header and path). Requests/s, p50/p99 latency, CPU us/request.
# The route lookup alone is measured by bench/route-scale/jmh.sh.
#
#   bench/route-scale/run.sh
#
# Environment: SIZES ("10 1000 10000"), PATHS_PER_HOST (10), DURATION (20s), WARMUP (20s), CONNECTIONS (50),
# THREADS (2), PROXIES (gateway,nginx), BUILD, GATEWAY_JAVA_OPTS, NGINX_ACCESS_LOG, PROFILE (unset, or a JFR settings
# name/file such as bench/lib/jfr/fine.jfc: records each gateway run with JFR over exactly the measured window, to
# bench/results/route-scale-<timestamp>-r<size>.jfr, and prints a breakdown per size to stderr; the recording costs a
# few percent of CPU, so take throughput from a run without it).
# The CPU of wrk itself is reported too (cpu.load_generator): on a small machine it shares the cores with the proxy.
# Prints one JSON object; also stored in bench/results/route-scale-<timestamp>.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

SIZES="${SIZES:-10 1000 10000}"
PATHS_PER_HOST="${PATHS_PER_HOST:-10}"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-20s}"
CONNECTIONS="${CONNECTIONS:-50}"
THREADS="${THREADS:-2}"
PROXIES="${PROXIES:-gateway,nginx}"
if [[ -n "${PROFILE:-}" ]]; then
  # Reactive stacks are deep: JFR's default of 64 frames would cut most samples off from the code that caused them.
  GATEWAY_JAVA_OPTS="$GATEWAY_JAVA_OPTS -XX:FlightRecorderOptions:stackdepth=512"
fi

bench_init route-scale
ensure_tools wrk nginx curl
raise_nofile 65536
build_gateway
MACHINE="$(machine_json)"
start_fast_backend

# load NAME PORT CPU_GROUPS TARGETS : warm-up, then the measured window, requests spread over TARGETS.
load() {
  local name="$1" port="$2" cpu="$3" targets="$4"
  local url="http://127.0.0.1:$port/"
  log "$name: warm-up $WARMUP"
  BENCH_TARGETS="$targets" wrk -s "$BENCH_LIB/wrk/report.lua" -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" \
    "$url" >/dev/null
  log "$name: measuring $DURATION"
  local jfr="" jvm=""
  if [[ "$name" == gateway-* ]]; then
    jvm=proxy
    if [[ -n "${PROFILE:-}" ]]; then
      jfr="$RESULTS_DIR/route-scale-$BENCH_TIMESTAMP-r${name#gateway-}.jfr"
      jcmd "$GATEWAY_PID" JFR.start name=bench settings="$PROFILE" filename="$jfr" >/dev/null
    fi
  fi
  BENCH_TARGETS="$targets" MEASURE_JVM="$jvm" measure_wrk "$RUN_DIR/$name.json" "$name" "$cpu" -- \
    -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" "$url"
  if [[ -n "$jfr" ]]; then
    jcmd "$GATEWAY_PID" JFR.stop name=bench >/dev/null
    log "JFR recording of the measured window: ${jfr#"$REPO_ROOT"/}"
    python3 "$BENCH_LIB/jfr_summary.py" "$jfr" --json "${jfr%.jfr}-profile.json" \
      --cpu-us-per-request "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cpu"]["proxy"]["cpu_us_per_request"])' "$RUN_DIR/$name.json")" >&2 || log "could not summarise $jfr"
  fi
}

pieces=()
for size in $SIZES; do
  dir="$RUN_DIR/rules-$size"
  python3 "$BENCH_LIB/routes.py" --rules "$size" --paths-per-host "$PATHS_PER_HOST" \
    --backend "127.0.0.1:$FAST_BACKEND_PORT" --manifests "$dir/manifests" --routes-json "$dir/routes.json" \
    --targets "$dir/targets.txt"
  read -r first_host first_path < "$dir/targets.txt"
  last_line="$(tail -1 "$dir/targets.txt")"
  last_host="${last_line% *}" last_path="${last_line#* }"

  if [[ ",$PROXIES," == *",gateway,"* ]]; then
    start_gateway_manifests "gateway-$size" "$dir/manifests"
    wait_gateway_ready 300
    # Readiness means the first model is loaded: the first and the last rule must both answer.
    wait_route "$first_host" "$first_path" "$GATEWAY_PORT" 60
    wait_route "$last_host" "$last_path" "$GATEWAY_PORT" 60
    load "gateway-$size" "$GATEWAY_PORT" "proxy=$GATEWAY_PID;backend=$FAST_BACKEND_PID" "$dir/targets.txt"
    echo "{\"ready_ms\": $GATEWAY_READY_MS}" >"$RUN_DIR/gateway-$size-start.json"
    stop_pid "$GATEWAY_PID"
    pieces+=("runs.gateway.r$size=file:$RUN_DIR/gateway-$size.json"
             "runs.gateway.r$size.start=file:$RUN_DIR/gateway-$size-start.json")
  fi

  if [[ ",$PROXIES," == *",nginx,"* ]]; then
    start_nginx_proxy "nginx-$size" "$dir/routes.json"
    wait_route "$first_host" "$first_path" "$NGINX_PORT"
    wait_route "$last_host" "$last_path" "$NGINX_PORT"
    load "nginx-$size" "$NGINX_PORT" "proxy=$NGINX_PID;backend=$FAST_BACKEND_PID" "$dir/targets.txt"
    stop_pid "$NGINX_PID"
    pieces+=("runs.nginx.r$size=file:$RUN_DIR/nginx-$size.json")
  fi
done

python3 "$BENCH_LIB/assemble.py" "$RUN_DIR/result.json" \
  benchmark=str:route-scale \
  parameters=json:"{\"sizes\":\"$SIZES\",\"paths_per_host\":$PATHS_PER_HOST,\"duration\":\"$DURATION\",\"warmup\":\"$WARMUP\",\"connections\":$CONNECTIONS,\"threads\":$THREADS,\"gateway_java_opts\":\"$GATEWAY_JAVA_OPTS\",\"profile\":\"${PROFILE:-}\"}" \
  machine=json:"$MACHINE" \
  "${pieces[@]}"

# The acceptance criterion: throughput with the most rules relative to the fewest (target >= 0.9).
python3 - "$RUN_DIR/result.json" <<'EOF'
import json, sys
path = sys.argv[1]
r = json.load(open(path))
cmp = {}
for proxy, sizes in r.get("runs", {}).items():
    keys = sorted(sizes, key=lambda k: int(k[1:]))
    if len(keys) >= 2:
        lo, hi = sizes[keys[0]]["wrk"], sizes[keys[-1]]["wrk"]
        cmp[f"{proxy}_throughput_{keys[-1]}_vs_{keys[0]}"] = round(hi["requests_per_s"] / lo["requests_per_s"], 3)
    for k in keys:
        errors = sizes[k]["wrk"]["errors"]
        if errors["status"]:
            cmp.setdefault("non_2xx_responses", {})[f"{proxy}_{k}"] = errors["status"]
r["comparison"] = cmp
json.dump(r, open(path, "w"), indent=1)
EOF
emit_result "$RUN_DIR/result.json"
