package io.ingressgateway.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * An HTTP/2 client at the frame level, over TLS to the gateway's HTTPS port on 127.0.0.1, built on Netty's frame
 * reader and writer rather than on its connection handler: it sends exactly the frames a test asks for, also those a
 * well-behaved client never would (streams past the server's limit, resets right after each request, floods of
 * PING or SETTINGS), and records every frame the server sends. It acknowledges the server's SETTINGS and returns
 * flow-control credit for each DATA frame, as any client does.
 */
final class Http2FrameClient implements AutoCloseable {

    /** A frame the server sent, or the connection's end. */
    sealed interface Event permits Settings, Headers, Data, Reset, GoAway, PingAck, Closed {
    }

    record Settings(Http2Settings settings) implements Event {
    }

    record Headers(int streamId, Http2Headers headers, boolean endStream) implements Event {
        int status() {
            return Integer.parseInt(headers.status().toString());
        }
    }

    record Data(int streamId, String text, boolean endStream) implements Event {
    }

    record Reset(int streamId, long errorCode) implements Event {
    }

    record GoAway(int lastStreamId, long errorCode, String debugData) implements Event {
    }

    record PingAck(long data) implements Event {
    }

    record Closed() implements Event {
    }

    /** A response: its status, and its body once the stream has ended. */
    record Response(int status, String body) {
    }

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    private final List<Event> events = new ArrayList<>();
    private final Channel channel;
    private volatile ChannelHandlerContext context;
    private int nextStreamId = 1;

