#!/usr/bin/env python3
"""nginx configurations for the benchmarks.

  nginx_conf.py backend --port P --prefix DIR [--workers 1]
      The fast backend: answers 200 with a 3-byte body from memory, keep-alive, no logging.

  nginx_conf.py proxy --routes routes.json --port P --health-port H --prefix DIR --backlog N [--access-log off|on]
      A reverse proxy configured like ingress-nginx (controller v1.x nginx.tmpl and its ConfigMap defaults) for the
      rules in routes.json (from routes.py): one `server` per host, `location`s per path as ingress-nginx generates
      them, a keep-alive upstream pool, and the isolated status server ingress-nginx runs on port 10246.

Deliberate differences from ingress-nginx, each one making nginx cheaper, so the comparison is conservative:
  - ingress-nginx has a single `upstream upstream_balancer` whose peer is chosen per request by Lua
    (balancer_by_lua); Debian's nginx has no Lua, so there is one static upstream per backend address, with the same
    keep-alive settings.
  - no Lua phases (no rewrite/access/log_by_lua, no monitor/metrics collection per request);
  - access log off by default (ingress-nginx logs every request; --access-log on restores its log format, buffered).
"""
import argparse
import getpass
import json
import os
from collections import OrderedDict


def backend_conf(args):
    return f"""# Fast benchmark backend: a fixed small 200 answer from memory.
user {getpass.getuser()};
worker_processes {args.workers};
pid {args.prefix}/nginx.pid;
error_log {args.prefix}/logs/error.log warn;
worker_rlimit_nofile 65536;
events {{
    worker_connections 16384;
    multi_accept on;
}}
http {{
    access_log off;
    keepalive_timeout 120s;
    keepalive_requests 1000000;
    client_body_temp_path {args.prefix}/client_body;
    proxy_temp_path {args.prefix}/proxy;
    fastcgi_temp_path {args.prefix}/fastcgi;
    uwsgi_temp_path {args.prefix}/uwsgi;
    scgi_temp_path {args.prefix}/scgi;
    server {{
        listen 127.0.0.1:{args.port} backlog={args.backlog};
        default_type text/plain;
        location / {{
            return 200 "ok\\n";
        }}
    }}
}}
"""


def locations(rule, upstream):
    """The location blocks ingress-nginx generates for one Ingress path (non-regex mode)."""
    body = f"""            set $proxy_upstream_name "{rule['service']}-80";   # ingress-nginx: namespace-service-port
            proxy_pass http://{upstream};"""
    path = rule["path"]
    if rule["type"] == "Exact":
        # pathType Exact -> `location = /path`
        return [f"        location = {path} {{\n{body}\n        }}"]
    if path == "/":
        return [f"        location / {{\n{body}\n        }}"]
    # pathType Prefix /foo -> `location /foo/` plus `location = /foo` (element-wise prefix match).
    return [f"        location {path}/ {{\n{body}\n        }}",
            f"        location = {path} {{\n{body}\n        }}"]


