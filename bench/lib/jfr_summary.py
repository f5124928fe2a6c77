#!/usr/bin/env python3
"""Where a proxied request's CPU goes, from a JFR recording of the gateway under load (bench/proxy-overhead PROFILE=).

    jfr_summary.py RECORDING.jfr [--cpu-us-per-request 42.0] [--json OUT.json]

Per thread group: CPU share (jdk.ThreadCPULoad, user and system). For the event-loop threads, each Java execution
sample (jdk.ExecutionSample) is given to one component: the first frame from the top of its stack that is not generic
(JDK collections, Reactor operators, Spring's and Netty's utility classes are generic: their cost belongs to whoever
called them). With --cpu-us-per-request, shares are turned into microseconds per request.
"""
import argparse
import collections
import json
import re
import subprocess
import sys

GENERIC = re.compile(r"^(java\.|jdk\.|sun\.|reactor\.core\.|reactor\.util\.|io\.netty\.util\.|org\.springframework\.util\."
                     r"|org\.springframework\.core\.|org\.springframework\.http\.(HttpHeaders|ReadOnlyHttpHeaders|"
                     r"HttpStatus|MediaType|MimeType)|io\.micrometer\.common\.)")

# First match wins, tested on the first non-generic frame.
COMPONENTS = [
    (r"^io\.ingressgateway\.(gateway|resilience|edge|tls)\.(\w+)", lambda m: f"ingress-gateway {m.group(2)}"),
    (r"^io\.ingressgateway\.", "ingress-gateway other"),
    (r"^org\.springframework\.cloud\.gateway\.filter\.headers\.", "SCG header filters"),
    (r"^(org\.springframework\.cloud\.gateway\.filter\.GatewayMetricsFilter|org\.springframework\.cloud\.gateway\.support\.tagsprovider|io\.micrometer\.)",
     "metrics (Micrometer, SCG route timer)"),
    (r"^org\.springframework\.cloud\.gateway\.filter\.NettyRoutingFilter", "SCG NettyRoutingFilter (upstream request)"),
    (r"^org\.springframework\.cloud\.gateway\.filter\.NettyWriteResponseFilter", "SCG NettyWriteResponseFilter"),
    (r"^org\.springframework\.cloud\.gateway\.handler\.", "SCG handler mapping and filter chain"),
    (r"^org\.springframework\.cloud\.gateway\.", "SCG other filters"),
    (r"^org\.springframework\.web\.", "Spring WebFlux (exchange, dispatch, handler mapping)"),
    (r"^org\.springframework\.http\.", "Spring HTTP adapter (request/response wrappers)"),
    (r"^(reactor\.netty\.http\.client|reactor\.netty\.resources|reactor\.netty\.internal\.shaded)", "Reactor Netty client and pool"),
    (r"^reactor\.netty\.http\.server", "Reactor Netty server"),
    (r"^reactor\.netty\.", "Reactor Netty channel operations"),
    (r"^io\.netty\.handler\.codec\.http\.", "Netty HTTP codec"),
    (r"^io\.netty\.channel\.(epoll|unix)", "Netty epoll transport"),
    (r"^io\.netty\.", "Netty pipeline and buffers"),
    (r"^(ch\.qos\.logback|org\.slf4j|org\.apache\.commons\.logging)", "logging"),
]
COMPILED = [(re.compile(p), name) for p, name in COMPONENTS]

# For samples whose stack JFR cut short before any caller: first match over all their frames.
PARTIAL = [(re.compile(p), name) for p, name in [
    (r"^org\.springframework\.(util\.(LinkedCaseInsensitiveMap|MultiValueMapAdapter)|http\.(HttpHeaders|ReadOnlyHttpHeaders))",
     "partial stack: Spring HttpHeaders maps (header copies and lookups)"),
    (r"^java\.net\.URI", "partial stack: java.net.URI parsing"),
    (r"^reactor\.", "partial stack: Reactor operators and context"),
    (r"^io\.netty\.", "partial stack: Netty utilities (buffers, attributes, thread locals)"),
    (r"^io\.micrometer\.", "metrics (Micrometer, SCG route timer)"),
    (r"^java\.util\.(HashMap|LinkedHashMap|concurrent\.ConcurrentHashMap)", "partial stack: JDK hash maps (caller unknown)"),
]]


