package io.ingressgateway.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager of a handshake that asks the client for a certificate: it names the host's CAs as the acceptable
 * issuers (browsers offer their user only certificates from those) and accepts whatever the client presents. The
 * check is made once the request's host is known, by {@code ClientCertificateFilter}, as nginx checks after its
 * handshake: a missing or failing certificate is then a 400 (or the Ingress's error page, or, where the Ingress
 * allows it, a request that goes on with the result in {@code ssl-client-verify}), never a failed handshake a browser
 * shows as a broken connection. The client still proves it holds the certificate's key in the handshake itself.
 */
final class ClientCertificateRequest extends X509ExtendedTrustManager {

    private final X509Certificate[] issuers;

    ClientCertificateRequest(List<X509Certificate> issuers) {
        this.issuers = issuers.toArray(X509Certificate[]::new);
    }

    /** SHA-256 over the encoded CA certificates: equal for equal sets in equal order. */
    static String fingerprint(List<X509Certificate> issuers) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (X509Certificate issuer : issuers) {
                digest.update(issuer.getEncoded());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (GeneralSecurityException e) {
            // SHA-256 is in every JDK, and the certificates were decoded from their encoding.
            throw new IllegalStateException(e);
        }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return issuers.clone();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // Checked per request, against the request's host (see the class comment).
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // As above.
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // As above.
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        throw new UnsupportedOperationException("a server's trust manager checks no server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        throw new UnsupportedOperationException("a server's trust manager checks no server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        throw new UnsupportedOperationException("a server's trust manager checks no server");
    }
}
