package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.Secret;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.BasicAuthPolicy;
import io.ingressgateway.source.AnnotationReferences;
import io.ingressgateway.translate.annotations.AnnotationReader;
import io.ingressgateway.translate.annotations.BasicAuthAnnotations;
import io.ingressgateway.translate.auth.Htpasswd;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts the users of an Ingress's {@code auth-secret} into its {@link BasicAuthPolicy}: an htpasswd file in the key
 * {@value #AUTH_FILE_KEY} ({@code auth-file}, the default) or a key per user ({@code auth-map}), from a Secret of any
 * type in the Ingress's own namespace (issue 13 asks for that namespace only; ingress-nginx's
 * {@code allow-cross-namespace-resources} is off by default too).
 *
 * <p>A Secret in another namespace, a missing one, or one without the {@value #AUTH_FILE_KEY} key denies the route
 * (503, as ingress-nginx denies such a location), never opens it. A malformed line only loses its own user: a warning
 * each, and the other users still log in.
 */
final class BasicAuthSecrets {

    static final String AUTH_FILE_KEY = "auth";

    private BasicAuthSecrets() {
    }

    /**
     * Whether what was read from an Ingress depends on the Secrets (and must be read again when they change): also when
     * its Secret was missing or unusable, so that its arrival or repair is seen.
     */
    static boolean readsSecrets(IngressRules.Extracted extracted) {
        BasicAuthPolicy policy = extracted.policies().get(BasicAuthPolicy.class);
        return policy != null && policy.secret() != null;
    }

    /** {@code extracted} with its basic auth policy's users read, and warnings for what cannot be used. */
    static IngressRules.Extracted resolve(IngressRules.Extracted extracted, Map<String, String> annotations,
                                          String namespace, TlsRules.Secrets secrets) {
        BasicAuthPolicy policy = extracted.policies().get(BasicAuthPolicy.class);
        if (policy == null || policy.problem() != null || policy.secret() == null) {
            return extracted;
        }
        List<Diagnostic> diagnostics = new ArrayList<>(extracted.diagnostics());
        String field = AnnotationReader.field(new AnnotationReader(annotations, diagnostics)
                .keyOf(BasicAuthAnnotations.SECRET));
        String name = AnnotationReferences.qualified(policy.secret(), namespace);
        BasicAuthPolicy resolved;
        String problem = null;
        if (!name.startsWith(namespace + "/")) {
            problem = "Secret " + name + " is not in the Ingress's namespace " + namespace
                    + "; only Secrets of the Ingress's own namespace are read";
            resolved = policy.unusable(problem);
        } else {
            Secret secret = secrets.find(name);
            Map<String, String> data = secret == null ? null : data(secret);
            if (secret == null) {
                problem = "Secret " + name + " not found";
                resolved = policy.unusable(problem);
            } else if (!policy.mapFormat() && !data.containsKey(AUTH_FILE_KEY)) {
                problem = "Secret " + name + " has no key '" + AUTH_FILE_KEY + "' (an htpasswd file, as"
                        + " auth-secret-type auth-file expects)";
                resolved = policy.unusable(problem);
            } else {
                Htpasswd.Users users = policy.mapFormat() ? Htpasswd.parseMap(data)
                        : Htpasswd.parseFile(data.get(AUTH_FILE_KEY));
                for (String skipped : users.problems()) {
                    diagnostics.add(Diagnostic.warning(field, "Secret " + name + ": " + skipped));
                }
                if (users.users().isEmpty()) {
                    diagnostics.add(Diagnostic.warning(field, "Secret " + name + " holds no usable user; every"
                            + " request of this Ingress is refused (401)"));
                }
                resolved = policy.withUsers(name, users.users(), users.digest());
            }
        }
        if (problem != null) {
            diagnostics.add(Diagnostic.warning(field, problem + "; every request of this Ingress is refused (503)"
                    + " rather than served without authentication"));
        }
        return new IngressRules.Extracted(extracted.candidates(), extracted.defaultUpstreamKey(), diagnostics,
                extracted.policies().with(resolved));
    }

    /** The Secret's keys with their values as text: {@code data} (base64) decoded, {@code stringData} as is. */
    private static Map<String, String> data(Secret secret) {
        Map<String, String> values = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((key, value) -> {
                if (key != null && value != null) {
                    try {
                        values.put(key, new String(Base64.getMimeDecoder().decode(value), StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException e) {
                        // Not base64: the API server never stores such a value; a manifest may. The key is unusable.
                    }
                }
            });
        }
        if (secret.getStringData() != null) {
            secret.getStringData().forEach((key, value) -> {
                if (key != null && value != null) {
                    values.put(key, value);
                }
            });
        }
        return values;
    }
}
