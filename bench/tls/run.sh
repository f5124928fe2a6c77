#!/usr/bin/env bash
# TLS benchmark: the gateway beside nginx, same certificate, same upstream, same load generator.
#
# Measures, for each proxy:
#   handshakes/s  new TLS connections per second (wrk with "Connection: close": a full handshake per request,
#                 no session resumption)
#   keep-alive/s  HTTPS requests per second over keep-alive connections
#
# Both proxies serve one certificate (made here with openssl) as their default certificate, terminate TLS 1.2/1.3
# and proxy to the same upstream (an nginx server block answering 200 "ok"), with keep-alive to it.
#
# Usage (from the repository root, on a quiet machine):
#   ./mvnw -B -q package -DskipTests          # once: builds target/ingress-gateway-*.jar
#   bench/tls/run.sh                          # 30 s per run, 2 threads, 64 connections
#   DURATION=60s CONNECTIONS=256 THREADS=4 KEY=ec bench/tls/run.sh
#
# Environment: DURATION (30s), WARMUP (15s, gateway only: lets the JIT compile the hot path), THREADS (2),
# CONNECTIONS (64), KEY (rsa: RSA 2048, or ec: P-256), JAVA_OPTS (extra JVM options), NGINX_WORKERS (auto).
# Needs: java 17, wrk, nginx, openssl (Debian: apt-get install -y wrk nginx openssl).
# Prints a Markdown table for docs/benchmarks.md. Loopback only; everything runs from a temporary directory.
set -euo pipefail

DURATION=${DURATION:-30s}
WARMUP=${WARMUP:-15s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
KEY=${KEY:-rsa}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
HOST=bench.local

UPSTREAM_PORT=18180
NGINX_PORT=18443
GATEWAY_HTTP_PORT=18080
GATEWAY_HTTPS_PORT=18444
GATEWAY_MANAGEMENT_PORT=18254

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=$(ls "$ROOT"/target/ingress-gateway-*.jar 2>/dev/null | grep -v -- '-plain' | head -1 || true)
for tool in java wrk nginx openssl curl; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install -y wrk nginx openssl curl)" >&2; exit 1; }
done
[ -n "$JAR" ] || { echo "no target/ingress-gateway-*.jar: run ./mvnw -B -q package -DskipTests first" >&2; exit 1; }

WORK=$(mktemp -d /tmp/ingress-gateway-tls-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- certificate ------------------------------------------------------------------------------------------------
if [ "$KEY" = ec ]; then
  openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/tls.key" 2>/dev/null
else
  openssl genrsa -out "$WORK/tls.key" 2048 2>/dev/null
fi
openssl req -x509 -new -key "$WORK/tls.key" -out "$WORK/tls.crt" -days 7 -subj "/CN=$HOST" \
  -addext "subjectAltName=DNS:$HOST" 2>/dev/null

# --- nginx: the upstream, and the TLS proxy to compare with -----------------------------------------------------
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes $NGINX_WORKERS;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000;
  upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    location / { return 200 "ok\n"; }
  }
  server {
    listen 127.0.0.1:$NGINX_PORT ssl http2 default_server;
    ssl_certificate $WORK/tls.crt;
    ssl_certificate_key $WORK/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header X-Forwarded-For \$remote_addr;
    }
  }
}
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
PIDS+=($!)

# --- the gateway: manifests naming the same upstream and certificate ---------------------------------------------
mkdir -p "$WORK/manifests"
indent() { sed 's/^/      /' "$1"; }
cat > "$WORK/manifests/bench.yaml" <<YAML
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ingress-gateway}
spec: {controller: ingress-gateway.io/controller}
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: bench}
spec:
  ports: [{name: http, port: 80, targetPort: $UPSTREAM_PORT}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: app-1, namespace: bench, labels: {kubernetes.io/service-name: app}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: $UPSTREAM_PORT, protocol: TCP}]
---
apiVersion: v1
kind: Secret
metadata: {name: bench-tls, namespace: bench}
type: kubernetes.io/tls
stringData:
  tls.crt: |
$(indent "$WORK/tls.crt")
  tls.key: |
$(indent "$WORK/tls.key")
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: app, namespace: bench}
spec:
  ingressClassName: ingress-gateway
  tls: [{hosts: [$HOST], secretName: bench-tls}]
  rules:
    - host: $HOST
      http:
        paths: [{path: /, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}]
YAML
# wrk sends the URL's host (127.0.0.1) as SNI, so both proxies answer with their default certificate: the same one.
java ${JAVA_OPTS:-} -jar "$JAR" \
  --ingress-gateway.source=manifests --ingress-gateway.manifests-dir="$WORK/manifests" \
  --server.port=$GATEWAY_HTTP_PORT --management.server.port=$GATEWAY_MANAGEMENT_PORT \
  --ingress-gateway.tls.port=$GATEWAY_HTTPS_PORT --ingress-gateway.tls.default-certificate=bench/bench-tls \
  --logging.level.root=WARN > "$WORK/gateway.log" 2>&1 &
PIDS+=($!)

wait_ready() { # url
  for _ in $(seq 1 120); do
    if curl -ks -o /dev/null -w '%{http_code}' -H "Host: $HOST" "$1" | grep -q '^200$'; then return 0; fi
    sleep 0.5
  done
  echo "not ready: $1" >&2; tail -50 "$WORK/gateway.log" >&2; exit 1
}
wait_ready "https://127.0.0.1:$NGINX_PORT/"
wait_ready "https://127.0.0.1:$GATEWAY_HTTPS_PORT/"
# Both must present the bench certificate.
for port in $NGINX_PORT $GATEWAY_HTTPS_PORT; do
  subject=$(openssl s_client -connect 127.0.0.1:$port </dev/null 2>/dev/null | openssl x509 -noout -subject)
  case "$subject" in *"$HOST"*) ;; *) echo "port $port serves '$subject', not the bench certificate" >&2; exit 1;; esac
done

rate() { # args... -> Requests/sec of a wrk run
  wrk "$@" | awk '/Requests\/sec/ {print $2}'
}
run() { # name port
  local url="https://127.0.0.1:$2/"
  local handshakes keepalive
  handshakes=$(rate -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -H "Host: $HOST" -H "Connection: close" "$url")
  keepalive=$(rate -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -H "Host: $HOST" "$url")
  printf '| %s | %s | %s |\n' "$1" "$handshakes" "$keepalive"
}

echo "warming up the gateway ($WARMUP)..." >&2
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "Host: $HOST" "https://127.0.0.1:$GATEWAY_HTTPS_PORT/" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "Host: $HOST" -H "Connection: close" \
  "https://127.0.0.1:$GATEWAY_HTTPS_PORT/" >/dev/null

echo
echo "TLS, $KEY key, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $(nproc) CPUs, $(date -u +%Y-%m-%d)"
echo
echo '| proxy | new handshakes/s | keep-alive HTTPS requests/s |'
echo '|---|---|---|'
run "ingress-gateway" "$GATEWAY_HTTPS_PORT"
run "nginx $(nginx -v 2>&1 | sed 's|.*/||')" "$NGINX_PORT"
