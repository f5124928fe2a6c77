#!/usr/bin/env bash
# Footprint: for each size in SIZES (a small baseline and 10,000 Ingresses), start the gateway with that many
# Ingresses present, measure the time from start to ready, then, after a settle period and a full GC, the heap in use
# (jcmd GC.heap_info; and Actuator's jvm_memory_used_bytes{area="heap"}) and the process RSS (/proc VmRSS).
#
#   bench/footprint/run.sh
#
# Environment: SIZES ("10 10000"), PATHS_PER_HOST (10), SOURCE (kubernetes: the bench API server, as in a cluster;
# or manifests: a YAML directory), SETTLE (5s), BUILD, GATEWAY_JAVA_OPTS (default none: the JVM's own heap sizing;
# the chart uses -XX:MaxRAMPercentage=75.0), HISTOGRAM (0; 1 also stores the top of `jcmd GC.class_histogram` per
# size in the run directory, to see what holds the heap).
# Prints one JSON object; also stored in bench/results/footprint-<timestamp>.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

SIZES="${SIZES:-10 10000}"
PATHS_PER_HOST="${PATHS_PER_HOST:-10}"
SOURCE="${SOURCE:-kubernetes}"
SETTLE="${SETTLE:-5s}"

bench_init footprint
ensure_tools nginx curl
raise_nofile 65536
build_gateway
[[ "$SOURCE" == kubernetes ]] && build_bench_classes
MACHINE="$(machine_json)"
start_fast_backend

# Heap used after a full GC, in bytes, from `jcmd GC.heap_info` (G1: "garbage-first heap total 123K, used 45K").
heap_used_after_gc() {
  local pid="$1"
  jcmd "$pid" GC.run >/dev/null
  sleep 1
  jcmd "$pid" GC.heap_info >"$RUN_DIR/heap-info-$pid.txt"
  python3 - "$RUN_DIR/heap-info-$pid.txt" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"heap\s+total\s+(\d+)K,\s+used\s+(\d+)K", text) or re.search(r"total\s+(\d+)K,\s+used\s+(\d+)K", text)
print(f"{int(m.group(2)) * 1024} {int(m.group(1)) * 1024}" if m else "null null")
EOF
}

# Sum of jvm_memory_used_bytes{area="heap"} from the Prometheus endpoint.
actuator_heap_used() {
  curl -s "http://127.0.0.1:$GATEWAY_MGMT_PORT/actuator/prometheus" | python3 -c '
import sys
total = sum(float(l.rsplit(" ", 1)[1]) for l in sys.stdin if l.startswith("jvm_memory_used_bytes{") and "area=\"heap\"" in l)
print(int(total))'
}

pieces=()
for size in $SIZES; do
  dir="$RUN_DIR/rules-$size"
  python3 "$BENCH_LIB/routes.py" --rules "$size" --paths-per-host "$PATHS_PER_HOST" \
    --backend "127.0.0.1:$FAST_BACKEND_PORT" --manifests "$dir/manifests" --targets "$dir/targets.txt"
  last_line="$(tail -1 "$dir/targets.txt")"

  api_pid=""
  if [[ "$SOURCE" == kubernetes ]]; then
    start_bg "api-server-$size" java -cp "$BENCH_CP" io.ingressgateway.bench.BenchApiServer \
      --manifests "$dir/manifests" --url-file "$dir/api-url"
    api_pid="$LAST_PID"
    for _ in $(seq 6000); do
      [[ -s "$dir/api-url" ]] && break
      kill -0 "$api_pid" 2>/dev/null || die "API server exited"
      sleep 0.1
    done
    [[ -s "$dir/api-url" ]] || die "API server not loaded within 600 s"
    start_gateway "gateway-$size" --ingress-gateway.source=kubernetes \
      --ingress-gateway.kubernetes.master-url="$(cat "$dir/api-url")"
  else
    start_gateway_manifests "gateway-$size" "$dir/manifests"
  fi
  wait_gateway_ready 300
  ready_ms="$GATEWAY_READY_MS"
  wait_route "${last_line% *}" "${last_line#* }" "$GATEWAY_PORT" 60
  served_ms=$(( ($(date +%s%N) - GATEWAY_START_NS) / 1000000 ))

  sleep "$(seconds_of "$SETTLE")"
  read -r heap_used heap_committed <<<"$(heap_used_after_gc "$GATEWAY_PID")"
  actuator_heap="$(actuator_heap_used)"
  if [[ "${HISTOGRAM:-0}" == 1 ]]; then
    jcmd "$GATEWAY_PID" GC.class_histogram | head -60 >"$RUN_DIR/histogram-$size.txt"
    log "class histogram: $RUN_DIR/histogram-$size.txt"
  fi
  rss="$(python3 "$BENCH_LIB/procstat.py" rss "$GATEWAY_PID")"
  threads="$(ls "/proc/$GATEWAY_PID/task" | wc -l)"
  log "$size Ingresses: ready ${ready_ms} ms, heap used after GC $((heap_used / 1048576)) MiB, RSS $((rss / 1048576)) MiB"
  cat >"$RUN_DIR/size-$size.json" <<EOF
{"ingresses": $size, "ready_ms": $ready_ms, "last_ingress_served_ms": $served_ms,
 "heap_used_after_gc_bytes": $heap_used, "heap_committed_bytes": $heap_committed,
 "actuator_heap_used_bytes": ${actuator_heap:-null}, "rss_bytes": $rss, "threads": $threads}
EOF
  pieces+=("sizes.i$size=file:$RUN_DIR/size-$size.json")
  stop_pid "$GATEWAY_PID"
  [[ -n "$api_pid" ]] && stop_pid "$api_pid"
done

python3 "$BENCH_LIB/assemble.py" "$RUN_DIR/result.json" \
  benchmark=str:footprint \
  parameters=json:"{\"sizes\":\"$SIZES\",\"paths_per_host\":$PATHS_PER_HOST,\"source\":\"$SOURCE\",\"settle\":\"$SETTLE\",\"gateway_java_opts\":\"$GATEWAY_JAVA_OPTS\"}" \
  machine=json:"$MACHINE" \
  "${pieces[@]}"
emit_result "$RUN_DIR/result.json"
