package io.ingressgateway.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.apache.commons.codec.digest.Md5Crypt;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Checks a password against one htpasswd hash, with well-kept implementations: Spring Security's {@link BCrypt}
 * ({@code $2y$}, {@code $2a$}, {@code $2b$}), Commons Codec's {@link Md5Crypt} (Apache {@code $apr1$}, glibc
 * {@code $1$}) and {@link Sha2Crypt} ({@code $5$}, {@code $6$}), and SHA-1 for {@code {SHA}}. Hashes are compared in
 * constant time. The translator accepts only these formats; anything else never matches.
 *
 * <p>bcrypt (and the crypt formats, by their rounds) is slow on purpose: call this off the event loops.
 */
final class PasswordHashes {

    private PasswordHashes() {
    }

    static boolean matches(String hash, String password) {
        try {
            if (hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$")) {
                // BCrypt reads the first 72 bytes of a password, as Apache's htpasswd does; longer ones are refused
                // by Spring's checkpw, which then does not match.
                return BCrypt.checkpw(password, hash);
            }
            byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
            String computed;
            if (hash.startsWith("$apr1$")) {
                computed = Md5Crypt.apr1Crypt(bytes, hash);
            } else if (hash.startsWith("$1$")) {
                computed = Md5Crypt.md5Crypt(bytes, hash);
            } else if (hash.startsWith("$5$")) {
                computed = Sha2Crypt.sha256Crypt(bytes, hash);
            } else if (hash.startsWith("$6$")) {
                computed = Sha2Crypt.sha512Crypt(bytes, hash);
            } else if (hash.startsWith("{SHA}")) {
                computed = "{SHA}" + Base64.getEncoder().encodeToString(
                        MessageDigest.getInstance("SHA-1").digest(bytes));
            } else {
                return false;
            }
            return MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII),
                    hash.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException | NoSuchAlgorithmException e) {
            return false; // a hash the library cannot read, or a password bcrypt refuses: no match
        }
    }
}
