#!/usr/bin/env python3
"""Caddy configured the way an Ingress controller built on Caddy would proxy the benchmarks' rules.

  caddy_conf.py --routes routes.json --port P --health-port H --threads N > caddy.json

Prints Caddy's native JSON configuration (what Caddy's own Ingress controller generates, rather than a Caddyfile) for
the rules in routes.json (from routes.py, the same file nginx_conf.py reads). Run it with
`GOMAXPROCS=N caddy run --config caddy.json`.

How it mirrors bench/lib/nginx_conf.py's ingress-nginx-like nginx, setting for setting:
  - GOMAXPROCS (set by the caller) = nginx's worker processes (`worker_processes auto`: one per core); one process;
  - no access log (a server logs requests only when it has a `logs` block), the admin endpoint off, no automatic
    HTTPS, HTTP/1.1 only on the plain listener;
  - routing by Host and path: one route per host matching its name, holding one route per Ingress path, longest path
    first, Exact paths before Prefix ones of the same length (Prefix /foo matches /foo and /foo/*, Exact /foo only
    /foo); no match answers 404 (ingress-nginx's default backend);
  - a reverse_proxy per Ingress path (as Caddy's Ingress controller writes one per path) to the rule's backend,
    HTTP/1.1 keep-alive with an idle pool of 320 connections per core (`keepalive 320` is per nginx worker), idle
    60 s, dial timeout 5 s, response header timeout 60 s; client keep-alive 75 s, header read timeout 60 s;
  - the request headers ingress-nginx sets: X-Request-ID (kept when sent, else a fresh UUID), X-Real-IP,
    X-Forwarded-For (the client address only: compute-full-forwarded-for false; Caddy's own default when no proxy
    is trusted), X-Forwarded-Host, -Port, -Proto, -Scheme, X-Scheme, X-Original-Forwarded-For (the incoming
    X-Forwarded-For, when there is one), and Proxy removed;
  - a second server on its own port for /healthz (as nginx's status server), in the same process.
"""
import argparse
import json
import os
from collections import OrderedDict


def path_matcher(rule):
    path = rule["path"]
    if rule["type"] == "Exact":
        return [path]
    if rule["type"] == "Prefix":
        base = path.rstrip("/")
        return [base + "/*"] if base == "" else [base, base + "/*"]
    raise SystemExit(f"caddy_conf.py: path type {rule['type']} is not supported (rule {rule})")


def reverse_proxy(rule, args):
    return {
        "handler": "reverse_proxy",
        "upstreams": [{"dial": rule["backend"]}],
        "transport": {
            "protocol": "http",
            "versions": ["1.1"],                                # proxy-http-version: 1.1
            "keep_alive": {"enabled": True,
                           "max_idle_conns_per_host": 320 * args.threads,   # upstream-keepalive-connections: 320
                           "idle_timeout": "60s"},              # upstream-keepalive-timeout: 60
            "dial_timeout": "5s",                               # proxy-connect-timeout: 5
            "response_header_timeout": "60s",                   # proxy-read-timeout: 60
        },
        "headers": {"request": {
            "set": {
                "X-Real-Ip": ["{http.request.remote.host}"],
                "X-Forwarded-For": ["{http.request.remote.host}"],
                "X-Forwarded-Host": ["{http.request.hostport}"],
                "X-Forwarded-Port": [str(args.port)],          # the listener's port (nginx: $server_port)
                "X-Forwarded-Proto": ["http"],
                "X-Forwarded-Scheme": ["http"],
                "X-Scheme": ["http"],
            },
            "delete": ["Proxy"],                                # httpoxy mitigation
        }},
    }


def host_route(host, rules, args):
    # Longest path first; at equal length an Exact rule before a Prefix one (the Ingress spec's precedence).
    ordered = sorted(rules, key=lambda r: (-len(r["path"].rstrip("/")), r["type"] != "Exact"))
    return {
        "match": [{"host": [host]}],
        "handle": [{"handler": "subroute", "routes": [
            {"match": [{"path": path_matcher(rule)}], "handle": [reverse_proxy(rule, args)]} for rule in ordered
        ] + [{"handle": [{"handler": "static_response", "status_code": 404}]}]}],
        "terminal": True,
    }


def config(rules, args):
    hosts = OrderedDict()
    for rule in rules:
        hosts.setdefault(rule["host"], []).append(rule)
    request_id = {
        # X-Request-ID: a fresh one only when the client sent none (nginx: map $http_x_request_id $req_id).
        "match": [{"header": {"X-Request-Id": None}}],
        "handle": [{"handler": "headers", "request": {"set": {"X-Request-Id": ["{http.request.uuid}"]}}}],
    }
    original_forwarded_for = {
        "match": [{"header": {"X-Forwarded-For": []}}],
        "handle": [{"handler": "headers", "request": {"set": {
            "X-Original-Forwarded-For": ["{http.request.header.X-Forwarded-For}"]}}}],
    }
    default_backend = {"handle": [{"handler": "static_response", "status_code": 404}]}
    return {
        "admin": {"disabled": True, "config": {"persist": False}},
        "logging": {"logs": {"default": {"level": "WARN"}}},
        "apps": {"http": {"servers": {
            "ingress": {
                "listen": [f"127.0.0.1:{args.port}"],
                "protocols": ["h1"],
                "automatic_https": {"disable": True},
                "idle_timeout": "75s",                          # keep-alive: 75
                "read_header_timeout": "60s",                   # client-header-timeout: 60
                "routes": [request_id, original_forwarded_for]
                          + [host_route(host, host_rules, args) for host, host_rules in hosts.items()]
                          + [default_backend],
            },
            "health": {
                "listen": [f"127.0.0.1:{args.health_port}"],
                "protocols": ["h1"],
                "automatic_https": {"disable": True},
                "routes": [
                    {"match": [{"path": ["/healthz"]}],
                     "handle": [{"handler": "static_response", "status_code": 200}], "terminal": True},
                    {"handle": [{"handler": "static_response", "status_code": 404}]},
                ],
            },
        }}},
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--routes", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--health-port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    with open(args.routes) as f:
        rules = json.load(f)["rules"]
    print(json.dumps(config(rules, args), indent=1))


if __name__ == "__main__":
    main()
