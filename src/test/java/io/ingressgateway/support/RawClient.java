package io.ingressgateway.support;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A hand-driven client connection to a listener on loopback, plain or TLS (HTTP/1.1 by ALPN, any certificate
 * trusted), for what well-behaved clients never do: send a request head one byte at a time, stop in the middle of a
 * body, or sit idle. Reads block for at most the read timeout, so a server that never answers fails the test instead
 * of hanging it.
 */
public final class RawClient implements AutoCloseable {

    /** What the server sent back: a response head (status and headers, lower-case names) and its body. */
    public record Response(int status, java.util.Map<String, String> headers, String body) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final AtomicInteger bytesTrickled = new AtomicInteger();
    private volatile Thread trickler;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** A plain connection from 127.0.0.1. */
    public static RawClient plain(int port, Duration readTimeout) throws IOException {
        return plain(port, "127.0.0.1", readTimeout);
    }

    /** A plain connection from the given loopback address (any of 127.0.0.0/8 is a local address on Linux). */
    public static RawClient plain(int port, String fromAddress, Duration readTimeout) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(fromAddress), 0));
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout((int) readTimeout.toMillis());
        return new RawClient(socket);
    }

    /** A TLS connection, handshake done, HTTP/1.1 agreed by ALPN, {@code serverName} sent as SNI. */
    public static RawClient tls(int port, String serverName, Duration readTimeout) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
            SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) readTimeout.toMillis());
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName(serverName)));
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return new RawClient(socket);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    public void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /**
     * Sends {@code head} and then, from a thread of its own, one more byte of a never-ending header every
     * {@code interval}, until the connection fails or is closed: a slowloris.
     */
    public void trickleHeaders(String head, Duration interval) throws IOException {
        send(head + "X-Slow: ");
        Thread thread = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(interval.toMillis());
                    out.write('a');
                    out.flush();
                    bytesTrickled.incrementAndGet();
                }
            } catch (IOException | InterruptedException stopped) {
                // The server closed the connection, or the test is over.
            }
        }, "slowloris-" + socket.getLocalPort());
        thread.setDaemon(true);
        trickler = thread;
        thread.start();
    }

    /** Header bytes sent one by one so far. */
    public int bytesTrickled() {
        return bytesTrickled.get();
    }

    /** Reads one response (its body by Content-Length), leaving the connection open. */
    public Response readResponse() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            return new Response(status, headers, readChunks());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private String readChunks() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                throw new IOException("connection closed in a chunked body");
            }
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                String trailer;
                while ((trailer = readLine()) != null && !trailer.isEmpty()) {
                    // trailers are not needed
                }
                return body.toString(StandardCharsets.UTF_8);
            }
            body.write(in.readNBytes(size));
            readLine();
        }
    }

    /**
     * Everything the server sends until it closes the connection (an orderly close or a reset alike); fails with
     * {@link java.net.SocketTimeoutException} if it keeps the connection open past the read timeout.
     */
    public String readUntilClosed() throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                received.write(buffer, 0, n);
            }
        } catch (SocketException | javax.net.ssl.SSLException reset) {
            // closed with a reset (or, on TLS, without close_notify): what came before is all there is
        }
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        Thread thread = trickler;
        if (thread != null) {
            thread.interrupt();
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
