package io.ingressgateway.model.policy;

import java.util.List;

/**
 * The extra host names an Ingress's {@code server-alias} annotation asks its rules' hosts to be served under, as
 * written (lower case, not yet checked as hosts: the translator checks each and makes the alias hosts' routes). The
 * data plane never reads it: alias hosts are ordinary virtual hosts in the route model.
 *
 * @param names      the aliases, in the order written, without duplicates
 * @param annotation the annotation key they were read from, for diagnostics
 */
public record ServerAliasPolicy(List<String> names, String annotation) implements RoutePolicy {

    public ServerAliasPolicy {
        names = List.copyOf(names);
    }
}
