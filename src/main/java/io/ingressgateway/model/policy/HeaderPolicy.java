package io.ingressgateway.model.policy;

import java.util.List;

/**
 * Headers a route changes on the request to its upstream and on its responses, as an Ingress's
 * {@code ingress-gateway.io/request-headers}, {@code response-headers}, {@code security-headers} and
 * {@code content-security-policy} annotations ask (the header policy family): first-class replacements for the
 * {@code proxy_set_header} and {@code more_set_headers} lines of nginx snippets. Names and values are validated when
 * read and applied as written, never interpreted.
 *
 * @param request  the operations on the request, in order
 * @param response the operations on every response of the route, in order (security preset, then the CSP, then the
 *                 Ingress's own {@code response-headers}, so an explicit line can override a preset)
 */
public record HeaderPolicy(List<HeaderOperation> request, List<HeaderOperation> response) implements RoutePolicy {

    public HeaderPolicy {
        request = List.copyOf(request);
        response = List.copyOf(response);
    }

    /** One change to a header. */
    public enum Action {
        /** Replace every value of the header with {@code value}. */
        SET,
        /** Add {@code value} beside the header's values, if any. */
        ADD,
        /** Drop the header. */
        REMOVE,
        /** Set the header only when it is absent (a preset leaves the application's own value alone). */
        DEFAULT
    }

    /**
     * One change: action, header name and value (null for {@link Action#REMOVE}).
     */
    public record HeaderOperation(Action action, String name, String value) {

        @Override
        public String toString() {
            return action.name().toLowerCase(java.util.Locale.ROOT) + " " + name + (value == null ? "" : ": " + value);
        }
    }
}
