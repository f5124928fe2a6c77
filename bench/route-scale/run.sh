#!/usr/bin/env bash
# Route-table scale, end to end: the gateway (and nginx configured like ingress-nginx, same rules; HAProxy and Caddy
# configured like Ingress controllers built on them when PROXIES names them) with 10, 1,000 and 10,000 Ingress rules
# loaded (hosts h<i>.bench.test with PATHS_PER_HOST paths each, one Ingress per rule), wrk spreading requests at random
# over every rule (Host header and path), or sending every request to one host's path (SPREAD=one-host: the
# proxy-overhead request, with all the rules loaded). Requests/s, p50/p99 latency, CPU us/request.
# The route lookup alone is measured by bench/route-scale/jmh.sh.
#
#   bench/route-scale/run.sh
#
# Environment: SIZES ("10 1000 10000"), PATHS_PER_HOST (10), DURATION (20s), WARMUP (20s), CONNECTIONS (50),
# THREADS (2), PROXIES (gateway,nginx; also haproxy, caddy), ROUNDS (1), BUILD, GATEWAY_JAVA_OPTS, NGINX_ACCESS_LOG,
# PROFILE (unset, or a JFR settings name/file such as bench/lib/jfr/fine.jfc: records each gateway run with JFR over
# exactly the measured window, to bench/results/route-scale-<timestamp>-r<size>[-one-host][-round<k>].jfr, and prints
# a breakdown per size to stderr; the recording costs a few percent of CPU, so take throughput from a run without it).
# SPREAD ("all"): "all" spreads requests at random over every rule (BENCH_TARGETS, wrk's Lua request()); "one-host"
# sends every request to one path of ONE_HOST (h0.bench.test: its first rule's path, /p0/v1/items) with wrk's fixed
# request, as proxy-overhead does; "all one-host" measures both on each proxy started (one warm-up and window each).
# One-host runs are reported under the proxy's name with "-one-host" appended (runs.gateway-one-host.r10000, and
# comparison.gateway-one-host_throughput_r10000_vs_r10), spread runs under the proxy's name as before.
# The CPU of wrk itself is reported too (cpu.load_generator): on a small machine it shares the cores with the proxy.
# ROUNDS=n runs every size n times, alternating (10, 10000, 10, 10000, ...), each run with a fresh proxy: on a VM whose
# speed drifts with its neighbours' load, a single pair of runs can differ by 25% at the same size. The comparison is
# then the ratio of the median throughputs, with each round's own ratio beside it; runs.<proxy>.r<size> is the run of
# median throughput and rounds.<k> has every run.
# PAIRED=1 (with two SIZES) starts every proxy of PROXIES at both sizes first and keeps them running, warms each up,
# then measures ROUNDS rounds, each round both sizes of the gateway one right after the other, then both of nginx (and
# so on for every proxy): the two sizes of a proxy are then measured seconds apart, not minutes.
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
SPREAD="${SPREAD:-all}"
ONE_HOST="${ONE_HOST:-h0.bench.test}"
if [[ -n "${PROFILE:-}" ]]; then
  # Reactive stacks are deep: JFR's default of 64 frames would cut most samples off from the code that caused them.
  GATEWAY_JAVA_OPTS="$GATEWAY_JAVA_OPTS -XX:FlightRecorderOptions:stackdepth=512"
fi
# The proxies in the order they are measured; PROXIES picks among them.
KNOWN_PROXIES=(gateway nginx haproxy caddy)
SELECTED_PROXIES=()
for proxy in "${KNOWN_PROXIES[@]}"; do
  [[ ",$PROXIES," == *",$proxy,"* ]] && SELECTED_PROXIES+=("$proxy")
