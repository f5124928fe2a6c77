package io.ingressgateway.status;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.ingressgateway.config.IngressGatewayProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Leader election among the gateway's replicas on a coordination.k8s.io Lease, so that exactly one of them writes
 * Ingress status and Events. Runs on its own thread: an elector campaigns until it leads, renews until it fails to,
 * then a fresh elector re-enters the election (fabric8's electors are single-use). Stopping releases the Lease, so a
 * rolling update hands leadership over without waiting for the lease to expire.
 */
public final class LeaderElection implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    /**
     * The election's clock: how long a lease is valid, how long the leader keeps trying to renew before giving up,
     * and how often candidates retry.
     */
    public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

        public static final Timing DEFAULT = new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(2));
    }

    /** Where the Lease lives and who this replica is. */
    public record Settings(String leaseNamespace, String leaseName, String identity) {

        /**
         * Fills what the properties leave empty: the namespace from {@code POD_NAMESPACE} (else {@code default}),
         * the identity from {@code POD_NAME} (else the host name).
         */
        public static Settings resolve(IngressGatewayProperties.Status status, Map<String, String> env) {
            String namespace = firstNonBlank(status.leaseNamespace(), env.get("POD_NAMESPACE"), "default");
            String identity = firstNonBlank(status.identity(), env.get("POD_NAME"), hostName());
            return new Settings(namespace, status.leaseName(), identity);
        }

        private static String hostName() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                // Two replicas with the same identity would both believe they lead; a random one is safe.
                return "ingress-gateway-" + UUID.randomUUID();
            }
        }

        private static String firstNonBlank(String... candidates) {
            for (String candidate : candidates) {
                if (candidate != null && !candidate.isBlank()) {
                    return candidate.trim();
                }
            }
            throw new IllegalArgumentException("no value");
        }
    }

    /** Told when this replica starts or stops leading. Called on the election's threads: return quickly. */
    @FunctionalInterface
    public interface LeadershipListener {
        void leadershipChanged(boolean leading);
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final Timing timing;
    private final List<LeadershipListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean leader;
    private volatile boolean running;
    private volatile String observedLeader;
    private Thread thread;

    public LeaderElection(KubernetesClient client, Settings settings, Timing timing) {
        this.client = client;
        this.settings = settings;
        this.timing = timing;
    }

    public void addListener(LeadershipListener listener) {
        listeners.add(listener);
    }

    /** Whether this replica holds the Lease right now. */
    public boolean isLeader() {
        return leader;
    }

    /** The identity of the replica that leads, as last observed, or null before the first observation. */
    public String observedLeader() {
        return observedLeader;
    }

    public String identity() {
        return settings.identity();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::campaign, "ingress-status-leader-election");
        thread.setDaemon(true);
        thread.start();
        log.info("Leader election started on Lease {}/{} as {}", settings.leaseNamespace(), settings.leaseName(),
                settings.identity());
    }

    @Override
    public void stop() {
        Thread campaigner;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            campaigner = thread;
            thread = null;
        }
        // Interrupting the blocked elector cancels it, which releases the Lease when we hold it.
        campaigner.interrupt();
        try {
            campaigner.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void campaign() {
        while (running) {
            try {
                LeaderElector elector = client.leaderElector().withConfig(config()).build();
                // Blocks while campaigning and while leading; returns once leadership is lost or on interrupt.
                elector.run();
            } catch (RuntimeException e) {
                log.warn("Leader election on Lease {}/{} failed; retrying", settings.leaseNamespace(),
                        settings.leaseName(), e);
            }
            if (!running || Thread.currentThread().isInterrupted()) {
                break;
            }
            try {
                Thread.sleep(timing.retryPeriod().toMillis());
            } catch (InterruptedException e) {
                break;
            }
        }
        setLeader(false);
    }

    private LeaderElectionConfig config() {
        return new LeaderElectionConfigBuilder()
                .withName("ingress-gateway")
                .withLock(new LeaseLock(settings.leaseNamespace(), settings.leaseName(), settings.identity()))
                .withLeaseDuration(timing.leaseDuration())
                .withRenewDeadline(timing.renewDeadline())
                .withRetryPeriod(timing.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(
                        () -> setLeader(true),
                        () -> setLeader(false),
                        this::newLeader))
                .build();
    }

    private void newLeader(String identity) {
        observedLeader = identity;
        if (identity == null || identity.isEmpty()) {
            // A leader that stops gracefully empties the holder, so a successor need not wait for expiry.
            log.info("Lease {}/{} released; electing a new leader", settings.leaseNamespace(), settings.leaseName());
            return;
        }
        log.info("Ingress status leader is now {}{}", identity,
                settings.identity().equals(identity) ? " (this replica)" : "");
    }

    private synchronized void setLeader(boolean leading) {
        if (leader == leading) {
            return;
        }
        leader = leading;
        if (!leading) {
            log.info("{} stopped leading", settings.identity());
        }
        for (LeadershipListener listener : listeners) {
            try {
                listener.leadershipChanged(leading);
            } catch (RuntimeException e) {
                log.error("Leadership listener {} failed", listener, e);
            }
        }
    }
}
