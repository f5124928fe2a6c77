package io.ingressgateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.policy.NextUpstream;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.client.PrematureCloseException;

/** How the HTTP client's errors are read: what the client is answered and whether another endpoint may be tried. */
class UpstreamFailureTest {

    @Test
    void aPooledConnectionFoundClosedBeforeSendingIsAStaleConnectionRetriedLikeARefusedOne() {
        // What BackendRolloutIT met once under load: the pool handed out a keep-alive connection the pod had just
        // closed; it was answered 500 as an error the gateway did not know.
        UpstreamFailure failure = UpstreamFailure.of(new RuntimeException("wrapped", AbortedException.beforeSend()));

        assertThat(failure).isEqualTo(UpstreamFailure.STALE_CONNECTION);
        assertThat(failure.status()).isEqualTo(HttpStatus.BAD_GATEWAY);
        assertThat(failure.connectFailure()).as("nothing was sent").isTrue();
        assertThat(failure.countsAsUpstreamFailure()).isFalse();
        assertThat(UpstreamAttemptFilter.retriesFailure(NextUpstream.DEFAULT, failure)).isTrue();
    }

    @Test
    void otherAbortsAndClosesKeepTheirMeaning() {
        // A connection aborted once the request was (partly) sent is not ours to send again.
        assertThat(UpstreamFailure.of(new AbortedException("Connection reset by peer")))
                .isEqualTo(UpstreamFailure.OTHER);
        assertThat(UpstreamFailure.of(new ConnectException("refused"))).isEqualTo(UpstreamFailure.CONNECT_REFUSED);
        assertThat(UpstreamFailure.CLOSED.connectFailure()).isFalse();
        assertThat(UpstreamFailure.of(PrematureCloseException.TEST_EXCEPTION)).isEqualTo(UpstreamFailure.CLOSED);
    }
}
