package io.ingressgateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

/**
 * Everything configurable about the controller, under the prefix {@code ingress-gateway}. Each {@code @param} of this
 * record tree is the description docs/configuration.md shows (spring-boot-configuration-processor reads them; see
 * ConfigurationReferenceTest): a sentence that makes sense alone, with what an empty value or 0 means.
 *
 * @param ingressClass          name of our IngressClass; also accepted in the legacy {@code kubernetes.io/ingress.class}
 *                              annotation
 * @param controllerName        the {@code spec.controller} value of IngressClasses that are ours
 * @param watchNamespaces       namespaces to watch; empty watches all
 * @param source                {@code auto} (Kubernetes when a cluster is configured, else the manifest directory),
 *                              {@code kubernetes} or {@code manifests}
 * @param manifestsDir          directory of YAML manifests served when the source is {@code manifests}; reloaded on
 *                              change
 * @param defaultBackendService {@code namespace/name:port} of a Service answering requests that match no rule;
 *                              empty for the built-in 404
 * @param kubernetes            how to reach the API server when not relying on in-cluster or kubeconfig settings
 * @param status                how Ingress status is written
 * @param listener              bounds of the public listener's accept path
 * @param eventLoops            event-loop threads of the public listener, the upstream client and the management server
 * @param liveness              the event-loop watchdog behind the liveness probe
 * @param resilience            the default guards of every upstream (Ingress annotations override some per Ingress)
 * @param tls                   the HTTPS listener, certificates, redirects and HSTS
 * @param hostOwnership         which namespaces may claim which hosts: a list of rules
 *                              {@code {namespaces: [...], hosts: [...]}}, where {@code namespaces} are namespace names
 *                              ({@code *} for all) and {@code hosts} are exact names ({@code shop.example.com}),
 *                              {@code *.suffix} ({@code *.team-a.example.com}: every name and wildcard under it at any
 *                              depth) or {@code *} (every host, which rules without host and a catch-all
 *                              {@code spec.defaultBackend} need). The most specific pattern covering a host decides it
 *                              (exact, then longest suffix, then {@code *}); a host no pattern covers is nobody's. An
 *                              Ingress wildcard host needs a pattern covering the whole wildcard and must not cover an
 *                              exact name owned by another namespace. Refused rules and TLS hosts get a diagnostic;
 *                              invalid rules stop the gateway at start. Empty: any namespace claims any host (the
 *                              oldest Ingress wins), as in ingress-nginx
 * @param defaultBackendPrecedence who takes requests matching no host: {@code ingress} (the {@code spec.defaultBackend}
 *                              of the oldest served Ingress without rules, else {@code default-backend-service}, as
 *                              ingress-nginx) or {@code configured} (always {@code default-backend-service}, else the
 *                              built-in 404; an Ingress's {@code spec.defaultBackend} then only serves its own hosts)
 * @param ops                   what the management server's endpoints show
 * @param externalNameServices  whether backends may be ExternalName Services, and where their names may lead
 * @param requestBody           request body limits and buffering where an Ingress sets none (its annotations
 *                              override them per Ingress)
 * @param clientAddress         how the client's address is learnt: PROXY protocol, trusted proxies' forwarded headers
 * @param sourceRanges          the allow and deny lists of every route whose Ingress sets none of its own
 * @param globalRateLimit       the shared store (Redis) of {@code global-rate-limit} annotations and what happens when it
 *                              cannot answer
 * @param externalAuth          the client that asks auth services ({@code auth-url}): timeouts, pool, answer cache
 * @param basicAuth             how basic auth ({@code auth-type: basic}) checks passwords
 * @param rateLimits            how the per-replica rate limits of Ingresses ({@code limit-rps} & co) answer, and how
 *                              many client states they keep
 * @param serverHeader          the {@code Server} header of every response on the public listeners whose upstream sent
 *                              none (nginx's {@code server_tokens}); empty sends none, where nginx would still send
 *                              {@code nginx}
 * @param accessLog             the access log of the public listeners: one line per request with ingress-nginx's
 *                              {@code upstreaminfo} fields, written off the event loops
 * @param metrics               the per-request metrics ({@code ingress_gateway_requests_total} and its histograms)
 * @param shutdown              how the gateway drains its public listeners when it is told to stop (SIGTERM)
 */
