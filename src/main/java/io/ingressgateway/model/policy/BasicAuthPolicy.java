package io.ingressgateway.model.policy;

import java.util.Map;
import java.util.Objects;

/**
 * HTTP basic authentication of a route, from its Ingress's {@code auth-type: basic}, {@code auth-secret},
 * {@code auth-secret-type} and {@code auth-realm} (the basic auth family), with the users of the Secret already read
 * by the translator: the data plane only checks a request's credentials against {@link #users}.
 *
 * <p>A policy with a {@link #problem} serves nothing: every request of the route is answered 503, as ingress-nginx
 * denies a location whose authentication cannot be set up (a missing Secret, {@code auth-type} without a usable
 * Secret, {@code digest}). The route is never served without authentication.
 *
 * @param realm         the realm sent in {@code WWW-Authenticate: Basic realm="..."} (may be empty)
 * @param secret        {@code namespace/name} of the Secret as resolved against the Ingress's namespace, or the value
 *                      as written until the translator resolved it; null when none was named
 * @param mapFormat     whether the Secret is an {@code auth-map} (a key per user) rather than an {@code auth-file}
 *                      (htpasswd lines in the key {@code auth})
 * @param users         user name to password hash (htpasswd hash formats); empty until the translator read the Secret
 * @param credentialsId identifies the content of {@link #users} (a digest): verifications the data plane remembers are
 *                      kept under it, so a changed Secret never reuses one
 * @param problem       why the route cannot be authenticated (every request is then answered 503), or null
 */
public record BasicAuthPolicy(String realm, String secret, boolean mapFormat, Map<String, String> users,
                              String credentialsId, String problem) implements RoutePolicy {

    public BasicAuthPolicy {
        realm = Objects.requireNonNullElse(realm, "");
        users = Map.copyOf(users);
        credentialsId = Objects.requireNonNullElse(credentialsId, "");
    }

    /** The same policy refusing every request (503) for {@code why}. */
    public BasicAuthPolicy unusable(String why) {
        return new BasicAuthPolicy(realm, secret, mapFormat, Map.of(), "", why);
    }

    /** The same policy with the users read from its Secret. */
    public BasicAuthPolicy withUsers(String resolvedSecret, Map<String, String> readUsers, String id) {
        return new BasicAuthPolicy(realm, resolvedSecret, mapFormat, readUsers, id, null);
    }

    /** Never the hashes. */
    @Override
    public String toString() {
        return "BasicAuthPolicy[realm=" + realm + ", secret=" + secret + ", users=" + users.size()
                + (problem == null ? "" : ", problem=" + problem) + "]";
    }
}
