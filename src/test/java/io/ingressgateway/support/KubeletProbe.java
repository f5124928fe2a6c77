package io.ingressgateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An HTTP GET made the way kubelet probes a container: a new TCP connection for every probe, {@code Connection:
 * close}, and one deadline (kubelet's {@code timeoutSeconds}, 1 s by default) for connecting, sending and reading the
 * whole answer. Plain blocking sockets on the calling thread: the probe shares no client event loop or connection
 * pool with the load a test generates, so a slow answer is the server's, not the test client's.
 */
public final class KubeletProbe {

    /** How a probe ended: an HTTP status, or -1 with the reason it failed (refused, timed out, reset). */
    public record Result(int status, String body, long elapsedNanos, String failure) {
        public boolean succeeded() {
            return status >= 200 && status < 400;
        }

        public double elapsedMillis() {
            return elapsedNanos / 1e6;
        }
    }

    private KubeletProbe() {
    }

    public static Result get(int port, String path, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), remainingMillis(deadline));
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUser-Agent: kube-probe/1.34\r\n"
                    + "Accept: */*\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            // Connection: close, so the answer ends when the server closes the connection.
            while (true) {
                socket.setSoTimeout(remainingMillis(deadline));
                int read = in.read(chunk);
                if (read < 0) {
                    break;
                }
                response.write(chunk, 0, read);
            }
            long elapsed = System.nanoTime() - start;
            if (elapsed > timeout.toNanos()) {
                return new Result(-1, "", elapsed, "answered after the " + timeout.toMillis() + " ms timeout");
            }
            return parse(response.toString(StandardCharsets.ISO_8859_1), elapsed);
        } catch (SocketTimeoutException e) {
            return new Result(-1, "", System.nanoTime() - start, "timed out: " + e.getMessage());
        } catch (IOException e) {
            return new Result(-1, "", System.nanoTime() - start, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long remaining = (deadline - System.nanoTime()) / 1_000_000;
        if (remaining <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) remaining;
    }

    private static Result parse(String response, long elapsed) {
        // "HTTP/1.1 200 OK"
        if (!response.startsWith("HTTP/1.")) {
            return new Result(-1, "", elapsed, "not an HTTP response: " + abbreviate(response));
        }
        int space = response.indexOf(' ');
        int status;
        try {
            status = Integer.parseInt(response.substring(space + 1, space + 4));
        } catch (RuntimeException e) {
            return new Result(-1, "", elapsed, "no status: " + abbreviate(response));
        }
        int headersEnd = response.indexOf("\r\n\r\n");
        String body = headersEnd < 0 ? "" : response.substring(headersEnd + 4);
        // The probe reads what the server sent; a chunked body keeps its chunk framing, enough for a test to search.
        return new Result(status, body, elapsed, null);
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
