#!/usr/bin/env python3
"""Prints a JSON description of the machine and software a benchmark ran on (cores, CPU model, memory, kernel,
load average at the start, versions of java, nginx and wrk, the git commit)."""
import json
import os
import platform
import subprocess
import time


def run(*cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (p.stdout + p.stderr).strip()
    except (OSError, subprocess.TimeoutExpired):
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def mem_total_bytes():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return None


def first_line(text):
    return text.splitlines()[0] if text else None


def main():
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    java = run("java", "-version")
    print(json.dumps({
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cores": os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_bytes": mem_total_bytes(),
        "kernel": platform.release(),
        "load_average_at_start": os.getloadavg(),
        "somaxconn": int(open("/proc/sys/net/core/somaxconn").read()),
        "java": java.splitlines()[0] if java else None,
        "nginx": run("nginx", "-v"),
        "wrk": (run("wrk", "--version") or "").splitlines()[0] if run("wrk", "--version") else None,
        "haproxy": first_line(run("haproxy", "-v")),
        "caddy": first_line(run("caddy", "version")),
        "git_commit": run("git", "-C", repo, "rev-parse", "--short", "HEAD"),
        "git_dirty": bool(run("git", "-C", repo, "status", "--porcelain", "--untracked-files=no")),
    }))


if __name__ == "__main__":
    main()
