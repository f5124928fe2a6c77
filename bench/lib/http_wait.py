#!/usr/bin/env python3
"""Polls a URL until it answers 2xx (or any HTTP answer with --accept-any), bounded by --timeout.

Prints the milliseconds elapsed since --since-ns (a `date +%s%N` stamp, e.g. when a process was launched) or since
this script started. Exits 1 on timeout, or at once when --pid is given and that process has died.
"""
import argparse
import http.client
import os
import sys
import time
import urllib.parse


def answer(url, host, timeout):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        headers = {"Host": host} if host else {}
        conn.request("GET", parts.path or "/", headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--host", help="Host header to send")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--interval", type=float, default=0.02)
    parser.add_argument("--since-ns", type=int)
    parser.add_argument("--pid", type=int, help="give up when this process is gone")
    parser.add_argument("--accept-any", action="store_true", help="any HTTP answer counts")
    parser.add_argument("--verbose", action="store_true", help="log every unsuccessful attempt on stderr")
    args = parser.parse_args()

    start_ns = args.since_ns or time.time_ns()
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if args.pid and not os.path.exists(f"/proc/{args.pid}"):
            print(f"process {args.pid} exited", file=sys.stderr)
            return 1
        attempt_ns = time.time_ns()
        try:
            status = answer(args.url, args.host, 2.0)
            if args.accept_any or 200 <= status < 300:
                print(round((time.time_ns() - start_ns) / 1e6))
                return 0
            outcome = f"status {status}"
        except (OSError, http.client.HTTPException) as e:
            outcome = type(e).__name__
        if args.verbose:
            print(f"{(attempt_ns - start_ns) / 1e6:.0f} ms: {outcome} after {(time.time_ns() - attempt_ns) / 1e6:.0f} ms",
                  file=sys.stderr)
        time.sleep(args.interval)
    print(f"timeout after {args.timeout}s: {args.url}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