def frames_of(event):
    stack = event["values"].get("stackTrace") or {}
    return [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] for f in stack.get("frames", [])]


def component(frames):
    for frame in frames:
        if GENERIC.match(frame):
            continue
        for rx, name in COMPILED:
            m = rx.match(frame)
            if m:
                return name(m) if callable(name) else name
        return "other: " + ".".join(frame.split(".")[:3])
    # JFR could not walk this stack past a few frames (common in inlined JIT code): name what the frames themselves do.
    deepest = frames[-1]
    for rx, name in PARTIAL:
        if any(rx.match(f) for f in frames):
            return name
    return "partial stack: " + ".".join(deepest.split(".")[:3])


def thread_group(name):
    name = name or "?"
    if name.startswith(("gateway-http", "gateway-upstream", "reactor-http", "webflux-http")):
        return "event loops"
    if "GC" in name or name.startswith(("G1", "GC ")):
        return "GC"
    if "Compiler" in name or name.startswith("C1 ") or name.startswith("C2 "):
        return "JIT compiler"
    return "other threads"


def load(path, events):
    out = subprocess.run(["jfr", "print", "--json", "--events", events, path], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["recording"]["events"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("recording")
    parser.add_argument("--cpu-us-per-request", type=float)
    parser.add_argument("--json")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    # Thread CPU (sampled per second): user and system share of each group.
    groups = collections.defaultdict(lambda: [0.0, 0.0])
    for e in load(args.recording, "jdk.ThreadCPULoad"):
        v = e["values"]
        g = groups[thread_group((v.get("eventThread") or {}).get("javaName") or (v.get("eventThread") or {}).get("osName"))]
        g[0] += v["user"]
        g[1] += v["system"]
    total_cpu = sum(u + s for u, s in groups.values()) or 1.0

    samples = [e for e in load(args.recording, "jdk.ExecutionSample")
               if thread_group(e["values"]["sampledThread"].get("javaName")) == "event loops"]
    by_component = collections.Counter()
    by_top = collections.Counter()
    for e in samples:
        frames = frames_of(e)
        if frames:
            by_component[component(frames)] += 1
            by_top[frames[0]] += 1
    n = len(samples) or 1

    loop_share = sum(groups["event loops"]) / total_cpu if "event loops" in groups else 1.0
    loop_user = groups["event loops"][0] / total_cpu if "event loops" in groups else 1.0
    us = args.cpu_us_per_request
    result = {"samples": len(samples), "thread_groups": {}, "components": {}, "top_frames": {}}
    print(f"JFR {args.recording}: {len(samples)} event-loop samples", file=sys.stdout)
    print("\nCPU by thread group (share of the process; user / system)")
    for name, (u, s) in sorted(groups.items(), key=lambda kv: -sum(kv[1])):
        share = (u + s) / total_cpu
        entry = {"share": round(share, 4), "user_share": round(u / total_cpu, 4), "system_share": round(s / total_cpu, 4)}
        if us:
            entry["us_per_request"] = round(share * us, 2)
        result["thread_groups"][name] = entry
        print(f"  {share * 100:5.1f}%  (user {u / total_cpu * 100:5.1f}%, system {s / total_cpu * 100:5.1f}%)"
              + (f"  {share * us:6.2f} us/req" if us else "") + f"  {name}")
    print("\nEvent-loop Java samples by component (user CPU of the event loops shared out by samples)")
    for name, count in by_component.most_common():
        share = count / n
        entry = {"samples": count, "share_of_loop_samples": round(share, 4)}
        if us:
            entry["us_per_request"] = round(share * loop_user * us, 2)
        result["components"][name] = entry
        print(f"  {share * 100:5.1f}%" + (f"  {share * loop_user * us:6.2f} us/req" if us else "") + f"  {name}")
    print(f"\nTop {args.top} frames (self time)")
    for name, count in by_top.most_common(args.top):
        result["top_frames"][name] = count
        print(f"  {count / n * 100:5.1f}%  {name}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
