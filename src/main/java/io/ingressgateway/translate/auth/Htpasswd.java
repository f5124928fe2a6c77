package io.ingressgateway.translate.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads basic auth users from an htpasswd file ({@code user:hash} lines, as {@code auth-secret-type: auth-file}) or from
 * a map of user to hash ({@code auth-map}), accepting the hash formats the data plane can check: bcrypt
 * ({@code $2y$}, {@code $2a$}, {@code $2b$}), Apache's MD5 ({@code $apr1$}), {@code {SHA}} and the glibc crypt
 * formats MD5 ({@code $1$}), SHA-256 ({@code $5$}) and SHA-512 ({@code $6$}).
 *
 * <p>Traditional DES {@code crypt} (13 characters, only the first 8 characters of a password count), {@code {SSHA}},
 * {@code {PLAIN}} and plain text passwords are refused: each such line, like any malformed one, is a problem naming its
 * line and user (never its hash) and is skipped, and the other users still log in.
 */
public final class Htpasswd {

    /** The users read, and one message per line or entry that was skipped. */
    public record Users(Map<String, String> users, List<String> problems) {
        public Users {
            users = Map.copyOf(users);
            problems = List.copyOf(problems);
        }

        /** A digest of the users and their hashes: equal for equal content, different when any of it changes. */
        public String digest() {
            try {
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                users.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(user -> {
                    sha256.update(user.getKey().getBytes(StandardCharsets.UTF_8));
                    sha256.update((byte) 0);
                    sha256.update(user.getValue().getBytes(StandardCharsets.UTF_8));
                    sha256.update((byte) 0);
                });
                return HexFormat.of().formatHex(sha256.digest(), 0, 16);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
        }
    }

    /** A user name as htpasswd writes one: no colon, no control characters, at most 255 characters. */
    private static final Pattern USER = Pattern.compile("[^:\\p{Cntrl}]{1,255}");
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(0[4-9]|[12]\\d|3[01])\\$[./A-Za-z0-9]{53}");
    private static final Pattern APR1 = Pattern.compile("\\$apr1\\$[./A-Za-z0-9]{1,8}\\$[./A-Za-z0-9]{22}");
    private static final Pattern MD5_CRYPT = Pattern.compile("\\$1\\$[./A-Za-z0-9]{1,8}\\$[./A-Za-z0-9]{22}");
    private static final Pattern SHA_CRYPT = Pattern.compile(
            "\\$([56])\\$(rounds=\\d{1,9}\\$)?[./A-Za-z0-9]{1,16}\\$[./A-Za-z0-9]{43,86}");
    private static final Pattern DES_CRYPT = Pattern.compile("[./A-Za-z0-9]{13}");

    private Htpasswd() {
    }

    /** The users of an htpasswd file; blank lines and {@code #} comments are skipped silently. */
    public static Users parseFile(String content) {
        Map<String, String> users = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String[] lines = content.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                problems.add("line " + (i + 1) + " is not user:hash; skipped");
                continue;
            }
            add(users, problems, "line " + (i + 1), line.substring(0, colon), line.substring(colon + 1));
        }
        return new Users(users, problems);
    }

    /** The users of an {@code auth-map}: each key a user, its value the hash. */
    public static Users parseMap(Map<String, String> entries) {
        Map<String, String> users = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        entries.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry ->
                add(users, problems, "key '" + printable(entry.getKey()) + "'", entry.getKey(),
                        entry.getValue() == null ? "" : entry.getValue().strip()));
        return new Users(users, problems);
    }

    private static void add(Map<String, String> users, List<String> problems, String where, String user,
                            String hash) {
        if (!USER.matcher(user).matches()) {
            problems.add(where + " has no valid user name; skipped");
            return;
        }
        String refusal = refusal(hash);
        if (refusal != null) {
            problems.add(where + " (user '" + printable(user) + "') " + refusal + "; skipped");
            return;
        }
        if (users.putIfAbsent(user, hash) != null) {
            // The first line counts, as with nginx, which stops at the first line naming the user.
            problems.add(where + " repeats user '" + printable(user) + "'; the first one applies");
        }
    }

    /** Why a hash cannot be checked, or null when its format is one the data plane verifies. */
    static String refusal(String hash) {
        if (BCRYPT.matcher(hash).matches() || APR1.matcher(hash).matches() || MD5_CRYPT.matcher(hash).matches()
                || SHA_CRYPT.matcher(hash).matches()) {
            return null;
        }
        if (hash.startsWith("{SHA}")) {
            return validSha(hash.substring(5)) ? null : "has a {SHA} hash that is not base64 of 20 bytes";
        }
        if (hash.startsWith("{SSHA}") || hash.startsWith("{PLAIN}")) {
            return "uses " + hash.substring(0, hash.indexOf('}') + 1) + ", which is not supported (use bcrypt:"
                    + " htpasswd -B)";
        }
        if (DES_CRYPT.matcher(hash).matches()) {
            return "uses DES crypt, which is not supported (it reads only 8 characters of a password; use bcrypt:"
                    + " htpasswd -B)";
        }
        return "has no hash in a supported format (bcrypt, $apr1$, {SHA}, $1$, $5$, $6$)";
    }

    private static boolean validSha(String base64) {
        try {
            return Base64.getDecoder().decode(base64).length == 20;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A user name fit for a diagnostic: control characters and long names cut. */
    private static String printable(String value) {
        String cleaned = value.replaceAll("\\p{Cntrl}", "?");
        return cleaned.length() > 64 ? cleaned.substring(0, 64) + "..." : cleaned;
    }
}
