#!/usr/bin/env python3
"""Runs one load generator (wrk with bench/lib/wrk/report.lua) and measures the CPU the processes under test spent.

    measure.py --label gateway --cpu 'proxy=1234;backend=5678,5679' --out result.json -- wrk -s report.lua ...

CPU (user + system, from /proc) of each pid group is read right before wrk starts and right after it ends; divided by
the requests wrk completed, that is the CPU cost per request of each group. Writes one JSON object to --out.
"""
import argparse
import json
import os
import re
import resource
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import procstat  # noqa: E402


def parse_groups(spec):
    groups = {}
    for part in filter(None, (spec or "").split(";")):
        name, _, pids = part.partition("=")
        groups[name] = [int(p) for p in pids.split(",") if p]
    return groups


def wrk_duration_seconds(cmd):
    for i, arg in enumerate(cmd):
        if arg in ("-d", "--duration") and i + 1 < len(cmd):
            m = re.fullmatch(r"(\d+(?:\.\d+)?)([smh]?)", cmd[i + 1])
            if m:
                return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)]
    return 60.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", required=True)
    parser.add_argument("--cpu", default="", help="name=pid,pid;name=pid ...")
    parser.add_argument("--out", required=True)
    parser.add_argument("--jvm", default="", help="group name whose (single) pid is a JVM: CPU is also split by thread")
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd

    groups = parse_groups(args.cpu)
    before = {name: procstat.cpu_user_system_seconds(pids) for name, pids in groups.items()}
    jvm_pid = groups[args.jvm][0] if args.jvm in groups else None
    threads_before = procstat.thread_cpu_seconds(jvm_pid) if jvm_pid else {}
    # Bounded: wrk stops itself after -d; the margin covers its slowest in-flight requests and connection teardown.
    limit = wrk_duration_seconds(cmd) + 60
    # wrk is this script's only child: the children's rusage delta is the load generator's own CPU. On a small
    # machine it competes with the proxy for the same cores, so a costlier request choice (report.lua with many
    # targets) shows up here rather than hidden in the proxy's throughput.
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=limit)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    after = {name: procstat.cpu_user_system_seconds(pids) for name, pids in groups.items()}
    threads_after = procstat.thread_cpu_seconds(jvm_pid) if jvm_pid else {}
    # The machine may be shared: the load average at the end of the window goes with every figure.
    with open("/proc/loadavg") as f:
        loadavg = [float(v) for v in f.read().split()[:3]]

    lines = [l for l in proc.stdout.splitlines() if l.startswith("WRK_JSON ")]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit(f"{args.label}: load generator failed (exit {proc.returncode})")
    wrk = json.loads(lines[-1][len("WRK_JSON "):])

    requests = wrk["requests"]
    cpu = {}
    for name in groups:
        user = after[name][0] - before[name][0]
        system = after[name][1] - before[name][1]
        seconds = user + system
        cpu[name] = {
            "cpu_seconds": round(seconds, 3),
            "user_seconds": round(user, 3),
            "system_seconds": round(system, 3),
            "cpu_us_per_request": round(seconds * 1e6 / requests, 2) if requests else None,
            # Share of one core used during the window.
            "cores_used": round(seconds / (wrk["duration_us"] / 1e6), 3) if wrk["duration_us"] else None,
        }
    load_user = children_after.ru_utime - children_before.ru_utime
    load_system = children_after.ru_stime - children_before.ru_stime
    cpu["load_generator"] = {
        "cpu_seconds": round(load_user + load_system, 3),
        "user_seconds": round(load_user, 3),
        "system_seconds": round(load_system, 3),
        "cpu_us_per_request": round((load_user + load_system) * 1e6 / requests, 2) if requests else None,
        "cores_used": round((load_user + load_system) / (wrk["duration_us"] / 1e6), 3) if wrk["duration_us"] else None,
    }
    if jvm_pid and requests:
        # Where the JVM's CPU went: the event loops are the steady-state cost of a request; JIT compilation still
        # running (on a busy 2-core machine C2 needs minutes) and GC come on top.
        by_group = {}
        for name, seconds in threads_after.items():
            group = procstat.jvm_thread_group(name)
            by_group[group] = by_group.get(group, 0) + seconds - threads_before.get(name, 0)
        cpu[args.jvm]["threads_us_per_request"] = {g: round(v * 1e6 / requests, 2) for g, v in sorted(by_group.items())}
    result = {"label": args.label, "command": " ".join(cmd), "wrk": wrk, "cpu": cpu, "loadavg_at_end": loadavg}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)

    lat = wrk["latency_us"]
    cpu_text = "".join(f", {n} {v['cpu_seconds']} s CPU" + (f" = {v['cpu_us_per_request']} us/req"
                                                             if v["cpu_us_per_request"] is not None else "")
                       for n, v in cpu.items())
    if jvm_pid and requests:
        cpu_text += " (" + ", ".join(f"{g} {v}" for g, v in cpu[args.jvm]["threads_us_per_request"].items()) + " us/req)"
    print(f"{args.label}: {wrk['requests_per_s']:.0f} req/s, p50 {lat['p50']} us, p99 {lat['p99']} us, "
          f"errors {wrk['errors']}{cpu_text}, load {loadavg[0]}", file=sys.stderr)


if __name__ == "__main__":
    main()
