package io.ingressgateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;

/** The header is added when the response is committed without one, never over one, and not at all when empty. */
class ServerHeaderTest {

    private static final HttpHandler ANSWERS = (request, response) -> response.setComplete();
    private static final HttpHandler ANSWERS_WITH_ITS_OWN = (request, response) -> {
        response.getHeaders().set(HttpHeaders.SERVER, "upstream");
        return response.setComplete();
    };

    @Test
    void anAnswerWithoutOneGetsTheConfiguredValue() {
        assertThat(serverHeaders(new ServerHeader("ingress-gateway"), ANSWERS)).containsExactly("ingress-gateway");
    }

    @Test
    void anAnswersOwnIsKept() {
        assertThat(serverHeaders(new ServerHeader("ingress-gateway"), ANSWERS_WITH_ITS_OWN)).containsExactly("upstream");
    }

    @Test
    void anEmptyValueSendsNone() {
        ServerHeader none = new ServerHeader("");

        assertThat(none.value()).isNull();
        assertThat(none.decorate(ANSWERS)).isSameAs(ANSWERS);
        assertThat(serverHeaders(none, ANSWERS)).isNull();
    }

    private static java.util.List<String> serverHeaders(ServerHeader header, HttpHandler handler) {
        MockServerHttpResponse response = new MockServerHttpResponse();
        header.decorate(handler).handle(MockServerHttpRequest.get("/").build(), response).block();
        return response.getHeaders().get(HttpHeaders.SERVER);
    }
}
