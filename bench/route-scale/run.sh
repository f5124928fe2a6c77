#!/usr/bin/env bash
# Route-table scale, end to end: the gateway (and nginx configured like ingress-nginx, same rules) with 10, 1,000 and
# 10,000 Ingress rules loaded (hosts h<i>.bench.test with PATHS_PER_HOST paths each, one Ingress per rule), wrk
# spreading requests at random over every rule (Host header and path). Requests/s, p50/p99 latency, CPU us/request.
# The route lookup alone is measured by bench/route-scale/jmh.sh.
#
#   bench/route-scale/run.sh
#
# Environment: SIZES ("10 1000 10000"), PATHS_PER_HOST (10), DURATION (20s), WARMUP (20s), CONNECTIONS (50),
# THREADS (2), PROXIES (gateway,nginx), ROUNDS (1), BUILD, GATEWAY_JAVA_OPTS, NGINX_ACCESS_LOG, PROFILE (unset, or a
# JFR settings name/file such as bench/lib/jfr/fine.jfc: records each gateway run with JFR over exactly the measured
# window, to bench/results/route-scale-<timestamp>-r<size>[-round<k>].jfr, and prints a breakdown per size to stderr; the recording costs a
# few percent of CPU, so take throughput from a run without it).
# The CPU of wrk itself is reported too (cpu.load_generator): on a small machine it shares the cores with the proxy.
# ROUNDS=n runs every size n times, alternating (10, 10000, 10, 10000, ...), each run with a fresh proxy: on a VM whose
# speed drifts with its neighbours' load, a single pair of runs can differ by 25% at the same size. The comparison is
# then the ratio of the median throughputs, with each round's own ratio beside it; runs.<proxy>.r<size> is the run of
# median throughput and rounds.<k> has every run.
# PAIRED=1 (with two SIZES) starts every proxy of PROXIES at both sizes first and keeps them running, warms each up,
# then measures ROUNDS rounds, each round both sizes of the gateway one right after the other, then both of nginx: the
# two sizes of a proxy are then measured seconds apart, not minutes.
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
ROUNDS="${ROUNDS:-1}"
PAIRED="${PAIRED:-0}"
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
  warm "$2" "$4" "$1"
  measure "$@"
}

# warm PORT TARGETS NAME : the warm-up, requests spread over TARGETS.
warm() {
  log "$3: warm-up $WARMUP"
  BENCH_TARGETS="$2" wrk -s "$BENCH_LIB/wrk/report.lua" -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" \
    "http://127.0.0.1:$1/" >/dev/null
}

