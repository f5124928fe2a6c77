package io.ingressgateway.gateway.client;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One HTTP/1.1 request on a raw socket from a chosen loopback address, optionally after a PROXY protocol header
 * written byte by byte before anything else (and before the TLS handshake on the HTTPS listener), as a TCP load
 * balancer sends it.
 */
final class ProxiedRequest {

    /** The status (0 when the connection closed without an answer) and the whole response text. */
    record Response(int status, String text) {
    }

    private ProxiedRequest() {
    }

    /** PROXY protocol v1: one text line. */
    static byte[] v1(String source, String destination, int sourcePort, int destinationPort) {
        String family = source.contains(":") ? "TCP6" : "TCP4";
        return ("PROXY " + family + " " + source + " " + destination + " " + sourcePort + " " + destinationPort
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** PROXY protocol v2: the binary header, command PROXY, TCP over IPv4 or IPv6. */
    static byte[] v2(String source, String destination, int sourcePort, int destinationPort) throws IOException {
        byte[] from = InetAddress.getByName(source).getAddress();
        byte[] to = InetAddress.getByName(destination).getAddress();
        byte[] signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
        int addressLength = from.length * 2 + 4;
        ByteBuffer header = ByteBuffer.allocate(16 + addressLength);
        header.put(signature);
        header.put((byte) 0x21); // version 2, command PROXY
        header.put((byte) (from.length == 4 ? 0x11 : 0x21)); // AF_INET or AF_INET6, STREAM
        header.putShort((short) addressLength);
        header.put(from).put(to);
        header.putShort((short) sourcePort).putShort((short) destinationPort);
        return header.array();
    }

    /**
     * Sends {@code GET path} for {@code host} with {@code extraHeaders} (lines ending in CRLF) and reads the response
     * until the server closes the connection.
     *
     * @param preamble the PROXY header, or null for none
     * @param tls      whether to shake hands (after the preamble) as the HTTPS listener expects
     */
    static Response get(int port, String fromAddress, byte[] preamble, boolean tls, String host, String path,
                        String extraHeaders) throws IOException {
        Socket plain = new Socket();
        plain.bind(new InetSocketAddress(InetAddress.getByName(fromAddress), 0));
        plain.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        plain.setSoTimeout(30_000);
        try (Socket socket = tls ? overTls(plain, port, host, preamble) : plain) {
            if (!tls && preamble != null) {
                socket.getOutputStream().write(preamble);
            }
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extraHeaders
                    + "Connection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            String text = readAll(socket.getInputStream());
            int status = text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : 0;
            return new Response(status, text);
        } catch (IOException e) {
            if (e instanceof SocketTimeoutException) {
                throw e;
            }
            return new Response(0, e.toString()); // closed or reset by the server
        } finally {
            plain.close();
        }
    }

    private static Socket overTls(Socket plain, int port, String host, byte[] preamble) throws IOException {
        if (preamble != null) {
            plain.getOutputStream().write(preamble);
            plain.getOutputStream().flush();
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
            SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(host)));
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket;
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int read; (read = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, read);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
