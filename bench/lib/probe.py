#!/usr/bin/env python3
"""A kubelet-like probe client: GET each URL every --interval seconds, on a new connection each time (kubelet does
not reuse probe connections), with a --timeout (kubelet's default timeoutSeconds is 1). A probe succeeds when it
answers 200-399 within the timeout, as kubelet counts it.

Runs for --duration seconds, then writes one JSON object: per URL the attempts, successes, failure reasons and the
latency percentiles (milliseconds) of all attempts (a timeout counts as the timeout).
"""
import argparse
import http.client
import json
import socket
import sys
import threading
import time
import urllib.parse


def probe_once(url, timeout):
    parts = urllib.parse.urlsplit(url)
    start = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", parts.path, headers={"Connection": "close", "User-Agent": "kube-probe/bench"})
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - start
        if elapsed > timeout:
            return "timeout", timeout
        return ("ok" if 200 <= response.status < 400 else f"status_{response.status}"), elapsed
    except socket.timeout:
        return "timeout", timeout
    except ConnectionRefusedError:
        return "refused", time.perf_counter() - start
    except (OSError, http.client.HTTPException) as e:
        return type(e).__name__, time.perf_counter() - start
    finally:
        conn.close()


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def run(url, interval, timeout, stop_at, out):
    outcomes, latencies = {}, []
    next_at = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= stop_at:
            break
        if now < next_at:
            time.sleep(next_at - now)
        next_at += interval
        outcome, elapsed = probe_once(url, timeout)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        latencies.append(elapsed * 1000)
        if next_at < time.monotonic():
            # A probe took longer than the interval: kubelet would not send a second one meanwhile either.
            next_at = time.monotonic()
    latencies.sort()
    attempts = sum(outcomes.values())
    out[url] = {
        "attempts": attempts,
        "successes": outcomes.get("ok", 0),
        "success_rate": round(outcomes.get("ok", 0) / attempts, 5) if attempts else None,
        "failures": {k: v for k, v in outcomes.items() if k != "ok"},
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 2) if latencies else None,
            "p90": round(percentile(latencies, 90), 2) if latencies else None,
            "p99": round(percentile(latencies, 99), 2) if latencies else None,
            "max": round(latencies[-1], 2) if latencies else None,
        },
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    stop_at = time.monotonic() + args.duration
    results = {}
    threads = [threading.Thread(target=run, args=(u, args.interval, args.timeout, stop_at, results))
               for u in args.urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(args.out, "w") as f:
        json.dump({"interval_s": args.interval, "timeout_s": args.timeout, "probes": results}, f, indent=1)
    for url, r in results.items():
        print(f"probe {url}: {r['successes']}/{r['attempts']} ok, p50 {r['latency_ms']['p50']} ms, "
              f"p99 {r['latency_ms']['p99']} ms, failures {r['failures']}", file=sys.stderr)


if __name__ == "__main__":
    main()
