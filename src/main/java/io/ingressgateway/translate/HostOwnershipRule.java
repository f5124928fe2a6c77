package io.ingressgateway.translate;

import java.util.List;

/**
 * One host ownership rule as the operator configures it: Ingresses in {@code namespaces} may claim {@code hosts}.
 *
 * @param namespaces namespace names, or {@code *} for every namespace
 * @param hosts      host patterns: an exact name ({@code shop.example.com}), {@code *.suffix} for every name under the
 *                   suffix at any depth and every wildcard host under it ({@code *.team-a.example.com}), or {@code *}
 *                   for every host, rules without a host and the catch-all default backend included
 */
public record HostOwnershipRule(List<String> namespaces, List<String> hosts) {

    public HostOwnershipRule {
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
    }
}
