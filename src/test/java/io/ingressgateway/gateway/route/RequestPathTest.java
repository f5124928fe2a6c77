package io.ingressgateway.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
            /public/%2e%2e/admin    | /admin
            /public/%2E%2E/admin    | /admin
            /public%2f..%2fadmin    | /admin
            /../../etc              | /etc
            /a/b/..                 | /a/
            /a/.                    | /a/
            /caf%C3%A9              | /café
            /100%                   | /100%
            /bad%zzescape           | /bad%zzescape
            /space%20name           | /space name
            """)
    void normalizesAsNginxDoesBeforeMatching(String raw, String expected) {
        assertThat(RequestPath.normalize(raw)).isEqualTo(expected);
    }
}