done
for proxy in ${PROXIES//,/ }; do
  [[ " ${KNOWN_PROXIES[*]} " == *" $proxy "* ]] || die "unknown proxy in PROXIES: $proxy (known: ${KNOWN_PROXIES[*]})"
done
for spread in $SPREAD; do
  [[ "$spread" == all || "$spread" == one-host ]] || die "unknown SPREAD: $spread (all, one-host, or both)"
done

bench_init route-scale
ensure_tools wrk nginx curl
for proxy in haproxy caddy; do
  if [[ " ${SELECTED_PROXIES[*]} " == *" $proxy "* ]]; then
    ensure_tools "$proxy"
  fi
done
raise_nofile 65536
build_gateway
MACHINE="$(machine_json)"
start_fast_backend

# run_key PROXY SPREAD : the proxy's key in the result (gateway, gateway-one-host).
run_key() {
  if [[ "$2" == all ]]; then echo "$1"; else echo "$1-$2"; fi
}

# wrk_run SPREAD SIZE PORT WRK_ARGS... : runs measure_wrk or wrk (WRK_RUN_MEASURE set: "OUT LABEL CPU") for SPREAD:
# "all" picks a random rule per request (report.lua with BENCH_TARGETS); "one-host" sends wrk's fixed request to
# ONE_HOST's first rule (report.lua reads BENCH_TARGETS whenever it is set, so it is left unset).
wrk_run() {
  local spread="$1" size="$2" port="$3"; shift 3
  local dir="$RUN_DIR/rules-$size" request=()
  if [[ "$spread" == all ]]; then
    request=("http://127.0.0.1:$port/")
  else
    request=(-H "Host: $ONE_HOST" "http://127.0.0.1:$port$(one_host_path "$size")")
  fi
  (
    if [[ "$spread" == all ]]; then
      export BENCH_TARGETS="$dir/targets.txt"
    fi
    if [[ -n "${WRK_RUN_MEASURE:-}" ]]; then
      read -r out label cpu <<<"$WRK_RUN_MEASURE"
      measure_wrk "$out" "$label" "$cpu" -- "$@" "${request[@]}"
    else
      wrk -s "$BENCH_LIB/wrk/report.lua" "$@" "${request[@]}" >/dev/null
    fi
  )
}

# one_host_path SIZE : the path of ONE_HOST's first rule at SIZE rules (what the rule matches).
one_host_path() {
  awk -v host="$ONE_HOST" '$1 == host { print $2; exit }' "$RUN_DIR/rules-$1/targets.txt"
}

# warm PROXY SIZE SPREAD PORT : the warm-up.
warm() {
  log "$1-$2 ($3): warm-up $WARMUP"
  wrk_run "$3" "$2" "$4" -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP"
}

# measure PROXY SIZE SPREAD PORT PID : one measured window, into $RUN_DIR/<run key>-SIZE.json.
measure() {
  local proxy="$1" size="$2" spread="$3" port="$4" pid="$5"
  local name
  name="$(run_key "$proxy" "$spread")-$size"
  log "$name: measuring $DURATION"
  local jfr="" jvm=""
  if [[ "$proxy" == gateway ]]; then
    jvm=proxy
    GATEWAY_PID="$pid"
    if [[ -n "${PROFILE:-}" ]]; then
      jfr="$RESULTS_DIR/route-scale-$BENCH_TIMESTAMP-r$size$( [[ "$spread" == all ]] || echo "-$spread")$( ((ROUNDS > 1)) && echo "-round$round" || true).jfr"
      jcmd "$GATEWAY_PID" JFR.start name=bench settings="$PROFILE" filename="$jfr" >/dev/null
    fi
  fi
  MEASURE_JVM="$jvm" WRK_RUN_MEASURE="$RUN_DIR/$name.json $name proxy=$pid;backend=$FAST_BACKEND_PID" \
    wrk_run "$spread" "$size" "$port" -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION"
  if [[ -n "$jfr" ]]; then
    jcmd "$GATEWAY_PID" JFR.stop name=bench >/dev/null
    log "JFR recording of the measured window: ${jfr#"$REPO_ROOT"/}"
    python3 "$BENCH_LIB/jfr_summary.py" "$jfr" --json "${jfr%.jfr}-profile.json" \
      --cpu-us-per-request "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cpu"]["proxy"]["cpu_us_per_request"])' "$RUN_DIR/$name.json")" >&2 || log "could not summarise $jfr"
  fi
}

# start_proxy PROXY SIZE : starts PROXY with the rules of SIZE and waits until its first and last rule (and
# ONE_HOST's, for one-host runs) answer 2xx. Sets PROXY_PID, PROXY_PORT; for the gateway, writes
# $RUN_DIR/gateway-SIZE-start.json (its start-to-ready time).
start_proxy() {
  local proxy="$1" size="$2"
  local dir="$RUN_DIR/rules-$size" first_host first_path last_line
  case "$proxy" in
    gateway)
      start_gateway_manifests "gateway-$size" "$dir/manifests"
      wait_gateway_ready 300
      echo "{\"ready_ms\": $GATEWAY_READY_MS}" >"$RUN_DIR/gateway-$size-start.json"
      PROXY_PID="$GATEWAY_PID" PROXY_PORT="$GATEWAY_PORT" ;;
    nginx)
      start_nginx_proxy "nginx-$size" "$dir/routes.json"
      PROXY_PID="$NGINX_PID" PROXY_PORT="$NGINX_PORT" ;;
    haproxy)
      start_haproxy_proxy "haproxy-$size" "$dir/routes.json"
      PROXY_PID="$HAPROXY_PID" PROXY_PORT="$HAPROXY_PORT" ;;
    caddy)
      start_caddy_proxy "caddy-$size" "$dir/routes.json"
      PROXY_PID="$CADDY_PID" PROXY_PORT="$CADDY_PORT" ;;
  esac
  # Readiness means the first model is loaded: the first and the last rule must both answer.
  read -r first_host first_path <"$dir/targets.txt"
  last_line="$(tail -1 "$dir/targets.txt")"
  wait_route "$first_host" "$first_path" "$PROXY_PORT" 60
  wait_route "${last_line% *}" "${last_line#* }" "$PROXY_PORT" 60
  if [[ " $SPREAD " == *" one-host "* ]]; then
    wait_route "$ONE_HOST" "$(one_host_path "$size")" "$PROXY_PORT" 60
  fi
}

