package io.ingressgateway.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /                       | /
            ''                      | /
            /plain/path             | /plain/path
            /trailing/              | /trailing/
            /a//b                   | /a/b
            ///a                    | /a
            /a/./b                  | /a/b
            /public/../admin        | /admin
            /a/b/..                 | /a/
            /a/.                    | /a/
            /caf%C3%A9              | /café
            /space%20name           | /space name
            /.well-known/acme       | /.well-known/acme
            /a/...                  | /a/...
            /file%2ejson            | /file.json
            /a;jsessionid=1/b       | /a;jsessionid=1/b
            """)
    void matchesTheDecodedFormOfWhatIsForwarded(String raw, String expected) {
        assertThat(RequestPath.normalize(raw)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /a//b                   | /a/b
            ///a                    | /a
            /a/./b                  | /a/b
            /public/../admin        | /admin
            /admin/../public/x      | /public/x
            /a/b/..                 | /a/
            /a/.                    | /a/
            /a/b/                   | /a/b/
            /a/%41/../b             | /a/b
            //public//x             | /public/x
            """)
    void forwardsPlainDotSegmentsResolvedAndSlashesMerged(String raw, String expected) {
        assertThat(RequestPath.forwardable(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/admin/..%2Fpublic", "/public%2f..%2fadmin", "/a%2Fb", "/a%5cb", "/a%5Cb", "/a\\b", "/..\\admin",
            "/a%00b", "/a\u0000b", "/public/%2e%2e/admin", "/public/%2E%2E/admin", "/public/.%2e/admin",
            "/public/%2e/admin", "/public/..;/admin", "/public/..;x=1/admin", "/public/.;/admin", "/public/..%3b/admin",
            "/../../etc", "/..", "/a/../../b", "/100%", "/bad%zzescape", "/a%2", "/a\tb", "relative"})
    void refusesAmbiguousPaths(String raw) {
        assertThat(RequestPath.forwardable(raw)).isNull();
        assertThat(RequestPath.normalize(raw)).isNull();
    }

    @Test
    void ordinaryPathsAreForwardedAsTheVeryStringReceived() {
        // The common case does no work and allocates nothing: the same instance comes back.
        for (String path : new String[] {"/", "", "/plain/path", "/api/v1/items?x", "/a-b_c~d/e.f", "/caf\u00e9",
                "/.well-known/acme-challenge/x", "/a/...b"}) {
            assertThat(RequestPath.forwardable(path)).isSameAs(path);
        }
    }
}