    /** Connects, completes the handshake offering only h2 by ALPN, and sends the preface and an empty SETTINGS. */
    Http2FrameClient(int port, String serverName) throws Exception {
        SslContext ssl = SslContextBuilder.forClient()
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        SSLEngine engine = ssl.newEngine(channel.alloc(), serverName, port);
                        SSLParameters parameters = engine.getSSLParameters();
                        parameters.setServerNames(serverName == null ? List.of()
                                : List.of(new SNIHostName(serverName)));
                        engine.setSSLParameters(parameters);
                        SslHandler tls = new SslHandler(engine);
                        tls.setHandshakeTimeout(20, TimeUnit.SECONDS);
                        channel.pipeline().addLast(tls, new FrameDecoder());
                        tls.handshakeFuture().addListener(handshake -> {
                            if (!handshake.isSuccess()) {
                                ready.completeExceptionally(handshake.cause());
                            } else if (!ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
                                ready.completeExceptionally(new IllegalStateException(
                                        "ALPN chose " + tls.applicationProtocol()));
                            } else {
                                ready.complete(null);
                            }
                        });
                    }
                });
        channel = bootstrap.connect("127.0.0.1", port).sync().channel();
        ready.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        awaitEvent(Settings.class::isInstance);
    }

    /** The server's first SETTINGS frame. */
    Http2Settings serverSettings() {
        return ((Settings) awaitEvent(Settings.class::isInstance)).settings();
    }

    /** Sends the HEADERS of a request on a new stream and returns the stream's id; sent with the next flush. */
    int request(String method, String authority, String path, Map<String, String> headers, boolean endStream) {
        int streamId = nextStreamId;
        nextStreamId += 2;
        Http2Headers frame = new DefaultHttp2Headers().method(method).scheme("https").authority(authority)
                .path(path);
        headers.forEach(frame::add);
        onLoop(ctx -> writer.writeHeaders(ctx, streamId, frame, 0, endStream, ctx.newPromise()), false);
        return streamId;
    }

    void reset(int streamId, Http2Error error) {
        onLoop(ctx -> writer.writeRstStream(ctx, streamId, error.code(), ctx.newPromise()), false);
    }

    void ping(long data) {
        onLoop(ctx -> writer.writePing(ctx, false, data, ctx.newPromise()), false);
    }

    void settings() {
        onLoop(ctx -> writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise()), false);
    }

    void flush() {
        channel.flush();
    }

    /** A GET on a new stream, waited for until its stream ends. */
    Response get(String authority, String path) {
        return get(authority, path, Map.of());
    }

    Response get(String authority, String path, Map<String, String> headers) {
        int streamId = request("GET", authority, path, headers, true);
        flush();
        return response(streamId);
    }

    /**
     * The response of a stream: waits for its headers and, unless they end it, for the body's last DATA frame.
     * Fails if the stream is reset or the connection closes instead.
     */
    Response response(int streamId) {
        Event first = outcome(streamId);
        if (!(first instanceof Headers head)) {
            throw new AssertionError("stream " + streamId + " got no response but " + first);
        }
        if (head.endStream()) {
            return new Response(head.status(), "");
        }
        awaitEvent(e -> e instanceof Data d && d.streamId() == streamId && d.endStream()
                || e instanceof Headers h && h.streamId() == streamId && h.endStream() // trailers
                || e instanceof Reset r && r.streamId() == streamId
                || e instanceof Closed, "end of stream " + streamId);
        StringBuilder body = new StringBuilder();
        for (Event e : events()) {
            if (e instanceof Data d && d.streamId() == streamId) {
                body.append(d.text());
            }
        }
        return new Response(head.status(), body.toString());
    }

    /** What the server first answered a stream with: its response headers, a reset, or the connection's end. */
    Event outcome(int streamId) {
        return awaitEvent(e -> e instanceof Headers h && h.streamId() == streamId
                || e instanceof Reset r && r.streamId() == streamId
                || e instanceof Closed, "response on stream " + streamId);
    }

    /** The first event, received so far or within 30 s, that matches. */
    Event awaitEvent(Predicate<Event> matching) {
        return awaitEvent(matching, "event");
    }

    Event awaitEvent(Predicate<Event> matching, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        synchronized (events) {
            while (true) {
                for (Event e : events) {
                    if (matching.test(e)) {
                        return e;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + what + " within " + WAIT + "; received " + summary());
                }
                try {
                    events.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }

    /** Every event received so far. */
    List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Whether the server has sent GOAWAY or the connection is closed. */
    boolean goneAway() {
        synchronized (events) {
            return events.stream().anyMatch(e -> e instanceof GoAway || e instanceof Closed);
        }
    }

    private String summary() {
        synchronized (events) {
            int size = events.size();
            return size + " events, the last " + events.subList(Math.max(0, size - 5), size);
        }
    }

    private void record(Event event) {
        synchronized (events) {
            events.add(event);
            events.notifyAll();
        }
    }

    /** Runs a write on the connection's event loop (the header encoder is not thread-safe), in call order. */
    private void onLoop(Consumer<ChannelHandlerContext> action, boolean flush) {
        ChannelHandlerContext ctx = context;
        channel.eventLoop().execute(() -> {
            action.accept(ctx);
            if (flush) {
                ctx.flush();
            }
        });
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Reads frames off the TLS stream and records them; answers SETTINGS and DATA as every client must. */
    private final class FrameDecoder extends ByteToMessageDecoder {

        private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            context = ctx;
        }

        /**
         * The preface goes out as soon as the handshake is done, before this handler sees any frame: the server
         * sends its SETTINGS at once, and their acknowledgement must follow the preface.
         */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess()) {
                ctx.write(Http2CodecUtil.connectionPrefaceBuf());
                writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
                ctx.flush();
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            reader.readFrame(ctx, in, new Http2EventAdapter() {
                @Override
                public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
                    writer.writeSettingsAck(ctx, ctx.newPromise());
                    ctx.flush();
                    record(new Settings(settings));
                }

                @Override
                public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                                          int padding, boolean endStream) {
                    record(new Headers(streamId, headers, endStream));
                }

                @Override
                public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                                          int streamDependency, short weight, boolean exclusive, int padding,
                                          boolean endStream) {
                    record(new Headers(streamId, headers, endStream));
                }

                @Override
                public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
                                      boolean endOfStream) {
                    int credit = data.readableBytes() + padding;
                    if (credit > 0) {
                        writer.writeWindowUpdate(ctx, 0, credit, ctx.newPromise());
                        if (!endOfStream) {
                            writer.writeWindowUpdate(ctx, streamId, credit, ctx.newPromise());
                        }
                        ctx.flush();
                    }
                    record(new Data(streamId, data.toString(StandardCharsets.UTF_8), endOfStream));
                    return credit;
                }

                @Override
                public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
                    record(new Reset(streamId, errorCode));
                }

                @Override
                public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode,
                                         ByteBuf debugData) {
                    record(new GoAway(lastStreamId, errorCode, debugData.toString(StandardCharsets.UTF_8)));
                }

                @Override
                public void onPingAckRead(ChannelHandlerContext ctx, long data) {
                    record(new PingAck(data));
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            record(new Closed());
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // The server closing mid-write (after its GOAWAY) ends up here; the Closed event says it all.
            ctx.close();
        }
    }
}
