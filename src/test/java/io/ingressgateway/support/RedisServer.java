package io.ingressgateway.support;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} of the test's own on a free loopback port, without persistence, started and stopped by
 * the test (and restartable on the same port, to show what the gateway does while Redis is gone and once it is back).
 * Tests never skip for want of it: CI installs it ({@code .ci/run}), so a machine without it fails with instructions.
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final String executable;
    private final Path log;
    private int port;
    private Process process;

    private RedisServer(String executable, Path log) {
        this.executable = executable;
        this.log = log;
    }

    /** Starts one on a free port; fails the test when {@code redis-server} is not installed. */
    public static RedisServer start() {
        String executable = executable();
        try {
            RedisServer server = new RedisServer(executable, Files.createTempFile("redis-server", ".log"));
            IOException last = null;
            for (int attempt = 0; attempt < 5; attempt++) {
                server.port = freePort();
                try {
                    server.launch();
                    return server;
                } catch (IOException e) {
                    // Another process took the port between probing and binding: try another.
                    last = e;
                }
            }
            throw new IllegalStateException("redis-server did not start; its log: " + server.log, last);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code redis-server} on PATH (or in /usr/bin, /usr/local/bin), else a failure saying how to install it. */
    static String executable() {
        String path = System.getenv("PATH") == null ? "" : System.getenv("PATH");
        List<String> dirs = new java.util.ArrayList<>(List.of(path.split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/bin", "/usr/local/bin", "/usr/sbin"));
        for (String dir : dirs) {
            File candidate = new File(dir, "redis-server");
            if (!dir.isEmpty() && candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        throw new AssertionError("redis-server is not installed, and the global rate limit tests need a real one:"
                + " apt-get update && apt-get install -y redis-server (.ci/run does it when missing)");
    }

    private void launch() throws IOException {
        process = new ProcessBuilder(executable, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + "; log: "
                        + Files.readString(log));
            }
            if (ping()) {
                return;
            }
            sleep(50);
        }
        process.destroyForcibly();
        throw new IllegalStateException("redis-server did not answer PING within " + START_TIMEOUT + "; log: "
                + Files.readString(log));
    }

    /** Whether it answers {@code PING} now. */
    public boolean ping() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int read = 0;
            while (read < reply.length) {
                int n = in.read(reply, read, reply.length - read);
                if (n < 0) {
                    return false;
                }
                read += n;
            }
            return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops it (its data is gone: nothing is persisted). */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts it again on the same port, empty. */
    public void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new IllegalStateException("redis-server did not start again on port " + port, e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
