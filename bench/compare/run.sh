#!/usr/bin/env bash
# Before and after, in one sitting: the proxy-overhead request (one rule, wrk with a fixed request) against two
# gateway builds running side by side, "base" (another checkout, typically the commit before a change) and "this"
# (this checkout). Both are started and warmed up first and keep running; then ROUNDS rounds each measure both, one
# right after the other (the order alternating from round to round), so the two are measured seconds apart and a
# drift of the machine's speed touches both alike. Reports each window's requests/s and the proxy's CPU per request,
# each round's ratio this/base, and the medians.
#
#   git worktree add /tmp/base <commit> && BASE_DIR=/tmp/base bench/compare/run.sh
#
# Environment: BASE_DIR (required: a checkout of the base; its jar is built there when missing), ROUNDS (6),
# DURATION (20s per window), WARMUP (60s per gateway), CONNECTIONS (50), THREADS (2), BUILD (auto|always|never, for
# both), GATEWAY_JAVA_OPTS, THIS_ROUTE_ARGS (extra bench/lib/routes.py arguments for "this" side's manifests only,
# e.g. --regex-rewrite to price a rewrite + regex route, or --access-policies one with CORS, an allow list and a
# rate limit, against a plain one of the same build checked out as base), BASE_GATEWAY_ARGS and THIS_GATEWAY_ARGS
# (extra Spring arguments for one side's gateway, e.g. THIS_GATEWAY_ARGS=--ingress-gateway.access-log.format=json to
# price the access log against the same build without it).
# Prints one JSON object; also stored in bench/results/compare-<timestamp>.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

BASE_DIR="${BASE_DIR:?set BASE_DIR to a checkout of the base commit}"
BASE_DIR="$(cd "$BASE_DIR" && pwd)"
ROUNDS="${ROUNDS:-6}"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-60s}"
CONNECTIONS="${CONNECTIONS:-50}"
THREADS="${THREADS:-2}"

bench_init compare
ensure_tools wrk nginx curl
raise_nofile 65536
build_gateway
THIS_JAR="$GATEWAY_JAR"
THIS_COMMIT="$(git -C "$REPO_ROOT" rev-parse --short HEAD)"
# The base's own build, with its own wrapper and sources.
REPO_ROOT="$BASE_DIR" build_gateway
BASE_JAR="$GATEWAY_JAR"
BASE_COMMIT="$(git -C "$BASE_DIR" rev-parse --short HEAD)"
[[ "$BASE_JAR" != "$THIS_JAR" ]] || die "BASE_DIR is this checkout"
MACHINE="$(machine_json)"

start_fast_backend
python3 "$BENCH_LIB/routes.py" --rules 1 --backend "127.0.0.1:$FAST_BACKEND_PORT" \
  --manifests "$RUN_DIR/manifests-base" --routes-json "$RUN_DIR/routes.json"
# shellcheck disable=SC2086 # word splitting of the extra arguments is wanted
python3 "$BENCH_LIB/routes.py" --rules 1 --backend "127.0.0.1:$FAST_BACKEND_PORT" \
  --manifests "$RUN_DIR/manifests-this" ${THIS_ROUTE_ARGS:-}
HOST=h0.bench.test
REQUEST_PATH=/p0/v1/items

declare -A PORT PID
for side in base this; do
  if [[ "$side" == base ]]; then GATEWAY_JAR="$BASE_JAR"; else GATEWAY_JAR="$THIS_JAR"; fi
  if [[ "$side" == base ]]; then side_args="${BASE_GATEWAY_ARGS:-}"; else side_args="${THIS_GATEWAY_ARGS:-}"; fi
  # shellcheck disable=SC2086 # word splitting of the extra arguments is wanted
  start_gateway_manifests "gateway-$side" "$RUN_DIR/manifests-$side" $side_args
  wait_gateway_ready 120
  wait_route "$HOST" "$REQUEST_PATH" "$GATEWAY_PORT"
  PORT[$side]="$GATEWAY_PORT"
  PID[$side]="$GATEWAY_PID"
done
for side in base this; do
  log "$side: warm-up $WARMUP"
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" -H "Host: $HOST" \
    "http://127.0.0.1:${PORT[$side]}$REQUEST_PATH" >/dev/null
done

for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then order="base this"; else order="this base"; fi
  for side in $order; do
    log "round $round: $side, $DURATION"
    MEASURE_JVM=proxy measure_wrk "$RUN_DIR/$side-$round.json" "$side" \
      "proxy=${PID[$side]};backend=$FAST_BACKEND_PID" -- \
      -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -H "Host: $HOST" \
      "http://127.0.0.1:${PORT[$side]}$REQUEST_PATH"
  done
done

python3 - "$RUN_DIR" "$ROUNDS" "$RUN_DIR/summary.json" <<'EOF'
import json, statistics, sys
run_dir, rounds, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runs = {side: [json.load(open(f"{run_dir}/{side}-{r}.json")) for r in range(1, rounds + 1)] for side in ("base", "this")}
def figures(run):
    return {"requests_per_s": round(run["wrk"]["requests_per_s"]),
            "cpu_us_per_request": run["cpu"]["proxy"]["cpu_us_per_request"],
            "load_generator_cpu_us_per_request": run["cpu"].get("load_generator", {}).get("cpu_us_per_request"),
            "p50_ms": round(run["wrk"]["latency_us"]["p50"] / 1000, 2),
            "p99_ms": round(run["wrk"]["latency_us"]["p99"] / 1000, 2),
            "errors": run["wrk"].get("errors")}
per_round = []
for r in range(rounds):
    b, t = figures(runs["base"][r]), figures(runs["this"][r])
    per_round.append({"base": b, "this": t,
                      "cpu_ratio": round(t["cpu_us_per_request"] / b["cpu_us_per_request"], 3),
                      "throughput_ratio": round(t["requests_per_s"] / b["requests_per_s"], 3)})
def median(side, key):
    return round(statistics.median(figures(run)[key] for run in runs[side]), 2)
summary = {"rounds": per_round,
           "median": {side: {key: median(side, key) for key in ("requests_per_s", "cpu_us_per_request",
                                                                   "load_generator_cpu_us_per_request")}
                      for side in ("base", "this")},
           "median_cpu_ratio": round(statistics.median(r["cpu_ratio"] for r in per_round), 3),
           "median_throughput_ratio": round(statistics.median(r["throughput_ratio"] for r in per_round), 3)}
json.dump(summary, open(out, "w"), indent=1)
EOF

python3 "$BENCH_LIB/assemble.py" "$RUN_DIR/result.json" \
  benchmark=str:compare \
  parameters=json:"{\"rounds\":$ROUNDS,\"duration\":\"$DURATION\",\"warmup\":\"$WARMUP\",\"connections\":$CONNECTIONS,\"threads\":$THREADS,\"base_commit\":\"$BASE_COMMIT\",\"this_commit\":\"$THIS_COMMIT\",\"gateway_java_opts\":\"$GATEWAY_JAVA_OPTS\",\"this_route_args\":\"${THIS_ROUTE_ARGS:-}\",\"base_gateway_args\":\"${BASE_GATEWAY_ARGS:-}\",\"this_gateway_args\":\"${THIS_GATEWAY_ARGS:-}\"}" \
  machine=json:"$MACHINE" \
  summary=file:"$RUN_DIR/summary.json"
emit_result "$RUN_DIR/result.json"
