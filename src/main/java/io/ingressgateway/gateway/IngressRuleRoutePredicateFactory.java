package io.ingressgateway.gateway;

import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.springframework.cloud.gateway.handler.predicate.AbstractRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.GatewayPredicate;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@code IngressRule}: matches one Ingress rule's hosts and path with Kubernetes semantics (one-label wildcards,
 * element-wise prefixes). Requests are normally routed by the index in {@link IngressRouteHandlerMapping}; this
 * predicate keeps each route meaningful on its own (a stock scan, the actuator's view).
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
        return predicate(config);
    }

    /** The predicate for a configuration, without any binding: what {@link IngressRouteLocator} builds routes with. */
    static GatewayPredicate predicate(Config config) {
        List<HostMatch> hosts = Arrays.stream(config.getHosts().split(","))
                .map(String::trim)
                .map(h -> h.equals("*") ? HostMatch.ANY : HostMatch.of(h))
                .toList();
        PathMatch path = new PathMatch(PathMatch.Type.valueOf(config.getPathType()), config.getPath());
        return new GatewayPredicate() {
            @Override
            public boolean test(ServerWebExchange exchange) {
                String host = RouteTable.normalizeHost(exchange.getRequest().getHeaders().getFirst(HttpHeaders.HOST));
                return hosts.stream().anyMatch(h -> h.matches(host))
                        && path.matches(RequestPath.normalize(exchange.getRequest().getPath().value()));
            }

            @Override
            public Object getConfig() {
                return config;
            }

            @Override
            public String toString() {
                return NAME + " hosts=" + config.getHosts() + " " + path;
            }
        };
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
