package io.ingressgateway.tls;

import io.ingressgateway.model.HostMatch;
import io.netty.util.AttributeKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What an HTTPS connection was established with: the server name the client asked for (SNI) and the DNS names of the
 * certificate it was given. Recorded once, when the handshake completes, on the connection's channel; read by each
 * request of the connection (on the connection's event loop, so without synchronisation).
 */
final class ConnectionTls {

    static final AttributeKey<ConnectionTls> KEY = AttributeKey.valueOf(ConnectionTls.class, "connectionTls");

    private final String serverName;
    private final List<HostMatch> certificateNames;
    /** The last request host looked at and whether the certificate covers it: a connection rarely serves two. */
    private String lastHost;
    private boolean lastCovered;

    ConnectionTls(String serverName, List<String> certificateNames) {
        this.serverName = normalise(serverName);
        this.certificateNames = certificateNames.stream().map(HostMatch::of).toList();
    }

    /** From the server certificate the handshake sent (the leaf first); null or empty for none. */
    static ConnectionTls of(String serverName, Certificate[] localCertificates) {
        List<String> names = new ArrayList<>();
        if (localCertificates != null && localCertificates.length > 0
                && localCertificates[0] instanceof X509Certificate leaf) {
            try {
                var alternatives = leaf.getSubjectAlternativeNames();
                if (alternatives != null) {
                    for (List<?> alternative : alternatives) {
                        // Type 2 is dNSName (RFC 5280). Browsers match only these, never the common name.
                        if (alternative.size() >= 2 && Integer.valueOf(2).equals(alternative.get(0))) {
                            names.add(String.valueOf(alternative.get(1)).toLowerCase(Locale.ROOT));
                        }
                    }
                }
            } catch (CertificateParsingException e) {
                // Unreadable names cover nothing: a request for another TLS host is then misdirected.
            }
        }
        return new ConnectionTls(serverName, names);
    }

    /** The SNI name, lower case without a trailing dot; null when the client sent none. */
    String serverName() {
        return serverName;
    }

    /** Whether a client would accept this connection's certificate for {@code host} (lower case, no port). */
    boolean covers(String host) {
        if (host.equals(lastHost)) {
            return lastCovered;
        }
        boolean covered = false;
        for (HostMatch name : certificateNames) {
            if (name.kind() != HostMatch.Kind.ANY && name.matches(host)) {
                covered = true;
                break;
            }
        }
        lastHost = host;
        lastCovered = covered;
        return covered;
    }

    static String normalise(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        String name = host.toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
