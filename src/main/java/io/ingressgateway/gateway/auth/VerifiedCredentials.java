package io.ingressgateway.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Credentials that passed a hash check recently, so a client sending them on every request costs one bcrypt check,
 * not one per request. Bounded (least recently used entries leave first), and keyed by a salted SHA-256 of the
 * credentials set's id, the user and the password: no password is kept, the salt is random per process, and a changed
 * Secret (a new credentials id) never matches an entry made under the old one.
 *
 * <p>Only successes are remembered: a wrong password is checked again each time (the bounded verifier queue, not this
 * cache, limits what that costs).
 */
final class VerifiedCredentials {

    private final int capacity;
    private final byte[] salt = new byte[32];
    private final Map<String, Boolean> entries;

    VerifiedCredentials(int capacity) {
        this.capacity = capacity;
        new SecureRandom().nextBytes(salt);
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > VerifiedCredentials.this.capacity;
            }
        };
    }

    /** The key credentials are remembered under. */
    String key(String credentialsId, String user, String password) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(salt);
            for (String part : new String[] {credentialsId, user, password}) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                // Length-prefixed, so no two different triples give the same input.
                sha256.update((byte) (bytes.length >>> 24));
                sha256.update((byte) (bytes.length >>> 16));
                sha256.update((byte) (bytes.length >>> 8));
                sha256.update((byte) bytes.length);
                sha256.update(bytes);
            }
            return java.util.HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    boolean contains(String key) {
        if (capacity <= 0) {
            return false;
        }
        synchronized (entries) {
            return entries.get(key) != null;
        }
    }

    void add(String key) {
        if (capacity <= 0) {
            return;
        }
        synchronized (entries) {
            entries.put(key, Boolean.TRUE);
        }
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
