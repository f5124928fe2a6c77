package io.ingressgateway.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestHostTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            Example.COM           | example.com
            example.com:80        | example.com
            example.com.          | example.com
            example.com.:8443     | example.com
            [::1]:8080            | [::1]
            [::1]                 | [::1]
            ::1                   | ::1
            ' a.test '            | a.test
            """)
    void normalisesHostHeaders(String raw, String expected) {
        assertThat(RequestHost.normalize(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "Example.COM", "example.com.", "example.com:80", "a.test:65535",
            "x", "127.0.0.1", "127.0.0.1:8080", "[::1]", "[::1]:8443", "[2001:db8::1]", "[::ffff:10.0.0.1]:80",
            "under_score.example.com", "xn--bcher-kva.example", "a-b.c-d.e"})
    void acceptsHostNamesAndAddressesWithAnOptionalPort(String host) {
        assertThat(RequestHost.isValid(host)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "evil/x.example.com", "a b.test", " a.test", "a.test ", "user@a.test", "a.test:",
            "a.test:abc", "a.test:80:80", "a.test:123456", "a.test:65536", "a..test", ".a.test", ".", ":80",
            "a.test\\x", "a.test%2f", "a~b.test", "a,b.test", "a.test#x", "a.test?x", "[::1", "[::1]x", "[::1]:",
            "[1]", "[::g]", "[]", "::1", "caf\u00e9.test", "a\u0000.test"})
    void refusesAnythingElse(String host) {
        assertThat(RequestHost.isValid(host.replace("\\u00e9", "\u00e9").replace("\\u0000", "\u0000")))
                .isFalse();
    }

    @Test
    void refusesNullAndOverlongNames() {
        assertThat(RequestHost.isValid(null)).isFalse();
        assertThat(RequestHost.isValid("a".repeat(64) + ".test")).isFalse();
        assertThat(RequestHost.isValid("a".repeat(63) + ".test")).isTrue();
        String longName = ("a".repeat(62) + ".").repeat(4) + "test"; // 256 characters
        assertThat(RequestHost.isValid(longName)).isFalse();
    }
}
