package io.ingressgateway.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
}
