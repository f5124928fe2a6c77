package io.ingressgateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/1.1 backend on loopback that reads every request slowly but steadily: at most {@code bytesPerRead} bytes,
 * then a pause, until the body (by Content-Length or chunked) is all read; then it answers 200 and closes. Its small
 * receive buffer keeps the sender's writes waiting on this pace. Counts the body bytes it received.
 */
public final class SteadyReader implements AutoCloseable {

    private final ServerSocket server;
    private final int bytesPerRead;
    private final Duration pause;
    private final AtomicLong bodyBytes = new AtomicLong();
    private final Thread acceptor;

    public SteadyReader(int bytesPerRead, Duration pause) throws IOException {
        this.bytesPerRead = bytesPerRead;
        this.pause = pause;
        this.server = new ServerSocket();
        server.setReceiveBufferSize(bytesPerRead);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.acceptor = new Thread(this::acceptLoop, "steady-reader");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Body bytes received over every request so far (decoded, when chunked). */
    public long bodyBytes() {
        return bodyBytes.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread worker = new Thread(() -> serve(socket), "steady-reader-connection");
                worker.setDaemon(true);
                worker.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new Throttled(socket.getInputStream());
            long contentLength = -1;
            boolean chunked = false;
            for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    contentLength = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line(in).split(";")[0].trim(), 16); size > 0;
                     size = Long.parseLong(line(in).split(";")[0].trim(), 16)) {
                    skip(in, size);
                    line(in);
                }
                line(in);
            } else if (contentLength > 0) {
                skip(in, contentLength);
            }
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException | RuntimeException dropped) {
            // The gateway gave up on this connection: nothing to answer.
        }
    }

    private void skip(InputStream in, long count) throws IOException {
        byte[] buffer = new byte[bytesPerRead];
        long left = count;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                throw new IOException("the body ended early");
            }
            left -= read;
            bodyBytes.addAndGet(read);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return null;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** Hands out at most {@code bytesPerRead} bytes per {@code pause}, the pace of the whole connection. */
    private final class Throttled extends InputStream {
        private final InputStream in;
        private final byte[] window = new byte[bytesPerRead];
        private int position;
        private int limit;

        Throttled(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (!fill()) {
                return -1;
            }
            return window[position++] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (!fill()) {
                return -1;
            }
            int count = Math.min(length, limit - position);
            System.arraycopy(window, position, into, offset, count);
            position += count;
            return count;
        }

        private boolean fill() throws IOException {
            if (position < limit) {
                return true;
            }
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IOException(interrupted);
            }
            limit = in.read(window, 0, window.length);
            position = 0;
            return limit > 0;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