@ConfigurationProperties("ingress-gateway")
public record IngressGatewayProperties(
        @DefaultValue("ingress-gateway") String ingressClass,
        @DefaultValue("ingress-gateway.io/controller") String controllerName,
        @DefaultValue List<String> watchNamespaces,
        @DefaultValue("auto") SourceMode source,
        @DefaultValue("config") Path manifestsDir,
        @DefaultValue("") String defaultBackendService,
        @DefaultValue Kubernetes kubernetes,
        @DefaultValue Status status,
        @DefaultValue Listener listener,
        @DefaultValue EventLoops eventLoops,
        @DefaultValue Liveness liveness,
        @DefaultValue Resilience resilience,
        @DefaultValue Tls tls,
        @DefaultValue List<HostOwnershipRule> hostOwnership,
        @DefaultValue("ingress") DefaultBackendPrecedence defaultBackendPrecedence,
        @DefaultValue Ops ops,
        @DefaultValue ExternalNameServices externalNameServices,
        @DefaultValue RequestBody requestBody,
        @DefaultValue ClientAddress clientAddress,
        @DefaultValue SourceRanges sourceRanges,
        @DefaultValue GlobalRateLimit globalRateLimit,
        @DefaultValue ExternalAuth externalAuth,
        @DefaultValue BasicAuth basicAuth,
        @DefaultValue RateLimits rateLimits,
        @DefaultValue("ingress-gateway") String serverHeader,
        @DefaultValue AccessLog accessLog,
        @DefaultValue Metrics metrics,
        @DefaultValue Shutdown shutdown) {

    public enum SourceMode { AUTO, KUBERNETES, MANIFESTS }

    /**
     * @param requestsEnabled whether every routed request is counted in the request metrics an ingress-nginx dashboard
     *                        reads ({@code ingress_gateway_requests_total}, {@code ingress_gateway_request_duration_seconds},
     *                        {@code ingress_gateway_response_duration_seconds}, {@code ingress_gateway_request_size_bytes},
     *                        {@code ingress_gateway_response_size_bytes}); off saves their share of a request's CPU
     */
    public record Metrics(@DefaultValue("true") boolean requestsEnabled) {
    }

    public enum DefaultBackendPrecedence { INGRESS, CONFIGURED }

    /**
     * Ingresses in {@code namespaces} may claim {@code hosts} (see README: the most specific pattern covering a host
     * decides it).
     *
     * @param namespaces namespace names, or {@code *} for all
     * @param hosts      exact names, {@code *.suffix} (every name and wildcard under it) or {@code *} (every host,
     *                   rules without host and the catch-all default backend included)
     */
    public record HostOwnershipRule(@DefaultValue List<String> namespaces, @DefaultValue List<String> hosts) {
    }

    /**
     * @param ingressesDetail what {@code /actuator/ingresses} shows: {@code summary} (served or not and why,
     *                        diagnostics, hosts and paths of the routes, TLS hosts; nothing about Services, endpoints
     *                        or Secrets) or {@code full} (also each route's upstream Service, ready endpoint count and
     *                        guard state, and each TLS host's Secret, certificate subject and expiry)
     */
    public record Ops(@DefaultValue("summary") IngressesDetail ingressesDetail) {

        public enum IngressesDetail { FULL, SUMMARY }
    }

    /**
     * @param masterUrl API server URL; empty to connect as kubectl does (in-cluster service account, else
     *                  {@code KUBECONFIG} or {@code ~/.kube/config})
     */
    public record Kubernetes(@DefaultValue("") String masterUrl) {
    }

    /**
     * @param publishAddress  addresses (IPs or host names, comma separated) written to
     *                        {@code status.loadBalancer.ingress}
     * @param publishService  {@code namespace/name} of the gateway's own Service, whose load-balancer address is
     *                        written when no publish address is set
     * @param leaseName       name of the Lease used for leader election
     * @param leaseNamespace  namespace of the Lease; empty for the pod's namespace ({@code POD_NAMESPACE}, else
     *                        {@code default})
     * @param identity        this replica's identity in the election; empty for the pod name ({@code POD_NAME}, else
     *                        the host name)
     */
    public record Status(
            @DefaultValue("") String publishAddress,
            @DefaultValue("") String publishService,
            @DefaultValue("ingress-gateway-leader") String leaseName,
            @DefaultValue("") String leaseNamespace,
            @DefaultValue("") String identity) {
    }

    /**
     * The public listeners (HTTP and HTTPS): the accept path, bounded so that overload is answered at once instead of
     * queued, and each client's time and size limits, so that a slow or idle client holds a connection only so long.
     *
     * @param backlog             listen backlog (SO_BACKLOG): connections the kernel holds before the gateway accepts
     *                            them; the kernel caps it at {@code net.core.somaxconn}
     * @param maxConnections      open client connections; a connection past it is closed as soon as it is accepted
     * @param maxInFlightRequests requests being served at once; a request past it is answered 503 with
     *                            {@code Retry-After} before any routing
     * @param retryAfter          the {@code Retry-After} sent with the 503 of {@code max-in-flight-requests} (whole
     *                            seconds, rounded up)
     * @param maxEarlyRetryHold   the longest a request is held when its client comes back on the same connection
     *                            before the {@code Retry-After} of a 503 it was given (a 503 of the gateway's own,
     *                            never an upstream's)
     * @param publicPort          the HTTP port clients connect to (the Service's port, not the container's), sent
     *                            upstream as {@code X-Forwarded-Port}; HTTPS uses {@code tls.redirect-port}. The chart
     *                            sets both from {@code service.ports}
     * @param clientHeaderTimeout deadline for a request's line and headers, counted from the connection's start for
     *                            its first request and from a request's first byte for the next ones (nginx
     *                            {@code client_header_timeout}); past it 408 and close (a silent close if nothing
     *                            came)
     * @param clientBodyTimeout   longest silence of the client between two reads of a request body while the
     *                            gateway is reading it (nginx {@code client_body_timeout}); past it 408 and close
     * @param keepAliveTimeout    how long a connection may sit idle between two requests (nginx
     *                            {@code keepalive_timeout})
     * @param maxRequestLineLength longest request line (method, URI, version); longer is answered 414
     * @param maxRequestHeadersSize all header lines of a request together; larger is answered 431
     * @param maxConnectionsPerClientAddress open connections from one client IP address over both listeners; one
     *                            more is closed as soon as it is accepted; 0 for no such limit
     * @param maxWebsocketSessions WebSocket sessions open at once; one more upgrade is answered 503 with
     *                            {@code Retry-After}
     * @param websocketIdleTimeout a WebSocket session with no frame in either direction for this long gets a close
     *                            frame (1001) and is closed
     */
    public record Listener(
            @DefaultValue("1024") int backlog,
            @DefaultValue("16384") int maxConnections,
            @DefaultValue("4096") int maxInFlightRequests,
            @DefaultValue("1s") Duration retryAfter,
            @DefaultValue("10s") Duration maxEarlyRetryHold,
            @DefaultValue("80") int publicPort,

            @DefaultValue("60s") Duration clientHeaderTimeout,
            @DefaultValue("60s") Duration clientBodyTimeout,
            @DefaultValue("75s") Duration keepAliveTimeout,
            @DefaultValue("8KB") DataSize maxRequestLineLength,
            @DefaultValue("32KB") DataSize maxRequestHeadersSize,
            @DefaultValue("0") int maxConnectionsPerClientAddress,
            @DefaultValue("8192") int maxWebsocketSessions,
            @DefaultValue("60s") Duration websocketIdleTimeout) {

        public Listener {
            if (backlog < 1 || backlog > 65535) {
                throw new IllegalArgumentException("ingress-gateway.listener.backlog must be 1..65535, was " + backlog);
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("ingress-gateway.listener.max-connections must be positive, was "
                        + maxConnections);
            }
            if (maxInFlightRequests < 1) {
                throw new IllegalArgumentException(
                        "ingress-gateway.listener.max-in-flight-requests must be positive, was " + maxInFlightRequests);
            }
            if (retryAfter.isNegative()) {
                throw new IllegalArgumentException("ingress-gateway.listener.retry-after must not be negative");
            }
            if (maxEarlyRetryHold.isNegative()) {
                throw new IllegalArgumentException(
                        "ingress-gateway.listener.max-early-retry-hold must not be negative");
            }
            if (publicPort < 1 || publicPort > 65535) {
                throw new IllegalArgumentException(
                        "ingress-gateway.listener.public-port must be 1..65535, was " + publicPort);
            }
            positive("client-header-timeout", clientHeaderTimeout);
            positive("client-body-timeout", clientBodyTimeout);
            positive("keep-alive-timeout", keepAliveTimeout);
            positive("websocket-idle-timeout", websocketIdleTimeout);
            if (maxRequestLineLength.toBytes() < 64 || maxRequestLineLength.toBytes() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "ingress-gateway.listener.max-request-line-length must be at least 64B, was "
                                + maxRequestLineLength);
            }
            if (maxRequestHeadersSize.toBytes() < 64 || maxRequestHeadersSize.toBytes() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "ingress-gateway.listener.max-request-headers-size must be at least 64B, was "
                                + maxRequestHeadersSize);
            }
            if (maxConnectionsPerClientAddress < 0) {
                throw new IllegalArgumentException("ingress-gateway.listener.max-connections-per-client-address"
                        + " must be 0 (no limit) or positive, was " + maxConnectionsPerClientAddress);
            }
            if (maxWebsocketSessions < 1) {
                throw new IllegalArgumentException(
                        "ingress-gateway.listener.max-websocket-sessions must be positive, was "
                                + maxWebsocketSessions);
            }
        }

        private static void positive(String key, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("ingress-gateway.listener." + key + " must be positive, was "
                        + value);
            }
        }
    }

    /**
     * Event-loop threads. The public listener, the upstream client and the management server each get their own, so
     * that a flood on one never delays the others (Reactor Netty otherwise shares one group between all of them).
     *
     * @param gatewayThreads    I/O threads of the public listener; 0 for the number of available processors
     * @param upstreamThreads   I/O threads of the client to upstreams; 0 for the number of available processors
     * @param managementThreads I/O threads of the management server (probes, metrics; Actuator work itself runs off
     *                          the loop)
     */
    public record EventLoops(
            @DefaultValue("0") int gatewayThreads,
            @DefaultValue("0") int upstreamThreads,
            @DefaultValue("1") int managementThreads) {

        public EventLoops {
            if (gatewayThreads < 0 || upstreamThreads < 0 || managementThreads < 1) {
                throw new IllegalArgumentException("ingress-gateway.event-loops: gateway-threads and upstream-threads"
                        + " must be 0 (one per processor) or positive, management-threads positive");
            }
        }

        public int gatewayThreadCount() {
            return gatewayThreads == 0 ? Runtime.getRuntime().availableProcessors() : gatewayThreads;
        }

        public int upstreamThreadCount() {
            return upstreamThreads == 0 ? Runtime.getRuntime().availableProcessors() : upstreamThreads;
        }
    }

    /**
     * What happens between SIGTERM (the application context closing) and Spring's graceful stop of the listeners.
     *
     * @param drainPeriod how long the gateway keeps serving after readiness went down, so that endpoints controllers
     *                    and load balancers stop sending it new connections first; meanwhile each HTTP/1.1 answer
     *                    carries {@code Connection: close} and HTTP/2 connections get GOAWAY. 0 stops at once (no
     *                    drain). Counted within {@code spring.lifecycle.timeout-per-shutdown-phase}, which must be
     *                    longer
     */
    public record Shutdown(@DefaultValue("10s") Duration drainPeriod) {

        public Shutdown {
            if (drainPeriod.isNegative()) {
                throw new IllegalArgumentException("ingress-gateway.shutdown.drain-period must not be negative");
            }
        }
    }

    /**
     * @param checkInterval how often the watchdog hands each gateway event loop a no-op task
     * @param stallTimeout  how long a loop may leave that task waiting before liveness reports DOWN
     */
    public record Liveness(
            @DefaultValue("500ms") Duration checkInterval,
            @DefaultValue("10s") Duration stallTimeout) {

        public Liveness {
            if (checkInterval.isNegative() || checkInterval.isZero()) {
                throw new IllegalArgumentException("ingress-gateway.liveness.check-interval must be positive");
            }
            if (stallTimeout.compareTo(checkInterval) <= 0) {
                throw new IllegalArgumentException(
                        "ingress-gateway.liveness.stall-timeout must be longer than check-interval");
            }
        }
    }

    /**
     * Default guards of each upstream (a backend Service port as used by one Ingress). See README for the reasoning
     * behind each default.
     *
     * @param connectTimeout         time allowed to open a connection to an endpoint; exceeded answers 504
     * @param readTimeout            time allowed between two reads of the upstream's response (so also until its
     *                               first byte); exceeded answers 504
     * @param maxConcurrentRequests  in-flight requests per upstream (the bulkhead); one more answers 503 at once
     * @param retries                retries of a request whose upstream failed before answering, each to another
     *                               endpoint: idempotent requests without body, and any request without body whose
     *                               connection could not be opened
     * @param retryAfter             the {@code Retry-After} sent with a bulkhead or connection-pool 503 (an open
     *                               circuit sends its {@code wait-duration-in-open-state})
     * @param circuitBreaker         when the upstream is considered broken and answered for by the gateway
     * @param upstreamPool           bounds of the connection pool to each endpoint
     * @param sendTimeout            longest the request may wait, with bytes ready, for the upstream to take any of
     *                               them (nginx's {@code proxy_send_timeout}); exceeded answers 504
     */
    public record Resilience(
            @DefaultValue("5s") Duration connectTimeout,
            @DefaultValue("60s") Duration readTimeout,
            @DefaultValue("1024") int maxConcurrentRequests,
            @DefaultValue("2") int retries,
            @DefaultValue("1s") Duration retryAfter,
            @DefaultValue CircuitBreaker circuitBreaker,
            @DefaultValue UpstreamPool upstreamPool,
            @DefaultValue("60s") Duration sendTimeout) {

        /**
         * A count-based circuit breaker per upstream.
         *
         * @param failureRateThreshold           percent of failed calls (connect errors, timeouts, 502/503/504) that
         *                                       opens the circuit
         * @param slowCallDurationThreshold      a call whose response starts later than this is slow
         * @param slowCallRateThreshold          percent of slow calls that opens the circuit
         * @param slidingWindowSize              number of most recent calls the rates are computed over
         * @param minimumNumberOfCalls           calls needed before the rates are considered
         * @param waitDurationInOpenState        how long an open circuit answers 503 before letting probes through (as
         *                                       nginx's {@code fail_timeout})
         * @param permittedCallsInHalfOpenState  probe calls allowed while half-open
         */
        public record CircuitBreaker(
                @DefaultValue("50") float failureRateThreshold,
                @DefaultValue("10s") Duration slowCallDurationThreshold,
                @DefaultValue("80") float slowCallRateThreshold,
                @DefaultValue("100") int slidingWindowSize,
                @DefaultValue("20") int minimumNumberOfCalls,
                @DefaultValue("10s") Duration waitDurationInOpenState,
                @DefaultValue("5") int permittedCallsInHalfOpenState) {
        }

        /**
         * The upstream connection pool, per endpoint address. Requests wait for a connection only in a bounded queue
         * and for a bounded time; past either they answer 503.
         *
         * @param maxConnections        connections to one endpoint
         * @param maxPendingAcquires    requests waiting for a connection to one endpoint; one more answers 503
         * @param pendingAcquireTimeout how long a request waits for a connection; then 503
         */
        public record UpstreamPool(
                @DefaultValue("1024") int maxConnections,
                @DefaultValue("256") int maxPendingAcquires,
                @DefaultValue("1s") Duration pendingAcquireTimeout) {
        }
    }

    /**
     * Request bodies of routes whose Ingress sets no {@code proxy-body-size}, {@code client-body-buffer-size} or
     * {@code proxy-request-buffering}: ingress-nginx's defaults.
     *
     * @param maxSize    largest request body of a route whose Ingress sets no {@code proxy-body-size} (ingress-nginx's
     *                   {@code 1m}, nginx {@code client_max_body_size}); larger is answered 413 before the upstream is
     *                   contacted; 0 for no limit
     * @param bufferSize the default {@code client-body-buffer-size}: with buffering on, how much of a body is read
     *                   before the upstream is contacted (nginx {@code client_body_buffer_size}); a longer body is
     *                   streamed past it. 1B to 16MB
     * @param buffering  the default {@code proxy-request-buffering} (ingress-nginx: {@code on}): whether bodies are
     *                   read (up to {@code buffer-size}) before the upstream is contacted (nginx
     *                   {@code proxy_request_buffering})
     */
    public record RequestBody(
            @DefaultValue("1MB") DataSize maxSize,
            @DefaultValue("8KB") DataSize bufferSize,
            @DefaultValue("true") boolean buffering) {

        public RequestBody {
            if (maxSize.isNegative()) {
                throw new IllegalArgumentException("ingress-gateway.request-body.max-size must be 0 (no limit) or"
                        + " positive, was " + maxSize);
            }
            if (bufferSize.toBytes() < 1 || bufferSize.toBytes() > 16L * 1024 * 1024) {
                throw new IllegalArgumentException("ingress-gateway.request-body.buffer-size must be 1B..16MB, was "
                        + bufferSize);
            }
        }
    }

    /**
     * The per-replica rate limits an Ingress asks for with {@code limit-rps}, {@code limit-rpm} and
     * {@code limit-connections}.
     *
     * @param limitReqStatusCode  status of a request over its Ingress's {@code limit-rps}/{@code limit-rpm}
     *                            (ingress-nginx's {@code limit-req-status-code}, 503 by default); a known status from
     *                            400 to 599, e.g. 429
     * @param limitConnStatusCode status of a request over its Ingress's {@code limit-connections} (ingress-nginx's
     *                            {@code limit-conn-status-code}, 503 by default); a known status from 400 to 599
     * @param maxClientStates     (Ingress, client address) request-rate states a replica keeps at most (a few hundred
     *                            bytes each); idle ones are dropped as soon as they would read as new anyway, and past
     *                            the bound the least used go first (their clients start afresh, forgiven at most one
     *                            burst)
     */
    public record RateLimits(
            @DefaultValue("503") int limitReqStatusCode,
            @DefaultValue("503") int limitConnStatusCode,
            @DefaultValue("100000") long maxClientStates) {

        public RateLimits {
            errorStatus("limit-req-status-code", limitReqStatusCode);
            errorStatus("limit-conn-status-code", limitConnStatusCode);
            if (maxClientStates < 1) {
                throw new IllegalArgumentException("ingress-gateway.rate-limits.max-client-states must be positive,"
                        + " was " + maxClientStates);
            }
        }

        private static void errorStatus(String key, int status) {
            if (status < 400 || status > 599 || org.springframework.http.HttpStatus.resolve(status) == null) {
                throw new IllegalArgumentException("ingress-gateway.rate-limits." + key
                        + " must be a known HTTP status from 400 to 599, was " + status);
            }
        }
    }

    /**
     * ExternalName Services as backends. Off by default: whoever may write a Service and an Ingress could otherwise
     * make the gateway connect to its own loopback, the cloud metadata service or another namespace's Service.
     *
     * @param enabled      whether a backend Service of type ExternalName is served (off: its paths answer 503 and
     *                     the Ingress gets a warning; see docs/security.md)
     * @param deniedCidrs  CIDR blocks an ExternalName may not lead to, besides loopback, link-local, unspecified and
     *                     the gateway's own addresses (which are always refused): set the cluster's pod and Service
     *                     CIDRs. Checked after DNS resolution on every new upstream connection (502 when refused)
     * @param allowedCidrs CIDR blocks an ExternalName may lead to even when a rule of {@code denied-cidrs} or the
     *                     built-in refusals refuses them: the operator's exceptions
     */
    public record ExternalNameServices(
            @DefaultValue("false") boolean enabled,
            @DefaultValue List<String> deniedCidrs,
            @DefaultValue List<String> allowedCidrs) {
    }

    /**
     * @param enabled            whether the HTTPS listener runs, and with it HTTP to HTTPS redirects and HSTS
     * @param port               port of the HTTPS listener (0 picks a free one)
     * @param defaultCertificate {@code namespace/name} of a TLS Secret served for unknown or missing SNI and for hosts
     *                           whose Secret is unusable; empty for a self-signed certificate generated at start.
     *                           Must be in a watched namespace
     * @param protocols          enabled TLS protocol versions
     * @param ciphers            enabled cipher suites, JDK names ({@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}, ...);
     *                           empty for the built-in modern list (TLS 1.3's suites, then ECDHE with AES-GCM or
     *                           ChaCha20-Poly1305)
     * @param handshakeTimeout   time a client gets to complete its TLS handshake
     * @param redirectPort       HTTPS port as clients see it, used in redirects (443 is left out of the URL) and sent
     *                           upstream as {@code X-Forwarded-Port} of HTTPS requests
     * @param redirectCode       status of the HTTP to HTTPS redirect (301, 302, 307 or 308)
     * @param hsts               the Strict-Transport-Security header on HTTPS responses of hosts with TLS
     * @param http2              limits of HTTP/2 connections on the HTTPS listener
     */
    public record Tls(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("8443") int port,
            @DefaultValue("") String defaultCertificate,
            @DefaultValue({"TLSv1.3", "TLSv1.2"}) List<String> protocols,
            @DefaultValue List<String> ciphers,
            @DefaultValue("10s") Duration handshakeTimeout,
            @DefaultValue("443") int redirectPort,
            @DefaultValue("308") int redirectCode,
            @DefaultValue Hsts hsts,
            @DefaultValue Http2 http2) {

        /**
         * @param enabled           whether {@code Strict-Transport-Security} is sent on HTTPS responses of hosts with
         *                          TLS
         * @param maxAge            its {@code max-age}: how long browsers remember to use HTTPS only (the default is
         *                          182 days)
         * @param includeSubdomains whether the policy covers subdomains ({@code includeSubDomains})
         * @param preload           whether to ask for inclusion in browsers' preload lists ({@code preload})
         */
        public record Hsts(
                @DefaultValue("true") boolean enabled,
                @DefaultValue("15724800s") Duration maxAge,
                @DefaultValue("true") boolean includeSubdomains,
                @DefaultValue("false") boolean preload) {
        }

        /**
         * Limits of each HTTP/2 connection. A client past a flood limit gets GOAWAY (ENHANCE_YOUR_CALM) and its
         * connection is closed; its other streams end with it, no other connection is affected.
         *
         * @param maxConcurrentStreams      streams a client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS,
         *                                  nginx's default); one more is refused with RST_STREAM REFUSED_STREAM
         * @param maxHeaderListSize         decoded size of one request's header list (SETTINGS_MAX_HEADER_LIST_SIZE,
         *                                  names, values and 32 bytes per field); larger is answered 431
         * @param maxResetsPerWindow        RST_STREAM frames a client may send in one flood window (rapid reset,
         *                                  CVE-2023-44487), and that the gateway may be made to send (CVE-2025-55163);
         *                                  past it GOAWAY and close; 0 turns the limit off
         * @param maxControlFramesPerWindow PING and SETTINGS frames a client may send in one flood window; past it
         *                                  GOAWAY and close; 0 turns the limit off
         * @param floodWindow               the window the two flood limits count in (whole seconds, at least 1s)
         */
        public record Http2(
                @DefaultValue("128") int maxConcurrentStreams,
                @DefaultValue("32KB") DataSize maxHeaderListSize,
                @DefaultValue("200") int maxResetsPerWindow,
                @DefaultValue("200") int maxControlFramesPerWindow,
                @DefaultValue("30s") Duration floodWindow) {

            public Http2 {
                if (maxConcurrentStreams < 1) {
                    throw new IllegalArgumentException(
                            "ingress-gateway.tls.http2.max-concurrent-streams must be positive, was "
                                    + maxConcurrentStreams);
                }
                // RFC 9113 allows any 32-bit value; below a few KiB ordinary browser requests would be refused.
                if (maxHeaderListSize.toBytes() < 1024 || maxHeaderListSize.toBytes() > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(
                            "ingress-gateway.tls.http2.max-header-list-size must be 1KB..2GB, was "
                                    + maxHeaderListSize);
                }
                if (maxResetsPerWindow < 0 || maxControlFramesPerWindow < 0) {
                    throw new IllegalArgumentException("ingress-gateway.tls.http2.max-resets-per-window and"
                            + " max-control-frames-per-window must be 0 (off) or positive");
                }
                if (floodWindow.toSeconds() < 1) {
                    throw new IllegalArgumentException(
                            "ingress-gateway.tls.http2.flood-window must be at least 1s, was " + floodWindow);
                }
            }
        }
    }

    /**
     * Who the client is, as ingress-nginx's ConfigMap keys of the same names decide it. Every per-client feature (allow
     * and deny lists, rate limits, {@code X-Forwarded-For} and {@code X-Real-IP} sent upstream) sees the address
     * resolved from these.
     *
     * @param useProxyProtocol        the public listeners (HTTP and HTTPS) expect a PROXY protocol header (v1 or v2) at
     *                                the start of every connection, as a TCP load balancer sends it, whose source
     *                                address is the client's (README, "Client address"); a connection without one is
     *                                closed. ingress-nginx {@code use-proxy-protocol}
     * @param useForwardedHeaders     believe {@code forwarded-for-header}, {@code X-Forwarded-Proto},
     *                                {@code X-Forwarded-Host} and {@code X-Forwarded-Port} when they come from a
     *                                trusted proxy ({@code proxy-real-ip-cidr}); never from anyone else. ingress-nginx
     *                                {@code use-forwarded-headers}
     * @param forwardedForHeader      the header carrying the client's address through the proxies in front.
     *                                ingress-nginx {@code forwarded-for-header}
     * @param computeFullForwardedFor with trusted forwarded headers, send upstream the incoming {@code X-Forwarded-For}
     *                                chain with the proxy's address appended, instead of the client's address alone.
     *                                ingress-nginx {@code compute-full-forwarded-for}
     * @param proxyRealIpCidr         the trusted proxies' addresses (CIDR blocks or addresses). Empty: no forwarded
     *                                header is believed (ingress-nginx's default {@code 0.0.0.0/0} would let any
     *                                client choose its address), while a PROXY header is believed from any peer (every
     *                                connection must carry one, so the listener is behind the load balancer); set, a
     *                                PROXY header is believed only from these peers too. Invalid entries stop the
     *                                gateway at start
     */
    public record ClientAddress(
            @DefaultValue("false") boolean useProxyProtocol,
            @DefaultValue("false") boolean useForwardedHeaders,
            @DefaultValue("X-Forwarded-For") String forwardedForHeader,
            @DefaultValue("false") boolean computeFullForwardedFor,
            @DefaultValue List<String> proxyRealIpCidr) {

        public ClientAddress {
            if (forwardedForHeader == null || !forwardedForHeader.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                throw new IllegalArgumentException(
                        "ingress-gateway.client-address.forwarded-for-header must be a header name, was '"
                                + forwardedForHeader + "'");
            }
            proxyRealIpCidr = List.copyOf(proxyRealIpCidr);
        }
    }

    /**
     * The global allow and deny lists (ingress-nginx's ConfigMap {@code whitelist-source-range} and
     * {@code denylist-source-range}): CIDR blocks or addresses. An Ingress's own list of either kind replaces the
     * global one of that kind. Empty: every client may use every route.
     *
     * @param allowlist the global allow list (CIDR blocks or addresses): only these clients may use a route whose
     *                  Ingress sets no {@code allowlist-source-range}; 403 otherwise. ingress-nginx ConfigMap
     *                  {@code whitelist-source-range}. Invalid entries stop the gateway at start
     * @param denylist  the global deny list (CIDR blocks or addresses): these clients may use no route whose Ingress
     *                  sets no {@code denylist-source-range} (403), whatever the allow list says. ingress-nginx
     *                  ConfigMap {@code denylist-source-range}. Invalid entries stop the gateway at start
     */
    public record SourceRanges(@DefaultValue List<String> allowlist, @DefaultValue List<String> denylist) {

        public SourceRanges {
            allowlist = List.copyOf(allowlist);
            denylist = List.copyOf(denylist);
        }
    }

    /**
     * ingress-nginx's {@code global-rate-limit} annotations, counted in Redis (ingress-nginx used memcached) so that
     * every replica enforces one limit together. Without {@code redis.url} nothing connects to Redis and Ingresses
     * asking for a global limit are served without it, with a warning.
     *
     * @param redis       where the counters are
     * @param failureMode what a request gets when Redis cannot answer in time: {@code open} (served without the
     *                    limit, as ingress-nginx does) or {@code closed} (refused with 503)
     * @param statusCode  the status of a request over its global limit (ingress-nginx's
     *                    {@code global-rate-limit-status-code}, 429 by default); a known 4xx or 5xx
     * @param keyPrefix   prefix of every Redis key written
     *                    ({@code <prefix><namespace>/<ingress>:<window ms>:<key value>}), so several installations
     *                    can share one Redis
     */
    public record GlobalRateLimit(
            @DefaultValue Redis redis,
            @DefaultValue("open") FailureMode failureMode,
            @DefaultValue("429") int statusCode,
            @DefaultValue("ingress-gateway:global-rate-limit:") String keyPrefix) {

        public enum FailureMode { OPEN, CLOSED }

        public GlobalRateLimit {
            if (statusCode < 400 || statusCode > 599 || HttpStatus.resolve(statusCode) == null) {
                throw new IllegalArgumentException("ingress-gateway.global-rate-limit.status-code must be a known 4xx"
                        + " or 5xx status, was " + statusCode);
            }
        }

        /**
         * @param url              the Redis of the {@code global-rate-limit} annotations:
         *                         {@code redis://[[user]:password@]host[:port][/database]}, {@code rediss://} for TLS,
         *                         or {@code redis-sentinel://} (Redis Cluster is not supported). Empty: nothing
         *                         connects to Redis, and Ingresses asking for a global limit are served without it,
         *                         with a warning
         * @param password         Redis password; overrides one in the URL, so it can come from a Secret through an
         *                         environment variable ({@code INGRESSGATEWAY_GLOBALRATELIMIT_REDIS_PASSWORD})
         * @param connectTimeout   longest wait for a connection to Redis
         * @param operationTimeout longest a limited request waits for Redis's answer (ingress-nginx gave memcached
         *                         50 ms) before the failure mode applies: a slow Redis must not stall requests
         * @param maxReconnectDelay the longest pause between two attempts to reach an unreachable Redis (attempts start
         *                         quickly and back off to it)
         */
        public record Redis(
                @DefaultValue("") String url,
                @DefaultValue("") String password,
                @DefaultValue("1s") Duration connectTimeout,
                @DefaultValue("100ms") Duration operationTimeout,
                @DefaultValue("5s") Duration maxReconnectDelay) {

            /** Whether a Redis is configured at all. */
            public boolean configured() {
                return url != null && !url.isBlank();
            }
        }
    }

    /**
     * The client external authentication ({@code auth-url}) asks auth services with, and its answer cache. Its pool is
     * its own, apart from the upstreams'.
     *
     * @param connectTimeout  bound on connecting to an auth service ({@code auth-url}); past it the request is
     *                        answered 500
     * @param timeout         bound on one auth exchange, waiting for a pooled connection included; past it 500
     * @param maxConnections  connections to all auth services together, in a pool apart from the upstreams' (further
     *                        requests wait within {@code timeout})
     * @param cacheMaxEntries auth answers kept for {@code auth-cache-key} at most, least recently used dropped first;
     *                        0 turns the cache off
     */
    public record ExternalAuth(
            @DefaultValue("5s") Duration connectTimeout,
            @DefaultValue("10s") Duration timeout,
            @DefaultValue("256") int maxConnections,
            @DefaultValue("10000") int cacheMaxEntries) {

        public ExternalAuth {
            if (connectTimeout.isNegative() || connectTimeout.isZero() || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("ingress-gateway.external-auth.connect-timeout and timeout must be"
                        + " positive, were " + connectTimeout + " and " + timeout);
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("ingress-gateway.external-auth.max-connections must be at least 1,"
                        + " was " + maxConnections);
            }
            if (cacheMaxEntries < 0) {
                throw new IllegalArgumentException("ingress-gateway.external-auth.cache-max-entries must be 0 or more,"
                        + " was " + cacheMaxEntries);
            }
        }
    }

    /**
     * Password checks of basic auth. bcrypt is slow on purpose (tens of milliseconds per check), so checks run on
     * worker threads of their own, never on the event loops, and a successful check is remembered.
     *
     * @param verifiedCacheEntries how many successful (Secret, user, password) checks are remembered (a salted hash of
     *                             each, never the password), least recently used first out, so a client's repeated
     *                             credentials cost one bcrypt check; 0 checks every request
     * @param verifyQueue          how many checks may wait for a worker thread (one per core); beyond that a request
     *                             is answered 503 rather than queue without bound
     */
    public record BasicAuth(
            @DefaultValue("10000") int verifiedCacheEntries,
            @DefaultValue("256") int verifyQueue) {

        public BasicAuth {
            if (verifiedCacheEntries < 0 || verifiedCacheEntries > 10_000_000) {
                throw new IllegalArgumentException("ingress-gateway.basic-auth.verified-cache-entries must be"
                        + " 0..10000000, was " + verifiedCacheEntries);
            }
            if (verifyQueue < 1 || verifyQueue > 1_000_000) {
                throw new IllegalArgumentException("ingress-gateway.basic-auth.verify-queue must be 1..1000000, was "
                        + verifyQueue);
            }
        }
    }

    /**
     * The access log: a line per request on the public listeners, queued by the event loop that served it and
     * written by one thread of its own to the logger {@code ingress-gateway.access-log} (stdout, the bare line, unless
     * the logging configuration gives that logger appenders of its own).
     *
     * @param format    {@code off} (no line, and no cost on the request path), {@code text} (ingress-nginx's
     *                  {@code upstreaminfo} line) or {@code json} (the same fields as one JSON object, plus namespace,
     *                  Ingress and Service)
     * @param queueSize lines waiting to be written; a line past it is dropped and counted
     *                  ({@code ingress_gateway_access_log_dropped_total}), the request never waits
     */
    public record AccessLog(
            @DefaultValue("off") AccessLogFormat format,
            @DefaultValue("16384") int queueSize) {

        public enum AccessLogFormat { OFF, TEXT, JSON }

        public AccessLog {
            if (queueSize < 1 || queueSize > 10_000_000) {
                throw new IllegalArgumentException("ingress-gateway.access-log.queue-size must be 1..10000000, was "
                        + queueSize);
            }
        }
    }
}
