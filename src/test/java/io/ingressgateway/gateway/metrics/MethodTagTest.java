package io.ingressgateway.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.HttpMethod;

class MethodTagTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"GET, GET", "HEAD, HEAD", "POST, POST", "PUT, PUT", "DELETE, DELETE", "CONNECT, CONNECT",
        "OPTIONS, OPTIONS", "TRACE, TRACE", "PATCH, PATCH",
        "get, OTHER", "FOO1, OTHER", "PROPFIND, OTHER", "GETX, OTHER", "M-SEARCH, OTHER"})
    void standardMethodsKeepTheirNameAndEveryOtherTokenIsOther(String token, String tag) {
        assertThat(MethodTag.of(HttpMethod.valueOf(token))).isEqualTo(tag);
    }
}
