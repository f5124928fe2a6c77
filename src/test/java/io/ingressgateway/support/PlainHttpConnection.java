package io.ingressgateway.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One client's HTTP/1.1 connection to the gateway, kept alive between requests (reopened when the server closed
 * it), on a blocking socket used by one thread. Load generators built on it cost little CPU per request and allocate
 * no Netty buffers, so a test measuring the gateway under leak detection PARANOID does not pay for its own clients
 * too. {@link #close()} may be called from another thread: a request waiting for its answer then fails at once, as
 * when a user gives up and closes the connection.
 */
public final class PlainHttpConnection implements AutoCloseable {

    private final int port;
    private final String host;
    private final int readTimeoutMillis;
    private volatile Socket socket;
    private InputStream in;
    private OutputStream out;
    private volatile boolean closed;

    public PlainHttpConnection(int port, String host, Duration readTimeout) {
        this.port = port;
        this.host = host;
        this.readTimeoutMillis = (int) readTimeout.toMillis();
    }

    /** Sends GET {@code path} and reads the whole answer; returns its status. */
    public int get(String path) throws IOException {
        return request("GET", path, host);
    }

    /**
     * Sends {@code method path} (any token, standard or not) with this Host header and no body, and reads the whole
     * answer; returns its status.
     */
    public synchronized int request(String method, String path, String hostHeader) throws IOException {
        if (closed) {
            throw new IOException("connection closed by the client");
        }
        if (socket == null) {
            open();
        }
        out.write((method + " " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nAccept: */*\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String statusLine = readLine();
        if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
            drop();
            throw new IOException("no HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        boolean serverCloses = false;
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> serverCloses = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        if (line == null) {
            drop();
            throw new IOException("connection closed in the response headers");
        }
        if ("HEAD".equals(method) || status == 204 || status == 304) {
            // No body, whatever the headers say.
        } else if (chunked) {
            readChunkedBody();
        } else if (contentLength >= 0) {
            skip(contentLength);
        } else {
            // Neither length nor chunks: the body ends with the connection.
            while (in.read() >= 0) {
                // discard
            }
            serverCloses = true;
        }
        if (serverCloses) {
            drop();
        }
        return status;
    }

    /** An answer read by {@link #send(String)}: status, headers (names in lower case) and body as text. */
    public record Response(int status, java.util.Map<String, String> headers, String body) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Writes {@code request} exactly as given (request line, headers and the empty line, CRLF-separated: the caller
     * chooses every byte, malformed ones included) and reads one answer. The connection stays open for the next
     * request unless the server closed it.
     */
    public synchronized Response send(String request) throws IOException {
        if (closed) {
            throw new IOException("connection closed by the client");
        }
        if (socket == null) {
            open();
        }
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String statusLine = readLine();
        if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
            drop();
            throw new IOException("no HTTP response: " + statusLine);
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
        if (line == null) {
            drop();
            throw new IOException("connection closed in the response headers");
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String length = headers.get("content-length");
        boolean serverCloses = "close".equalsIgnoreCase(headers.get("connection"));
        if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
            readChunkedBody(body);
        } else if (length != null) {
            body.write(in.readNBytes(Integer.parseInt(length)));
        } else if (status != 204 && status != 304 && status / 100 != 1) {
            body.write(in.readAllBytes());
            serverCloses = true;
        }
        if (serverCloses) {
            drop();
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    /**
     * Whether the server has closed the connection: the next read finds the end of the stream (false when nothing
     * arrives within the read timeout).
     */
    public synchronized boolean closedByServer() throws IOException {
        if (socket == null) {
            return true;
        }
        try {
            return in.read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private void open() throws IOException {
        Socket opened = new Socket();
        opened.setTcpNoDelay(true);
        opened.connect(new InetSocketAddress("127.0.0.1", port), readTimeoutMillis);
        opened.setSoTimeout(readTimeoutMillis);
        socket = opened;
        in = new BufferedInputStream(opened.getInputStream(), 4096);
        out = opened.getOutputStream();
        if (closed) {
            drop();
            throw new IOException("connection closed by the client");
        }
    }

    private void readChunkedBody() throws IOException {
        readChunkedBody(null);
    }

    /** Reads a chunked body into {@code body}, or skips it when null. */
    private void readChunkedBody(ByteArrayOutputStream body) throws IOException {
        while (true) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                throw new IOException("connection closed in a chunked body");
            }
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                // Trailers, up to the empty line.
                String trailer;
                while ((trailer = readLine()) != null && !trailer.isEmpty()) {
                    // discard
                }
                return;
            }
            if (body == null) {
                skip(size);
            } else {
                body.write(in.readNBytes((int) size));
            }
            readLine();
        }
    }

    private void skip(long bytes) throws IOException {
        long left = bytes;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed in the body");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                int length = line.size();
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, length > 0 && bytes[length - 1] == '\r' ? length - 1 : length,
                        StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    private void drop() {
        Socket current = socket;
        socket = null;
        if (current != null) {
            try {
                current.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Closes the connection, from any thread; a request in progress fails. */
    @Override
    public void close() {
        closed = true;
        Socket current = socket;
        if (current != null) {
            try {
                current.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
