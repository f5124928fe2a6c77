package io.ingressgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ingressgateway.tls.HttpsListenerMetrics.FloodReason;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2SettingsFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Settings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Http2FloodGuardTest {

    @Test
    void pingAndSettingsFramesPastTheLimitInOneWindowEndTheConnectionWithGoAway() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2FloodGuard(10, Duration.ofMinutes(1)));
        for (int i = 0; i < 5; i++) {
            channel.writeInbound(new DefaultHttp2PingFrame(i, false));
            channel.writeInbound(new DefaultHttp2SettingsFrame(new Http2Settings()));
            channel.writeInbound(new DefaultHttp2PingFrame(i, true)); // acknowledgements are not counted
        }
        assertThat(channel.inboundMessages()).hasSize(15);
        assertThat(channel.isOpen()).isTrue();

        channel.writeInbound(new DefaultHttp2PingFrame(11, false));

        assertThat(channel.inboundMessages()).as("the frame past the limit is not passed on").hasSize(15);
        Http2GoAwayFrame goAway = channel.readOutbound();
        assertThat(goAway.errorCode()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
        assertThat(Http2FloodCloses.reasonOf(goAway.content().toString(StandardCharsets.US_ASCII)))
                .isEqualTo(FloodReason.CONTROL_FRAMES);
        goAway.release();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void theCountStartsAgainInEachWindow() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2FloodGuard(3, Duration.ofMillis(100)));
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 3; i++) {
                channel.writeInbound(new DefaultHttp2PingFrame(i, false));
            }
            Thread.sleep(200); // past the window: the next three are a window of their own
        }
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.inboundMessages()).hasSize(9);
    }

    @Test
    void noLimitWhenTurnedOff() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2FloodGuard(0, Duration.ofMinutes(1)));
        for (int i = 0; i < 1000; i++) {
            channel.writeInbound(new DefaultHttp2PingFrame(i, false));
        }
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void connectionErrorsTheCodecAnsweredEndHereOthersGoOn() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2FloodGuard(10, Duration.ofMinutes(1)));
        channel.pipeline().fireExceptionCaught(Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM,
                "Maximum number of RST frames reached"));
        channel.pipeline().fireExceptionCaught(Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
                "HTTP/2 client preface string missing or corrupt"));
        channel.checkException(); // nothing reached the end of the pipeline

        channel.pipeline().fireExceptionCaught(Http2Exception.streamError(3, Http2Error.ENHANCE_YOUR_CALM, "stream"));
        assertThatThrownBy(channel::checkException).as("a stream's error goes on to its stream")
                .isInstanceOf(Http2Exception.StreamException.class);

        channel.pipeline().fireExceptionCaught(new IllegalStateException("other"));
        assertThatThrownBy(channel::checkException)
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void floodClosesAreToldApartByNettysMessages() {
        assertThat(Http2FloodCloses.reasonOf("Maximum number of RST frames reached")).isEqualTo(FloodReason.RESETS);
        assertThat(Http2FloodCloses.reasonOf("Maximum number 200 of RST frames frames reached within 30 seconds"))
                .isEqualTo(FloodReason.RESETS);
        assertThat(Http2FloodCloses.reasonOf("Maximum number 10000 of outstanding control frames reached"))
                .isEqualTo(FloodReason.CONTROL_FRAMES);
        assertThat(Http2FloodCloses.reasonOf("Maximum number 2 of empty data frames reached"))
                .isEqualTo(FloodReason.OTHER);
    }
}
