package io.ingressgateway.gateway.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ingressgateway.gateway.lookup.RouteTable;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of how the data plane reads a request's path and Host (docs/testing.md): reading never
 * throws, the path matched is canonical and reading it again changes nothing, the route lookup agrees with a plain
 * reference matcher, and <em>matching and forwarding agree</em>: however an upstream reads the path it is forwarded
 * ({@link UpstreamReading}), it reads the path that was matched, element by element.
 *
 * <p>{@link #handle} says what the gateway does with a raw path, as {@code RequestSanity} applies it before routing:
 * the path it forwards ({@link RequestPath#forwardable}) and the one it matches ({@link RequestPath#normalize}), or a
 * 400. A Host the gateway accepts ({@link RequestHost#isValid}) must be one RFC 3986 allows; the others are answered
 * 400 before any lookup, so the lookup properties only concern accepted ones.
 */
class RequestPathFuzzTest {

    private static final String[] SEGMENTS = {"api", "admin", "public", "v1", ".", "..", "", "%2e", "%2E%2e",
        ".%2e", "%2f", "%2F", "..%2f", "%5c", "\\", "..\\", "%00", "\u0000", "..;", ".;", ";x=1", "a;b", "%25",
        "%252e", "%", "%z", "%c3%a9", "é", "%C0%AE", " ", "%20", "?", "#", "~", "*"};
    private static final String[] HOSTS = {"a.test", "A.TEST", "a.test:8080", "a.test.", "a.test.:80", "x.a.test",
        "y.x.a.test", "b.test", "[::1]", "[::1]:80", "::1", "evil/x.a.test", "x.a.test@evil", " a.test ",
        "a.test..", "", "*.a.test", "127.0.0.1", "x.a.test:", "a.test:80:81", "xn--bcher-kva.a.test"};
    private static final String[] RULE_HOSTS = {"a.test", "x.a.test", "*.a.test", "*.x.a.test", "b.test", ""};
    private static final String[] RULE_PATHS = {"/", "/api", "/api/v1", "/admin", "/public", "/a b", "/é",
        "/api/v1/", "/%2e"};
    /**
     * A Host header whose name part has no delimiter another component could read otherwise: dot-separated labels
     * of letters, digits, {@code -} and {@code _} (RFC 3986 unreserved characters; where in a label a hyphen stands
     * is DNS's business, not a matter of how the request is read), or a bracketed IP literal; then a port.
     */
    private static final Pattern VALID_HOST = Pattern.compile(
            "(?:[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*\\.?"
                    + "|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");

    /** What the gateway does with a raw request path: the path it matches and the one it forwards; null: rejected. */
    record Handling(String matched, String forwarded) {
    }

    /**
     * What the gateway does with a raw path: forwards {@link RequestPath#forwardable}, matches
     * {@link RequestPath#normalize} of it; null when it answers 400. An empty path is a request for "/".
     */
    static Handling handle(String rawPath) {
        String forwarded = RequestPath.forwardable(rawPath.isEmpty() ? "/" : rawPath);
        return forwarded == null ? null : new Handling(RequestPath.normalize(forwarded), forwarded);
    }

    @FuzzTest(maxDuration = "10s")
    void matchingAndForwardingAgree(FuzzedDataProvider data) {
        String hostHeader = data.consumeBoolean() ? pick(data, HOSTS) : latin1(data, 30);
        String rawPath = path(data);
        Table table = table(data);

        boolean hostAccepted = RequestHost.isValid(hostHeader);
        String host = RequestHost.normalize(hostHeader);
        if (hostAccepted) {
            // The gateway accepts no Host that RFC 3986 does not allow, and reads each one canonically.
            assertTrue(VALID_HOST.matcher(hostHeader).matches(), () -> "accepted Host " + hostHeader);
            assertEquals(host, RequestHost.normalize(host), "Host " + hostHeader + " read twice");
            assertEquals(host, host.toLowerCase(Locale.ROOT));
        }

        Handling handling = handle(rawPath);
        if (handling == null) {
            return; // answered 400: nothing is matched nor forwarded
        }
        String matched = handling.matched();
        String forwarded = handling.forwarded();
        assertTrue(matched.startsWith("/"), () -> "matched " + matched);
        for (String segment : matched.split("/", -1)) {
            assertTrue(!segment.equals(".") && !segment.equals(".."), () -> "dot segment left in " + matched);
        }
        // Forwarding is settled at once: what is forwarded would be forwarded unchanged again.
        assertEquals(forwarded, RequestPath.forwardable(forwarded), "forwardable twice");
        if (readableAgain(matched)) {
            assertEquals(matched, RequestPath.normalize(matched), "normalised twice");
        }
        List<String> expected = UpstreamReading.NGINX.segments(matched.replace("%", "%25"));
        for (UpstreamReading reading : UpstreamReading.values()) {
            assertEquals(expected, reading.segments(forwarded),
                    () -> reading + " reads the forwarded " + forwarded + " otherwise than the matched " + matched);
        }

        // The route is looked up by the path the request carries once the gateway has settled it: the forwarded one.
        String found = table.lookup().lookup(hostHeader, forwarded);
        if (readableAgain(matched)) {
            assertEquals(found, table.lookup().lookup(hostHeader, matched), "looked up by the matched path");
        }
        if (hostAccepted) {
            assertEquals(table.reference(host, matched), found, "lookup of " + hostHeader + " " + rawPath);
        }
    }

    /**
     * Whether the matched path can be read again as a raw path means the same: not when it holds a '%' (it would be
     * decoded a second time) or a control character an escape stood for ({@code %0A}), which a raw path may not carry.
     */
    private static boolean readableAgain(String matched) {
        return matched.chars().noneMatch(c -> c == '%' || c < 0x20 || c == 0x7f);
    }

    /**
     * How upstreams read a path, as path elements (decoded, empty ones dropped, dot segments resolved; a trailing
     * slash does not count). The gateway's matching must read a forwarded path as every one of them does.
     */
    enum UpstreamReading {
        /** nginx, and our matching: decode everything, then split and resolve dot segments. */
        NGINX {
            @Override
            List<String> elements(String path) {
                return List.of(decode(path).split("/", -1));
            }
        },
        /** RFC 3986 routers (Go, Spring, Express): split on '/', an escaped slash stays inside its element. */
        RFC_3986 {
            @Override
            List<String> elements(String path) {
                List<String> elements = new ArrayList<>();
                for (String raw : path.split("/", -1)) {
                    elements.add(decode(raw));
                }
                return elements;
            }
        },
        /** Servlet containers (Tomcat): a ';' starts path parameters, so "..;x" is a ".." segment. */
        SERVLET {
            @Override
            List<String> elements(String path) {
                List<String> elements = new ArrayList<>();
                for (String raw : path.split("/", -1)) {
                    int semicolon = raw.indexOf(';');
                    String name = decode(semicolon < 0 ? raw : raw.substring(0, semicolon));
                    elements.add(name.equals(".") || name.equals("..") ? name : decode(raw));
                }
                return elements;
            }
        },
        /** Windows servers: a backslash, escaped or not, separates elements too. */
        WINDOWS {
            @Override
            List<String> elements(String path) {
                return List.of(decode(path).replace('\\', '/').split("/", -1));
            }
        },
        /** C servers: the path ends at the first NUL. */
        C_STRING {
            @Override
            List<String> elements(String path) {
                String decoded = decode(path);
                int nul = decoded.indexOf('\u0000');
                return List.of((nul < 0 ? decoded : decoded.substring(0, nul)).split("/", -1));
            }
        };

        abstract List<String> elements(String path);

        List<String> segments(String path) {
            List<String> segments = new ArrayList<>();
            for (String element : elements(path)) {
                if (element.isEmpty() || element.equals(".")) {
                    continue;
                }
                if (element.equals("..")) {
                    if (!segments.isEmpty()) {
                        segments.remove(segments.size() - 1);
                    }
                } else {
                    segments.add(element);
                }
            }
            return segments;
        }

        /** %XX as UTF-8 bytes; a '%' not followed by two hex digits stays as it is. */
        static String decode(String text) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '%' && i + 2 < text.length() && Character.digit(text.charAt(i + 1), 16) >= 0
                        && Character.digit(text.charAt(i + 2), 16) >= 0) {
                    bytes.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                }
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    // --- Inputs ----------------------------------------------------------------------------------------------------

    /** Mostly paths of telling segments; sometimes any bytes, as a request line carries them. */
    private static String path(FuzzedDataProvider data) {
        if (data.consumeInt(0, 4) == 0) {
            return latin1(data, 60);
        }
        StringBuilder path = new StringBuilder();
        for (int i = data.consumeInt(0, 6); i > 0; i--) {
            path.append(data.consumeInt(0, 8) == 0 ? "//" : "/");
            path.append(data.consumeInt(0, 5) == 0 ? latin1(data, 8) : pick(data, SEGMENTS));
        }
        if (path.length() == 0 || data.consumeInt(0, 4) == 0) {
            path.append('/');
        }
        return path.toString();
    }

    /** Bytes as the request line carries them, one char each. */
    private static String latin1(FuzzedDataProvider data, int maxLength) {
        return new String(data.consumeBytes(data.consumeInt(0, maxLength)), StandardCharsets.ISO_8859_1);
    }

    private static <T> T pick(FuzzedDataProvider data, T[] values) {
        return values[data.consumeInt(0, values.length - 1)];
    }

    // --- Lookup ----------------------------------------------------------------------------------------------------

    private record Rule(HostMatch host, PathMatch path, String target) {
    }

    /** A route table and the rules it was built from. */
    private record Table(RouteTable<String> lookup, List<Rule> rules) {

        /** The Ingress rules applied literally: the host's virtual host, its first matching rule, else defaults. */
        String reference(String host, String matchedPath) {
            HostMatch chosen = null;
            for (HostMatch.Kind kind : HostMatch.Kind.values()) {
                for (Rule rule : rules) {
                    if (chosen == null && rule.host().kind() == kind && rule.host().matches(host)) {
                        chosen = rule.host();
                    }
                }
            }
            if (chosen == null) {
                return "not found";
            }
            for (Rule rule : rules) {
                if (rule.host().equals(chosen) && rule.path().matches(matchedPath)) {
                    return rule.target();
                }
            }
            return "default of " + chosen;
        }
    }

    /** A table of a few rules in precedence order, as the translator orders them, each host with its default. */
    private static Table table(FuzzedDataProvider data) {
        List<Rule> rules = new ArrayList<>();
        for (int i = data.consumeInt(0, 8); i > 0; i--) {
            String path = pick(data, RULE_PATHS);
            HostMatch host = HostMatch.of(pick(data, RULE_HOSTS));
            PathMatch match = data.consumeBoolean() ? PathMatch.exact(path) : PathMatch.prefix(path);
            if (rules.stream().noneMatch(r -> r.host().equals(host) && r.path().equals(match))) {
                rules.add(new Rule(host, match, host + "|" + match));
            }
        }
        rules.sort(Comparator.comparing((Rule r) -> r.path().path().length()).reversed()
                .thenComparing(r -> r.path().type()).thenComparing(r -> r.path().path()));
        RouteTable.Builder<String> builder = RouteTable.builder();
        rules.forEach(rule -> builder.rule(rule.host(), rule.path(), rule.target()));
        rules.forEach(rule -> builder.hostDefault(rule.host(), "default of " + rule.host()));
        builder.notFound("not found");
        return new Table(builder.build(), List.copyOf(rules));
    }
}