for size in $SIZES; do
  dir="$RUN_DIR/rules-$size"
  python3 "$BENCH_LIB/routes.py" --rules "$size" --paths-per-host "$PATHS_PER_HOST" \
    --backend "127.0.0.1:$FAST_BACKEND_PORT" --manifests "$dir/manifests" --routes-json "$dir/routes.json" \
    --targets "$dir/targets.txt"
  if [[ " $SPREAD " == *" one-host "* && -z "$(one_host_path "$size")" ]]; then
    die "ONE_HOST $ONE_HOST has no rule at $size rules"
  fi
done

pieces=()
# add_piece ROUND PROXY SIZE SPREAD RUN_JSON : the run's place in the result (and the gateway's start time beside it).
add_piece() {
  local key
  key="$(run_key "$2" "$4")"
  pieces+=("rounds.$1.$key.r$3=file:$5")
  if [[ "$2" == gateway ]]; then
    pieces+=("rounds.$1.$key.r$3.start=file:$RUN_DIR/round-$1/gateway-$3-start.json")
  fi
}

if [[ "$PAIRED" == 1 ]]; then
  ((${#SELECTED_PROXIES[@]} > 0)) && [[ $(wc -w <<<"$SIZES") == 2 ]] \
    || die "PAIRED=1 takes one or more PROXIES and two SIZES"
  declare -A pids ports
  for proxy in "${SELECTED_PROXIES[@]}"; do
    for size in $SIZES; do
      start_proxy "$proxy" "$size"
      pids[$proxy-$size]="$PROXY_PID" ports[$proxy-$size]="$PROXY_PORT"
    done
  done
  for proxy in "${SELECTED_PROXIES[@]}"; do
    for size in $SIZES; do
      for spread in $SPREAD; do
        warm "$proxy" "$size" "$spread" "${ports[$proxy-$size]}"
      done
    done
  done
  # Per round: both sizes of one proxy, one right after the other, then those of the next proxy.
  for round in $(seq 1 "$ROUNDS"); do
    run="$RUN_DIR/round-$round"
    mkdir -p "$run"
    for proxy in "${SELECTED_PROXIES[@]}"; do
      for size in $SIZES; do
        [[ "$proxy" != gateway ]] || cp "$RUN_DIR/gateway-$size-start.json" "$run/"
        for spread in $SPREAD; do
          measure "$proxy" "$size" "$spread" "${ports[$proxy-$size]}" "${pids[$proxy-$size]}"
          name="$(run_key "$proxy" "$spread")-$size"
          mv "$RUN_DIR/$name.json" "$run/$name.json"
          add_piece "$round" "$proxy" "$size" "$spread" "$run/$name.json"
        done
      done
    done
  done
  for key in "${!pids[@]}"; do
    stop_pid "${pids[$key]}"
  done
fi

# Unpaired: per round and size, each proxy in turn is started fresh, warmed up and measured (every spread), stopped.
for round in $(seq 1 "$( [[ "$PAIRED" == 1 ]] && echo 0 || echo "$ROUNDS")"); do
  run="$RUN_DIR/round-$round"
  mkdir -p "$run"
  for size in $SIZES; do
    for proxy in "${SELECTED_PROXIES[@]}"; do
      start_proxy "$proxy" "$size"
      [[ "$proxy" != gateway ]] || cp "$RUN_DIR/gateway-$size-start.json" "$run/"
      for spread in $SPREAD; do
        warm "$proxy" "$size" "$spread" "$PROXY_PORT"
        measure "$proxy" "$size" "$spread" "$PROXY_PORT" "$PROXY_PID"
        name="$(run_key "$proxy" "$spread")-$size"
        mv "$RUN_DIR/$name.json" "$run/$name.json"
        add_piece "$round" "$proxy" "$size" "$spread" "$run/$name.json"
      done
      stop_pid "$PROXY_PID"
    done
  done
done

python3 "$BENCH_LIB/assemble.py" "$RUN_DIR/result.json" \
  benchmark=str:route-scale \
  parameters=json:"{\"sizes\":\"$SIZES\",\"paths_per_host\":$PATHS_PER_HOST,\"duration\":\"$DURATION\",\"warmup\":\"$WARMUP\",\"connections\":$CONNECTIONS,\"threads\":$THREADS,\"rounds\":$ROUNDS,\"paired\":$PAIRED,\"spread\":\"$SPREAD\",\"one_host\":\"$ONE_HOST\",\"proxy_workers\":$(proxy_workers),\"gateway_java_opts\":\"$GATEWAY_JAVA_OPTS\",\"profile\":\"${PROFILE:-}\"}" \
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