# measure NAME PORT CPU_GROUPS TARGETS : one measured window, into $RUN_DIR/NAME.json.
measure() {
  local name="$1" port="$2" cpu="$3" targets="$4"
  local url="http://127.0.0.1:$port/"
  log "$name: measuring $DURATION"
  local jfr="" jvm=""
  if [[ "$name" == gateway-* ]]; then
    jvm=proxy
    if [[ -n "${PROFILE:-}" ]]; then
      jfr="$RESULTS_DIR/route-scale-$BENCH_TIMESTAMP-r${name#gateway-}$( ((ROUNDS > 1)) && echo "-round$round" || true).jfr"
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

for size in $SIZES; do
  dir="$RUN_DIR/rules-$size"
  python3 "$BENCH_LIB/routes.py" --rules "$size" --paths-per-host "$PATHS_PER_HOST" \
    --backend "127.0.0.1:$FAST_BACKEND_PORT" --manifests "$dir/manifests" --routes-json "$dir/routes.json" \
    --targets "$dir/targets.txt"
done

pieces=()
if [[ "$PAIRED" == 1 ]]; then
  [[ ",gateway,nginx," == *",$PROXIES,"* || "$PROXIES" == nginx,gateway ]] && [[ $(wc -w <<<"$SIZES") == 2 ]] \
    || die "PAIRED=1 takes PROXIES=gateway, nginx or gateway,nginx and two SIZES"
  paired_proxies=()
  for proxy in gateway nginx; do
    [[ ",$PROXIES," == *",$proxy,"* ]] && paired_proxies+=("$proxy")
  done
  declare -A pids ports
  for proxy in "${paired_proxies[@]}"; do
    for size in $SIZES; do
      dir="$RUN_DIR/rules-$size"
      read -r first_host first_path < "$dir/targets.txt"
      last_line="$(tail -1 "$dir/targets.txt")"
      if [[ "$proxy" == gateway ]]; then
        start_gateway_manifests "gateway-$size" "$dir/manifests"
        wait_gateway_ready 300
        pids[$proxy-$size]="$GATEWAY_PID" ports[$proxy-$size]="$GATEWAY_PORT"
        echo "{\"ready_ms\": $GATEWAY_READY_MS}" >"$RUN_DIR/gateway-$size-start.json"
      else
        start_nginx_proxy "nginx-$size" "$dir/routes.json"
        pids[$proxy-$size]="$NGINX_PID" ports[$proxy-$size]="$NGINX_PORT"
      fi
      wait_route "$first_host" "$first_path" "${ports[$proxy-$size]}" 60
      wait_route "${last_line% *}" "${last_line#* }" "${ports[$proxy-$size]}" 60
    done
  done
  for proxy in "${paired_proxies[@]}"; do
    for size in $SIZES; do
      warm "${ports[$proxy-$size]}" "$RUN_DIR/rules-$size/targets.txt" "$proxy-$size"
    done
  done
  # Per round: both sizes of one proxy, one right after the other, then those of the next proxy.
  for round in $(seq 1 "$ROUNDS"); do
    run="$RUN_DIR/round-$round"
    mkdir -p "$run"
    for proxy in "${paired_proxies[@]}"; do
      for size in $SIZES; do
        if [[ "$proxy" == gateway ]]; then
          GATEWAY_PID="${pids[$proxy-$size]}"
        fi
        measure "$proxy-$size" "${ports[$proxy-$size]}" "proxy=${pids[$proxy-$size]};backend=$FAST_BACKEND_PID" \
          "$RUN_DIR/rules-$size/targets.txt"
        mv "$RUN_DIR/$proxy-$size.json" "$run/$proxy-$size.json"
        pieces+=("rounds.$round.$proxy.r$size=file:$run/$proxy-$size.json")
        if [[ "$proxy" == gateway ]]; then
          pieces+=("rounds.$round.gateway.r$size.start=file:$RUN_DIR/gateway-$size-start.json")
        fi
      done
    done
  done
  for key in "${!pids[@]}"; do
    stop_pid "${pids[$key]}"
  done
fi

for round in $(seq 1 "$( [[ "$PAIRED" == 1 ]] && echo 0 || echo "$ROUNDS")"); do
  run="$RUN_DIR/round-$round"
  mkdir -p "$run"
  for size in $SIZES; do
    dir="$RUN_DIR/rules-$size"
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
      mv "$RUN_DIR/gateway-$size.json" "$run/gateway-$size.json"
      echo "{\"ready_ms\": $GATEWAY_READY_MS}" >"$run/gateway-$size-start.json"
      stop_pid "$GATEWAY_PID"
      pieces+=("rounds.$round.gateway.r$size=file:$run/gateway-$size.json"
               "rounds.$round.gateway.r$size.start=file:$run/gateway-$size-start.json")
    fi

    if [[ ",$PROXIES," == *",nginx,"* ]]; then
      start_nginx_proxy "nginx-$size" "$dir/routes.json"
      wait_route "$first_host" "$first_path" "$NGINX_PORT"
      wait_route "$last_host" "$last_path" "$NGINX_PORT"
      load "nginx-$size" "$NGINX_PORT" "proxy=$NGINX_PID;backend=$FAST_BACKEND_PID" "$dir/targets.txt"
      mv "$RUN_DIR/nginx-$size.json" "$run/nginx-$size.json"
      stop_pid "$NGINX_PID"
      pieces+=("rounds.$round.nginx.r$size=file:$run/nginx-$size.json")
    fi
  done
done

python3 "$BENCH_LIB/assemble.py" "$RUN_DIR/result.json" \
  benchmark=str:route-scale \
  parameters=json:"{\"sizes\":\"$SIZES\",\"paths_per_host\":$PATHS_PER_HOST,\"duration\":\"$DURATION\",\"warmup\":\"$WARMUP\",\"connections\":$CONNECTIONS,\"threads\":$THREADS,\"rounds\":$ROUNDS,\"paired\":$PAIRED,\"gateway_java_opts\":\"$GATEWAY_JAVA_OPTS\",\"profile\":\"${PROFILE:-}\"}" \
  machine=json:"$MACHINE" \
  "${pieces[@]}"

# The acceptance criterion: throughput with the most rules relative to the fewest (target >= 0.9); with several
# rounds, the ratio of the median throughputs, and each round's own ratio beside it.
python3 - "$RUN_DIR/result.json" <<'EOF'
import json, statistics, sys
path = sys.argv[1]
r = json.load(open(path))
rounds = [r["rounds"][k] for k in sorted(r.get("rounds", {}), key=int)]
runs, cmp = {}, {}
for proxy in sorted({p for rnd in rounds for p in rnd}):
    sizes = sorted({s for rnd in rounds for s in rnd.get(proxy, {})}, key=lambda k: int(k[1:]))
    median = {}
    for size in sizes:
        measured = [rnd[proxy][size] for rnd in rounds if rnd.get(proxy, {}).get(size)]
        ordered = sorted(measured, key=lambda run: run["wrk"]["requests_per_s"])
        # The run of median throughput (the lower middle one for an even count) stands for the size.
        runs.setdefault(proxy, {})[size] = ordered[(len(ordered) - 1) // 2]
        median[size] = statistics.median(run["wrk"]["requests_per_s"] for run in measured)
        for run in measured:
            if run["wrk"]["errors"]["status"]:
                key = f"{proxy}_{size}"
                cmp.setdefault("non_2xx_responses", {})[key] = (cmp.get("non_2xx_responses", {}).get(key, 0)
                                                                + run["wrk"]["errors"]["status"])
    if len(sizes) >= 2:
        lo, hi = sizes[0], sizes[-1]
        cmp[f"{proxy}_throughput_{hi}_vs_{lo}"] = round(median[hi] / median[lo], 3)
        if len(rounds) > 1:
            cmp[f"{proxy}_throughput_{hi}_vs_{lo}_per_round"] = [
                round(rnd[proxy][hi]["wrk"]["requests_per_s"] / rnd[proxy][lo]["wrk"]["requests_per_s"], 3)
                for rnd in rounds if rnd.get(proxy, {}).get(hi) and rnd.get(proxy, {}).get(lo)]
r["runs"] = runs
r["comparison"] = cmp
json.dump(r, open(path, "w"), indent=1)
EOF
emit_result "$RUN_DIR/result.json"
