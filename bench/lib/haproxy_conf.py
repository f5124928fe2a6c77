#!/usr/bin/env python3
"""HAProxy configured the way an Ingress controller built on HAProxy would proxy the benchmarks' rules.

  haproxy_conf.py --routes routes.json --port P --health-port H --prefix DIR --threads N --backlog B

Writes DIR/haproxy.cfg and the two map files it routes with (DIR/exact.map, DIR/prefix.map); prints the config's
path. The rules come from routes.py (the same routes.json nginx_conf.py reads).

How it mirrors bench/lib/nginx_conf.py's ingress-nginx-like nginx, setting for setting:
  - `nbthread` = nginx's worker processes (`worker_processes auto`: one per core); one process, so its CPU is one pid;
  - no `log` line: no access log, as nginx's `access_log off`;
  - routing by Host and path as HAProxy Ingress controllers do it, with maps rather than one ACL per rule: the Host
    header (port cut off, lower-cased) joined to the path is looked up first in an exact map (Exact paths, and the
    Prefix path itself: Prefix /foo matches /foo), then in a prefix map holding "host/foo/" for each Prefix path.
    HAProxy indexes both in trees (exact: string tree; prefix: longest-prefix tree), so a lookup does not walk 10,000
    rules; no match goes to a backend answering 404 (ingress-nginx's default backend);
  - one backend per backend address (nginx_conf.py writes one upstream per address), HTTP/1.1 keep-alive to it with
    an idle pool reused by any request (`http-reuse always`, what nginx's upstream `keepalive` pool does), at most
    320 idle connections per thread (`keepalive 320` is per nginx worker);
  - client keep-alive 75 s, connect 5 s, request/response timeouts 60 s, two retries on connection failure (nginx:
    `proxy_next_upstream error timeout`, 3 tries);
  - the request headers ingress-nginx sets: X-Request-ID (kept when sent, else a fresh one), X-Real-IP,
    X-Forwarded-For (the client address only: compute-full-forwarded-for false), X-Forwarded-Host, -Port, -Proto,
    -Scheme, X-Scheme, X-Original-Forwarded-For (the incoming X-Forwarded-For, when there is one), and Proxy removed;
  - a health listener of its own (as nginx's status server): /healthz answers 200.
"""
import argparse
import json
import os
import resource
from collections import OrderedDict


def route_maps(rules, backend_names):
    """(exact entries, prefix entries): OrderedDicts of "host/path" -> backend name. Exact rules take precedence over
    a Prefix rule's own path, as in the Ingress spec."""
    exact, prefix = OrderedDict(), OrderedDict()
    for rule in rules:
        key = rule["host"].lower() + rule["path"]
        backend = backend_names[rule["backend"]]
        if rule["type"] == "Exact":
            exact[key] = backend
        elif rule["type"] == "Prefix":
            exact.setdefault(key, backend)
            # Element-wise prefix: /foo matches /foo/bar, not /foobar (nginx_conf.py: `location /foo/`).
            prefix.setdefault(rule["host"].lower() + rule["path"].rstrip("/") + "/", backend)
        else:
            raise SystemExit(f"haproxy_conf.py: path type {rule['type']} is not supported (rule {rule})")
    return exact, prefix


def write_map(path, entries):
    with open(path, "w") as f:
        for key, value in entries.items():
            f.write(f"{key} {value}\n")


def config(args, backend_names, exact_map, prefix_map):
    backends = "\n\n".join(f"""backend {name}
    server s0 {address} pool-max-conn {320 * args.threads}""" for address, name in backend_names.items())
    return f"""# HAProxy configured like an Ingress controller built on it (see the header of bench/lib/haproxy_conf.py).
global
    {"nbthread " + str(args.threads):<36}# = nginx's worker processes (one per core)
    {"maxconn " + str(args.maxconn):<36}# nginx: worker_connections 16384, as far as the open-file limit allows
    pidfile {args.prefix}/haproxy.pid
    # no `log`: no access log (nginx: access_log off)

defaults
    mode http
    option http-keep-alive              # keep-alive on both sides
    http-reuse always                   # any idle backend connection serves any request (nginx's keepalive pool)
    timeout connect 5s                  # proxy-connect-timeout: 5
    timeout client 60s                  # client-header/body-timeout: 60
    timeout http-request 60s
    timeout http-keep-alive 75s         # keep-alive: 75
    timeout server 60s                  # proxy-read/send-timeout: 60
    retries 2                           # proxy-next-upstream-tries: 3 (the first try and two more)
    unique-id-format %[uuid]            # X-Request-ID when the client sent none (nginx: $request_id)

frontend ingress
    bind 127.0.0.1:{args.port} backlog {args.backlog}
    # Host (port cut off, lower-cased) and path, joined: the key of both route maps.
    http-request set-var(txn.host) req.hdr(host),field(1,:),lower
    http-request set-var(txn.path) path
    http-request set-var(txn.route) var(txn.host),concat(,txn.path,)
    http-request set-var(txn.backend) var(txn.route),map({exact_map})
    http-request set-var(txn.backend) var(txn.route),map_beg({prefix_map}) unless {{ var(txn.backend) -m found }}
    # The request headers ingress-nginx sets (nginx_conf.py's proxy_set_header lines).
    http-request set-header X-Request-ID %[unique-id] unless {{ req.hdr(x-request-id) -m found }}
    http-request set-header X-Real-IP %[src]
    http-request set-header X-Original-Forwarded-For %[req.hdr(x-forwarded-for)] if {{ req.hdr(x-forwarded-for) -m found }}
    http-request set-header X-Forwarded-For %[src]
    http-request set-header X-Forwarded-Host %[req.hdr(host)]
    http-request set-header X-Forwarded-Port %[dst_port]
    http-request set-header X-Forwarded-Proto http
    http-request set-header X-Forwarded-Scheme http
    http-request set-header X-Scheme http
    http-request del-header Proxy
    use_backend %[var(txn.backend)] if {{ var(txn.backend) -m found }}
    default_backend default_backend

# ingress-nginx's default backend: requests matching no rule get 404.
backend default_backend
    http-request return status 404

{backends}

# Health listener, apart from the traffic port (as nginx's status server); same threads.
frontend health
    bind 127.0.0.1:{args.health_port}
    http-request return status 200 if {{ path /healthz }}
    http-request return status 404
"""


def default_maxconn():
    """nginx's worker_connections (16384), or less when the open-file limit HAProxy inherits is lower: HAProxy needs two
    descriptors per connection (client and server side) and refuses to start when it cannot have them."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 16384
    return max(256, min(16384, (soft - 256) // 2))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--routes", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--health-port", type=int, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--backlog", type=int, default=int(open("/proc/sys/net/core/somaxconn").read()))
    parser.add_argument("--maxconn", type=int, default=default_maxconn())
    args = parser.parse_args()
    args.prefix = os.path.abspath(args.prefix)
    os.makedirs(args.prefix, exist_ok=True)

    with open(args.routes) as f:
        rules = json.load(f)["rules"]
    backend_names = OrderedDict()
    for rule in rules:
        backend_names.setdefault(rule["backend"], f"be_{len(backend_names)}")
    exact, prefix = route_maps(rules, backend_names)
    exact_map = os.path.join(args.prefix, "exact.map")
    prefix_map = os.path.join(args.prefix, "prefix.map")
    write_map(exact_map, exact)
    write_map(prefix_map, prefix)
    cfg = os.path.join(args.prefix, "haproxy.cfg")
    with open(cfg, "w") as f:
        f.write(config(args, backend_names, exact_map, prefix_map))
    print(cfg)


if __name__ == "__main__":
    main()
