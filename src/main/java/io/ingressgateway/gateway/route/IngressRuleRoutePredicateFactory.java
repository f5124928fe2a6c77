package io.ingressgateway.gateway.route;

import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.reactivestreams.Publisher;
import org.springframework.cloud.gateway.handler.AsyncPredicate;
import org.springframework.cloud.gateway.handler.predicate.AbstractRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.GatewayPredicate;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code IngressRule}: matches one Ingress rule's hosts and path with Kubernetes semantics (one-label wildcards,
 * element-wise prefixes). Requests are normally routed by the route index; this predicate keeps each route meaningful
 * on its own (a stock scan, the actuator's view), and is available to routes configured in properties.
 */
@Component
public class IngressRuleRoutePredicateFactory
        extends AbstractRoutePredicateFactory<IngressRuleRoutePredicateFactory.Config> {

    public static final String NAME = "IngressRule";
    static final String HOSTS_ARG = "hosts";
    static final String PATH_TYPE_ARG = "pathType";
    static final String PATH_ARG = "path";

    public IngressRuleRoutePredicateFactory() {
        super(Config.class);
    }

    @Override
    public List<String> shortcutFieldOrder() {
        return List.of(HOSTS_ARG, PATH_TYPE_ARG, PATH_ARG);
    }

    @Override
    public Predicate<ServerWebExchange> apply(Config config) {
        List<HostMatch> hosts = Arrays.stream(config.getHosts().split(","))
                .map(String::trim)
                .map(h -> h.equals("*") ? HostMatch.ANY : HostMatch.of(h))
                .toList();
        IngressRulePredicate predicate = new IngressRulePredicate(hosts,
                new PathMatch(PathMatch.Type.valueOf(config.getPathType()), config.getPath()));
        return new GatewayPredicate() {
            @Override
            public boolean test(ServerWebExchange exchange) {
                return predicate.test(exchange);
            }

            @Override
            public Object getConfig() {
                return config;
            }

            @Override
            public String toString() {
                return predicate.toString();
            }
        };
    }

    /**
     * The predicate of a route made from the route model, built from typed hosts and path without any binding. Being
     * of this class is also what tells a route made from the model from any other route.
     */
    public static final class IngressRulePredicate implements AsyncPredicate<ServerWebExchange> {

        private final List<HostMatch> hosts;
        private final PathMatch path;
        /** A regular-expression path's expression, compiled once; null for other paths. */
        private final com.google.re2j.Pattern regex;
        private final Config config;

        public IngressRulePredicate(List<HostMatch> hosts, PathMatch path) {
            this.hosts = List.copyOf(hosts);
            this.path = path;
            this.regex = path.type() == PathMatch.Type.REGEX ? path.regex() : null;
            this.config = new Config(String.join(",", hosts.stream().map(HostMatch::toString).toList()), path);
        }

        public boolean test(ServerWebExchange exchange) {
            String host = RequestHost.normalize(exchange.getRequest().getHeaders().getFirst(HttpHeaders.HOST));
            String requestPath = RequestPath.normalize(exchange.getRequest().getPath().value());
            // A refused path (null) matches no rule; the public listener answers it 400 before any lookup.
            return requestPath != null && hosts.stream().anyMatch(h -> h.matches(host))
                    && (regex != null ? regex.matcher(requestPath).find() : path.matches(requestPath));
        }

        @Override
        public Publisher<Boolean> apply(ServerWebExchange exchange) {
            return Mono.just(test(exchange));
        }

        @Override
        public Object getConfig() {
            return config;
        }

        @Override
        public void accept(org.springframework.cloud.gateway.support.Visitor visitor) {
            visitor.visit(this);
        }

        @Override
        public String toString() {
            return NAME + " hosts=" + config.getHosts() + " " + path;
        }
    }

    public static class Config {

        public Config() {
        }

        Config(String hosts, PathMatch path) {
            this.hosts = hosts;
            this.pathType = path.type().name();
            this.path = path.path();
        }

        /** Comma-separated host patterns; {@code *} is any host. */
        private String hosts = "*";
        private String pathType = PathMatch.Type.PREFIX.name();
        private String path = "/";

        public String getHosts() {
            return hosts;
        }

        public void setHosts(String hosts) {
            this.hosts = hosts;
        }

        public String getPathType() {
            return pathType;
        }

        public void setPathType(String pathType) {
            this.pathType = pathType;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }
    }
}
