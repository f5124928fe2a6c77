#!/usr/bin/env python3
"""CPU time and memory of processes, read from /proc.

CPU: utime + stime (fields 14 and 15 of /proc/<pid>/stat, in clock ticks) of a process covers all of its threads, so a
JVM is one pid. nginx is a master plus worker processes: a pid's live descendants are included, so pass the master.
Time spent by descendants that already exited is not counted (nginx workers live as long as the master).
"""
import os
import sys

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        raw = f.read()
    # The command name (field 2) is in parentheses and may hold spaces: split after its closing parenthesis.
    return raw[raw.rindex(")") + 2:].split()


def _children(pid):
    kids = []
    task_dir = f"/proc/{pid}/task"
    try:
        for tid in os.listdir(task_dir):
            try:
                with open(f"{task_dir}/{tid}/children") as f:
                    kids.extend(int(k) for k in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return kids


def with_descendants(pids):
    seen, todo = [], list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.append(pid)
        todo.extend(_children(pid))
    return seen


def cpu_seconds(pids):
    """Sum of user + system CPU seconds of the pids and their live descendants."""
    total = 0
    for pid in with_descendants(pids):
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        # After the command name, field 3 (state) is index 0: utime (14) is index 11, stime (15) index 12.
        total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


def cpu_user_system_seconds(pids):
    """(user, system) CPU seconds of the pids and their live descendants: system time is the kernel's share (sockets)."""
    user = system = 0
    for pid in with_descendants(pids):
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        user += int(fields[11])
        system += int(fields[12])
    return user / CLK_TCK, system / CLK_TCK


def thread_cpu_seconds(pid):
    """{thread name: user + system CPU seconds} of one process's live threads (names as the kernel keeps them, 15
    characters at most; threads of the same name are summed)."""
    out = {}
    task_dir = f"/proc/{pid}/task"
    try:
        tids = os.listdir(task_dir)
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"{task_dir}/{tid}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


def jvm_thread_group(name):
    """The JVM thread groups that matter for a proxy's cost: its event loops, the JIT compilers, GC, everything else."""
    if name.startswith(("gateway-http", "gateway-upstre", "reactor-http", "webflux-http")):
        return "event_loops"
    if "CompilerThre" in name or name.startswith(("C1 ", "C2 ")):
        return "jit_compiler"
    if name.startswith(("GC Thread", "G1 ", "VM Thread")) or "GC" in name:
        return "gc_and_vm"
    return "other"


def rss_bytes(pids):
    """Resident set size (VmRSS) of the pids and their live descendants."""
    total = 0
    for pid in with_descendants(pids):
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


if __name__ == "__main__":
    what, pids = sys.argv[1], [int(p) for p in sys.argv[2:]]
    if what == "cpu":
        print(cpu_seconds(pids))
    elif what == "rss":
        print(rss_bytes(pids))
    elif what == "descendants":
        # Live descendants of the pids, without the pids themselves and without this process and its parent (the
        # shell that runs it): what a script started and still has to stop.
        skip = set(pids) | {os.getpid(), os.getppid()}
        print(" ".join(str(p) for p in with_descendants(pids) if p not in skip and os.path.exists(f"/proc/{p}")))
    else:
        sys.exit(f"usage: {sys.argv[0]} cpu|rss|descendants PID...")
