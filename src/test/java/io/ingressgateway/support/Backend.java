package io.ingressgateway.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.List;

/**
 * A real HTTP upstream on 127.0.0.1 that answers every request with 200 and its own name, and remembers what it
 * received, so a test can tell which upstream served a request and what headers reached it.
 */
public final class Backend implements AutoCloseable {

    private final String name;
    private final WireMockServer server;

    public Backend(String name) {
        this.name = name;
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/plain").withBody(name)));
    }

    public String name() {
        return name;
    }

    public int port() {
        return server.port();
    }

    public List<LoggedRequest> requests() {
        return server.getAllServeEvents().stream().map(e -> e.getRequest()).toList();
    }

    public LoggedRequest lastRequest() {
        List<LoggedRequest> all = requests();
        if (all.isEmpty()) {
            throw new AssertionError("backend " + name + " received no request");
        }
        // WireMock lists serve events newest first.
        return all.get(0);
    }

    public void reset() {
        server.resetRequests();
    }

    @Override
    public void close() {
        server.stop();
    }
}