def proxy_conf(args):
    with open(args.routes) as f:
        rules = json.load(f)["rules"]
    hosts = OrderedDict()
    backends = OrderedDict()
    for rule in rules:
        hosts.setdefault(rule["host"], []).append(rule)
        backends.setdefault(rule["backend"], f"upstream_{len(backends)}")
    longest_host = max((len(h) for h in hosts), default=10)
    # ingress-nginx sizes these hashes from the server names it has (server-name-hash-*: computed when not set).
    names_max = 1
    while names_max < len(hosts) * 2:
        names_max *= 2
    bucket = 64
    while bucket < longest_host + 8:
        bucket *= 2

    upstreams = "\n".join(f"""    upstream {name} {{
        server {address} max_fails=0;
        keepalive 320;              # upstream-keepalive-connections: 320
        keepalive_time 1h;          # upstream-keepalive-time: 1h
        keepalive_timeout 60s;      # upstream-keepalive-timeout: 60
        keepalive_requests 10000;   # upstream-keepalive-requests: 10000
    }}""" for address, name in backends.items())

    servers = []
    for host, host_rules in hosts.items():
        blocks = []
        for rule in host_rules:
            blocks.extend(locations(rule, backends[rule["backend"]]))
        servers.append(f"""    server {{
        server_name {host};
        listen 127.0.0.1:{args.port};
        set $proxy_upstream_name "-";
{chr(10).join(blocks)}
    }}""")

    access_log = ("access_log off;" if args.access_log == "off" else
                  f"access_log {args.prefix}/logs/access.log upstreaminfo buffer=64k flush=1s;")

    return f"""# Reverse proxy configured like ingress-nginx's defaults (see the header of bench/lib/nginx_conf.py).
user {getpass.getuser()};
worker_processes auto;                  # worker-processes: number of CPUs
worker_rlimit_nofile 65535;             # ingress-nginx: max open files / workers - 1024
worker_shutdown_timeout 240s;           # worker-shutdown-timeout: 240s
pid {args.prefix}/nginx.pid;
error_log {args.prefix}/logs/error.log notice;

events {{
    multi_accept on;                    # enable-multi-accept: true
    worker_connections 16384;           # max-worker-connections: 16384
    use epoll;
}}

http {{
    client_body_temp_path {args.prefix}/client_body;
    proxy_temp_path {args.prefix}/proxy;
    fastcgi_temp_path {args.prefix}/fastcgi;
    uwsgi_temp_path {args.prefix}/uwsgi;
    scgi_temp_path {args.prefix}/scgi;

    aio threads;                        # nginx.tmpl
    aio_write on;
    tcp_nopush on;
    tcp_nodelay on;
    sendfile on;
    log_subrequest on;
    reset_timedout_connection on;
    keepalive_timeout 75s;              # keep-alive: 75
    keepalive_requests 1000;            # keep-alive-requests: 1000
    client_header_buffer_size 1k;       # client-header-buffer-size: 1k
    client_header_timeout 60s;          # client-header-timeout: 60
    large_client_header_buffers 4 8k;   # large-client-header-buffers: 4 8k
    client_body_buffer_size 8k;         # client-body-buffer-size: 8k
    client_body_timeout 60s;            # client-body-timeout: 60
    http2_max_concurrent_streams 128;   # http2-max-concurrent-streams: 128
    types_hash_max_size 2048;
    server_names_hash_max_size {max(1024, names_max)};      # computed from the hosts, as ingress-nginx does
    server_names_hash_bucket_size {bucket};
    map_hash_bucket_size 64;
    proxy_headers_hash_max_size 512;
    proxy_headers_hash_bucket_size 64;
    variables_hash_bucket_size 256;
    variables_hash_max_size 2048;
    underscores_in_headers off;
    ignore_invalid_headers on;
    limit_req_status 503;
    limit_conn_status 503;
    default_type text/html;
    gzip off;                           # use-gzip: false
    server_tokens off;                  # server-tokens: false
    client_max_body_size 1m;            # proxy-body-size: 1m

    log_format upstreaminfo '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
                            '"$http_referer" "$http_user_agent" $request_length $request_time '
                            '[$proxy_upstream_name] [] $upstream_addr $upstream_response_length '
                            '$upstream_response_time $upstream_status $req_id';
    {access_log}

    # Request id, forwarded headers and upgrade handling as ingress-nginx's nginx.tmpl maps them.
    map $http_x_request_id $req_id {{
        default $http_x_request_id;
        "" $request_id;
    }}
    map $http_x_forwarded_proto $pass_access_scheme {{
        default $scheme;
    }}
    map $http_x_forwarded_port $pass_server_port {{
        default $server_port;
    }}
    map $http_host $best_http_host {{
        default $http_host;
        "" $host;
    }}
    # With upstream keep-alive on, ingress-nginx sends `Connection: ""` unless the client asks for an upgrade.
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" "";
    }}

    # Per-location proxy settings: ingress-nginx writes them into every location; here every location inherits them.
    proxy_set_header Host $best_http_host;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $connection_upgrade;
    proxy_set_header X-Request-ID $req_id;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_set_header X-Forwarded-For $remote_addr;      # compute-full-forwarded-for: false
    proxy_set_header X-Forwarded-Host $best_http_host;
    proxy_set_header X-Forwarded-Port $pass_server_port;
    proxy_set_header X-Forwarded-Proto $pass_access_scheme;
    proxy_set_header X-Forwarded-Scheme $pass_access_scheme;
    proxy_set_header X-Scheme $pass_access_scheme;
    proxy_set_header X-Original-Forwarded-For $http_x_forwarded_for;
    proxy_set_header Proxy "";                          # httpoxy mitigation
    proxy_connect_timeout 5s;           # proxy-connect-timeout: 5
    proxy_send_timeout 60s;             # proxy-send-timeout: 60
    proxy_read_timeout 60s;             # proxy-read-timeout: 60
    proxy_buffering off;                # proxy-buffering: off
    proxy_buffer_size 4k;               # proxy-buffer-size: 4k
    proxy_buffers 4 4k;                 # proxy-buffers-number: 4
    proxy_max_temp_file_size 1024m;
    proxy_request_buffering on;         # proxy-request-buffering: on
    proxy_http_version 1.1;             # proxy-http-version: 1.1
    proxy_cookie_domain off;
    proxy_cookie_path off;
    proxy_next_upstream error timeout;  # proxy-next-upstream: error timeout
    proxy_next_upstream_timeout 0;
    proxy_next_upstream_tries 3;        # proxy-next-upstream-tries: 3
    proxy_redirect off;

{upstreams}

    # ingress-nginx's default server: requests for no known host go to the default backend (404).
    server {{
        server_name _;
        listen 127.0.0.1:{args.port} default_server reuseport backlog={args.backlog};   # backlog: net.core.somaxconn
        set $proxy_upstream_name "upstream-default-backend";
        location / {{
            return 404;
        }}
    }}

{chr(10).join(servers)}

    # ingress-nginx's status server (port 10246): /healthz, /nginx_status. It runs in the same worker processes as
    # the traffic, which is why a worker stuck behind a flood also fails its health checks.
    server {{
        listen 127.0.0.1:{args.health_port};
        set $proxy_upstream_name "internal";
        keepalive_timeout 0;
        gzip off;
        access_log off;
        location /healthz {{
            return 200;
        }}
        location /nginx_status {{
            stub_status on;
        }}
        location / {{
            return 404;
        }}
    }}
}}
"""


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    backend = sub.add_parser("backend")
    backend.add_argument("--port", type=int, required=True)
    backend.add_argument("--prefix", required=True)
    backend.add_argument("--workers", default="1")
    backend.add_argument("--backlog", type=int, default=int(open("/proc/sys/net/core/somaxconn").read()))
    proxy = sub.add_parser("proxy")
    proxy.add_argument("--routes", required=True)
    proxy.add_argument("--port", type=int, required=True)
    proxy.add_argument("--health-port", type=int, required=True)
    proxy.add_argument("--prefix", required=True)
    proxy.add_argument("--backlog", type=int, required=True)
    proxy.add_argument("--access-log", choices=["off", "on"], default="off")
    args = parser.parse_args()
    args.prefix = os.path.abspath(args.prefix)
    print(backend_conf(args) if args.mode == "backend" else proxy_conf(args))


if __name__ == "__main__":
    main()
