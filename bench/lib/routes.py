#!/usr/bin/env python3
"""Generates one route set for both proxies, in three forms:

  --manifests DIR   Kubernetes objects the gateway serves (source=manifests) or the bench API server loads: an
                    IngressClass, per backend Service a Service without selector plus an EndpointSlice pointing at a
                    local port, and one Ingress per rule (so N rules are N Ingress objects).
  --routes-json F   the same rules for nginx_conf.py (server per host, location per path, like ingress-nginx).
  --targets F       "host path" lines for wrk (bench/lib/wrk/report.lua): one request per rule that the rule matches.

Scale set (--rules N --paths-per-host P --backend 127.0.0.1:PORT): hosts h<i>.bench.test, each with P paths
/p<j>/v1; every fourth path is Exact, the others Prefix (requests go below them: /p<j>/v1/items). One Service per host.

Named routes (--route HOST=127.0.0.1:PORT, repeatable): HOST, Prefix "/", its own Service. Used for the slow and fast
routes of the probe-starvation benchmark.
"""
import argparse
import json
import os

NAMESPACE = "bench"
INGRESS_CLASS = "ingress-gateway"
CHUNK = 1000  # objects per manifest file


def service_objects(name, backend):
    address, port = backend.rsplit(":", 1)
    service = {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {"ports": [{"name": "http", "port": 80, "targetPort": int(port), "protocol": "TCP"}]},
    }
    slice_ = {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": f"{name}-1", "namespace": NAMESPACE,
                     "labels": {"kubernetes.io/service-name": name}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [address], "conditions": {"ready": True}}],
        "ports": [{"name": "http", "port": int(port), "protocol": "TCP"}],
    }
    return [service, slice_]


def ingress_object(name, host, path, path_type, service, annotations=None):
    metadata = {"name": name, "namespace": NAMESPACE}
    if annotations:
        metadata["annotations"] = dict(annotations)
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": metadata,
        "spec": {
            "ingressClassName": INGRESS_CLASS,
            "rules": [{"host": host, "http": {"paths": [{
                "path": path, "pathType": path_type,
                "backend": {"service": {"name": service, "port": {"number": 80}}},
            }]}}],
        },
    }


def ingress_class():
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
        "metadata": {"name": INGRESS_CLASS},
        "spec": {"controller": "ingress-gateway.io/controller"},
    }


def build(args):
    """Returns (rules, services): rules are dicts host/path/type/service/backend/target_path."""
    rules, services = [], {}
    if args.rules:
        per_host = max(1, args.paths_per_host)
        hosts = (args.rules + per_host - 1) // per_host
        n = 0
        for i in range(hosts):
            host = f"h{i}.bench.test"
            service = f"svc-h{i}"
            services[service] = args.backend
            for j in range(per_host):
                if n == args.rules:
                    break
                path = f"/p{j}/v1"
                exact = j % 4 == 3
                if args.regex_rewrite:
                    # ingress-nginx's rewrite example: the prefix is cut, the rest ($2) is what the upstream gets.
                    rules.append({"host": host, "path": path + "(/|$)(.*)", "type": "ImplementationSpecific",
                                  "service": service, "backend": args.backend, "target_path": path + "/items",
                                  "annotations": {"nginx.ingress.kubernetes.io/use-regex": "true",
                                                  "nginx.ingress.kubernetes.io/rewrite-target": "/$2"}})
                    n += 1
                    continue
                rule = {"host": host, "path": path, "type": "Exact" if exact else "Prefix",
                        "service": service, "backend": args.backend,
                        "target_path": path if exact else path + "/items"}
                if args.access_policies:
                    # What issue 13 prices on a route: CORS, an allow list the load generator passes, and a per-client
                    # rate limit far above what one machine sends (every request is counted, none refused).
                    rule["annotations"] = {"nginx.ingress.kubernetes.io/enable-cors": "true",
                                           "nginx.ingress.kubernetes.io/whitelist-source-range": "127.0.0.0/8,::1/128",
                                           "nginx.ingress.kubernetes.io/limit-rps": "100000"}
                rules.append(rule)
                n += 1
    for spec in args.route or []:
        host, backend = spec.split("=", 1)
        service = "svc-" + host.split(".")[0]
        services[service] = backend
        rules.append({"host": host, "path": "/", "type": "Prefix", "service": service, "backend": backend,
                      "target_path": "/"})
    return rules, services


def write_manifests(directory, rules, services):
    os.makedirs(directory, exist_ok=True)
    objects = [ingress_class()]
    for name, backend in services.items():
        objects.extend(service_objects(name, backend))
    for k, rule in enumerate(rules):
        objects.append(ingress_object(f"r{k}-{rule['host'].split('.')[0]}", rule["host"], rule["path"],
                                      rule["type"], rule["service"], rule.get("annotations")))
    for start in range(0, len(objects), CHUNK):
        with open(os.path.join(directory, f"objects-{start // CHUNK:04d}.json"), "w") as f:
            json.dump({"apiVersion": "v1", "kind": "List", "items": objects[start:start + CHUNK]}, f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=0)
    parser.add_argument("--paths-per-host", type=int, default=10)
    parser.add_argument("--backend", default="")
    parser.add_argument("--route", action="append", help="HOST=ADDRESS:PORT")
    parser.add_argument("--manifests")
    parser.add_argument("--routes-json")
    parser.add_argument("--regex-rewrite", action="store_true",
                        help="each rule a use-regex + rewrite-target /$2 Ingress (gateway manifests only)")
    parser.add_argument("--access-policies", action="store_true",
                        help="each rule with enable-cors, an allow list and limit-rps (gateway manifests only)")
    parser.add_argument("--targets")
    args = parser.parse_args()
    if args.rules and not args.backend:
        parser.error("--rules needs --backend")

    rules, services = build(args)
    if args.manifests:
        write_manifests(args.manifests, rules, services)
    if args.routes_json:
        with open(args.routes_json, "w") as f:
            json.dump({"rules": rules}, f)
    if args.targets:
        with open(args.targets, "w") as f:
            for rule in rules:
                f.write(f"{rule['host']} {rule['target_path']}\n")


if __name__ == "__main__":
    main()
