package io.ingressgateway.model.policy;

/**
 * How the gateway speaks to the upstream pods of a route, from its Ingress's {@code backend-protocol} annotation (the
 * backend protocol family). Routes whose Ingress sets nothing, or sets {@code HTTP}, carry no such policy and keep the
 * plain HTTP/1.1 client.
 *
 * @param protocol the protocol towards the upstream
 */
public record BackendProtocolPolicy(Protocol protocol) implements RoutePolicy {

    /** The protocols ingress-nginx's {@code backend-protocol} names that the gateway serves. */
    public enum Protocol {
        /** HTTP/1.1 in cleartext: the default. */
        HTTP(false, false),
        /** HTTP/1.1 over TLS. */
        HTTPS(true, false),
        /** gRPC: HTTP/2 in cleartext, with prior knowledge (h2c). */
        GRPC(false, true),
        /** gRPC over TLS: HTTP/2 negotiated with ALPN (h2). */
        GRPCS(true, true);

        private final boolean secure;
        private final boolean grpc;

        Protocol(boolean secure, boolean grpc) {
            this.secure = secure;
            this.grpc = grpc;
        }

        /** Whether the upstream is reached over TLS. */
        public boolean secure() {
            return secure;
        }

        /** Whether it is gRPC over HTTP/2, whose request bodies are streams and are never buffered. */
        public boolean grpc() {
            return grpc;
        }
    }

    public BackendProtocolPolicy {
        if (protocol == null) {
            throw new IllegalArgumentException("a backend protocol policy needs a protocol");
        }
    }

    /** The scheme of the upstream URL of a route with this policy (or none): {@code https} over TLS, else {@code http}. */
    public static String scheme(BackendProtocolPolicy policy) {
        return policy != null && policy.protocol().secure() ? "https" : "http";
    }

    /** Whether a route with this policy (or none) streams request bodies to its upstream as they come: gRPC. */
    public static boolean streamsRequestBodies(BackendProtocolPolicy policy) {
        return policy != null && policy.protocol().grpc();
    }
}
