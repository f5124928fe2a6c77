package io.ingressgateway.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The X-Request-ID the gateway keeps or makes. */
class RequestIdTest {

    @Test
    void newIdsAre32LowercaseHexDigitsAndDoNotRepeat() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = ProxyHeadersFilter.newRequestId();
            assertThat(id).matches("[0-9a-f]{32}");
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
    }

    @Test
    void newIdsUseEveryHexDigitInEveryPosition() {
        // A broken nibble conversion (a shifted or masked digit) would leave some position constant.
        boolean[][] seen = new boolean[32][16];
        for (int i = 0; i < 2_000; i++) {
            String id = ProxyHeadersFilter.newRequestId();
            for (int p = 0; p < 32; p++) {
                seen[p][Character.digit(id.charAt(p), 16)] = true;
            }
        }
        for (boolean[] position : seen) {
            for (boolean digit : position) {
                assertThat(digit).isTrue();
            }
        }
    }

    @Test
    void aClientIdIsKeptOnlyWhenItIsAPlainTokenOfAtMost128Characters() {
        assertThat(ProxyHeadersFilter.isSaneRequestId("abc-DEF_09.x")).isTrue();
        assertThat(ProxyHeadersFilter.isSaneRequestId("a".repeat(128))).isTrue();
        assertThat(ProxyHeadersFilter.isSaneRequestId("a".repeat(129))).isFalse();
        assertThat(ProxyHeadersFilter.isSaneRequestId("")).isFalse();
        assertThat(ProxyHeadersFilter.isSaneRequestId(null)).isFalse();
        assertThat(ProxyHeadersFilter.isSaneRequestId("has space")).isFalse();
        assertThat(ProxyHeadersFilter.isSaneRequestId("semi;colon")).isFalse();
        assertThat(ProxyHeadersFilter.isSaneRequestId("new\nline")).isFalse();
        assertThat(ProxyHeadersFilter.isSaneRequestId("ünïcode")).isFalse();
    }
}
