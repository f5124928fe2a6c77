#!/usr/bin/env bash
# The route lookup alone (JMH): RouteTable.lookup(host, path) with 10, 1,000 and 10,000 rules, the rule shape of the
# end-to-end benchmarks; also a miss (unknown host) and a full table build. Source:
# bench/java/io/ingressgateway/bench/RouteTableBenchmark.java, compiled by the Maven profile `bench`.
#
#   bench/route-scale/jmh.sh
#
# Environment: JMH_ARGS (extra JMH options, e.g. "-f 1 -wi 3 -i 5 -p rules=10000"; `-h` lists them),
# JMH_INCLUDE (benchmark regexp, default RouteTableBenchmark).
# Prints one JSON object; also stored in bench/results/route-lookup-jmh-<timestamp>.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

JMH_INCLUDE="${JMH_INCLUDE:-RouteTableBenchmark}"
JMH_ARGS="${JMH_ARGS:-}"

bench_init route-lookup-jmh
MACHINE="$(machine_json)"
build_bench_classes

log "running JMH: $JMH_INCLUDE $JMH_ARGS"
# shellcheck disable=SC2086
timeout 3600 java -cp "$BENCH_CP" org.openjdk.jmh.Main "$JMH_INCLUDE" $JMH_ARGS \
  -rf json -rff "$RUN_DIR/jmh.json" >&2

# Summary: score (and error) per benchmark method and rule count.
python3 - "$RUN_DIR/jmh.json" "$RUN_DIR/summary.json" <<'EOF'
import json, sys
runs = json.load(open(sys.argv[1]))
summary = {}
for run in runs:
    method = run["benchmark"].rsplit(".", 1)[1]
    key = ",".join(f"{k}={v}" for k, v in sorted(run.get("params", {}).items()))
    m = run["primaryMetric"]
    error = m.get("scoreError")
    error = round(error, 3) if isinstance(error, (int, float)) and error == error else None  # "NaN" with one sample
    summary.setdefault(method, {})[key] = {"score": round(m["score"], 3), "error": error, "unit": m["scoreUnit"]}
json.dump(summary, open(sys.argv[2], "w"), indent=1)
EOF

python3 "$BENCH_LIB/assemble.py" "$RUN_DIR/result.json" \
  benchmark=str:route-lookup-jmh \
  parameters=json:"{\"include\":\"$JMH_INCLUDE\",\"jmh_args\":\"$JMH_ARGS\"}" \
  machine=json:"$MACHINE" \
  summary=file:"$RUN_DIR/summary.json" \
  jmh=file:"$RUN_DIR/jmh.json"
emit_result "$RUN_DIR/result.json"
