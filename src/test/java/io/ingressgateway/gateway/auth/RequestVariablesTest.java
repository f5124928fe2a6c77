package io.ingressgateway.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.policy.NginxTemplate;
import io.ingressgateway.model.policy.NginxTemplate.Part;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

/** The nginx variables of the external authentication annotations, filled in from one request as nginx does. */
class RequestVariablesTest {

    private static final MockServerWebExchange EXCHANGE = MockServerWebExchange.from(MockServerHttpRequest
            .method(HttpMethod.POST, URI.create("/a%20b/c?x=1&Page=2&empty"))
            .header("Host", "Shop.Example.com:8080")
            .header("X-Tenant", "blue")
            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("alice:secret".getBytes()))
            // The server reads cookies from the Cookie header; the mock takes them as given.
            .cookie(new HttpCookie("_oauth2_proxy", "s3ss"), new HttpCookie("theme", "dark"))
            .remoteAddress(new InetSocketAddress("192.0.2.7", 40000)));

    static Stream<Arguments> variables() {
        return Stream.of(
                Arguments.of("host", "shop.example.com"),
                Arguments.of("http_host", "Shop.Example.com:8080"),
                Arguments.of("scheme", "http"),
                Arguments.of("request_uri", "/a%20b/c?x=1&Page=2&empty"),
                // nginx's set_escape_uri: everything but letters, digits and -._~ escaped.
                Arguments.of("escaped_request_uri", "%2Fa%2520b%2Fc%3Fx%3D1%26Page%3D2%26empty"),
                Arguments.of("uri", "/a b/c"),
                Arguments.of("args", "x=1&Page=2&empty"),
                Arguments.of("is_args", "?"),
                Arguments.of("request_method", "POST"),
                Arguments.of("remote_addr", "192.0.2.7"),
                Arguments.of("remote_user", "alice"),
                Arguments.of("http_x_tenant", "blue"),
                Arguments.of("http_x_absent", ""),
                Arguments.of("cookie__oauth2_proxy", "s3ss"),
                Arguments.of("cookie_theme", "dark"),
                Arguments.of("cookie_absent", ""),
                Arguments.of("arg_page", "2"),
                Arguments.of("arg_empty", ""),
                Arguments.of("arg_absent", ""));
    }

    @ParameterizedTest(name = "${0} = {1}")
    @MethodSource("variables")
    void eachVariableAsNginxFillsItIn(String name, String value) {
        assertThat(RequestVariables.value(name, EXCHANGE)).isEqualTo(value);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variables")
    void aTemplateIsLiteralTextAndValuesInOrder(String name, String value) {
        NginxTemplate template = new NginxTemplate(List.of(Part.literal("["), Part.variable(name),
                Part.literal("]")));
        assertThat(RequestVariables.fill(template, EXCHANGE)).isEqualTo("[" + value + "]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("escapes")
    void escapingKeepsOnlyUnreservedCharacters(String raw, String escaped) {
        assertThat(RequestVariables.escape(raw)).isEqualTo(escaped);
    }

    static Stream<Arguments> escapes() {
        return Stream.of(
                Arguments.of("/?a=b&c=d", "%2F%3Fa%3Db%26c%3Dd"),
                Arguments.of("azAZ09-._~", "azAZ09-._~"),
                Arguments.of("/ü", "%2F%C3%BC"),
                Arguments.of("a b+c", "a%20b%2Bc"));
    }
}
