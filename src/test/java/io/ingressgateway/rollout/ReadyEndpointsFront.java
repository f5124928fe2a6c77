package io.ingressgateway.rollout;

import io.ingressgateway.support.KubeletProbe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP front for gateways, doing what a Kubernetes Service does for the gateway's pods (kube-proxy's NAT, or a
 * cloud load balancer): each NEW connection goes to a gateway whose readiness probe last answered UP, as polled every
 * {@link #PROBE_PERIOD} (the endpoints controller's view lags the probe, as in a cluster); an established connection
 * stays where it is until either side closes it, byte for byte both ways, half-closes passed on. While no gateway is
 * ready (one has stopped, the next is still starting), a new connection waits for one instead of being refused: a
 * client's connect retry, compressed.
 */
final class ReadyEndpointsFront implements AutoCloseable {

    static final Duration PROBE_PERIOD = Duration.ofMillis(100);
    private static final Duration WAIT_FOR_READY = Duration.ofSeconds(60);

    /** A gateway behind the front: its public port and its probe server's port. */
    record Gateway(String name, int port, int managementPort) {
    }

    private final ServerSocket listener;
    private final List<Gateway> gateways = new CopyOnWriteArrayList<>();
    private final Map<Gateway, Boolean> ready = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> connectionsByGateway = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "front");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closed;

    ReadyEndpointsFront() throws IOException {
        listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        threads.execute(this::probeLoop);
        threads.execute(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    void add(Gateway gateway) {
        gateways.add(gateway);
    }

    /** Whether the front's last probe of this gateway found it ready. */
    boolean ready(Gateway gateway) {
        return ready.getOrDefault(gateway, false);
    }

    /** Connections sent to each gateway, by name. */
    Map<String, Integer> connections() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        connectionsByGateway.forEach((name, count) -> counts.put(name, count.get()));
        return counts;
    }

    private void probeLoop() {
        while (!closed) {
            for (Gateway gateway : gateways) {
                ready.put(gateway, KubeletProbe.get(gateway.managementPort(), "/actuator/health/readiness",
                        Duration.ofSeconds(1)).status() == 200);
            }
            sleep(PROBE_PERIOD);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                threads.execute(() -> forward(client));
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private void forward(Socket client) {
        Gateway target = awaitReadyGateway();
        if (target == null) {
            closeQuietly(client);
            return;
        }
        Socket upstream = new Socket();
        try {
            upstream.setTcpNoDelay(true);
            client.setTcpNoDelay(true);
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target.port()), 5000);
        } catch (IOException e) {
            // Refused: as kube-proxy's NAT, the client sees its connection fail.
            closeQuietly(upstream);
            closeQuietly(client);
            return;
        }
        connectionsByGateway.computeIfAbsent(target.name(), name -> new AtomicInteger()).incrementAndGet();
        AtomicInteger directionsOpen = new AtomicInteger(2);
        threads.execute(() -> pump(client, upstream, directionsOpen));
        pump(upstream, client, directionsOpen);
    }

    private Gateway awaitReadyGateway() {
        long deadline = System.nanoTime() + WAIT_FOR_READY.toNanos();
        while (!closed && System.nanoTime() < deadline) {
            for (Gateway gateway : gateways) {
                if (ready(gateway)) {
                    return gateway;
                }
            }
            sleep(Duration.ofMillis(10));
        }
        return null;
    }

    /** Copies one direction; at its end passes the half-close on; the last direction to end closes both sockets. */
    private static void pump(Socket from, Socket to, AtomicInteger directionsOpen) {
        byte[] buffer = new byte[16384];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // A reset on one side resets the other, as through a NAT.
            closeQuietly(from);
            closeQuietly(to);
        }
        if (directionsOpen.decrementAndGet() == 0) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        threads.shutdownNow();
    }
}
