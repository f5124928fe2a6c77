package io.ingressgateway.controller;

import io.ingressgateway.pipeline.ListenerStage;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.pipeline.RouteModelListener;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.source.ClusterStateSource;
import io.ingressgateway.translate.IngressTranslator;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Source, translator, listeners: one direction. Every snapshot the source delivers is translated into a route model
 * and handed to each listener, in the order of their {@link ListenerStage}s. A failure in translation or in one
 * listener is logged and never stops the pipeline; the last good model keeps serving.
 */
public final class ControllerPipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControllerPipeline.class);

    private final ClusterStateSource source;
    private final IngressTranslator translator;
    private final List<RouteModelListener> listeners;
    private final PipelineObserver observer;
    private final AtomicReference<PipelineState> current = new AtomicReference<>(PipelineState.EMPTY);
    private volatile boolean synced;

    /** A pipeline nobody measures. */
    public ControllerPipeline(ClusterStateSource source, IngressTranslator translator,
                              List<RouteModelListener> listeners) {
        this(source, translator, listeners, PipelineObserver.NONE);
    }

    /** @throws IllegalArgumentException when two listeners claim the same stage: the order would be a guess */
    public ControllerPipeline(ClusterStateSource source, IngressTranslator translator,
                              List<RouteModelListener> listeners, PipelineObserver observer) {
        this.source = source;
        this.translator = translator;
        this.observer = observer;
        Map<ListenerStage, RouteModelListener> byStage = new EnumMap<>(ListenerStage.class);
        for (RouteModelListener listener : listeners) {
            RouteModelListener other = byStage.put(listener.stage(), listener);
            if (other != null) {
                throw new IllegalArgumentException("Listeners " + other + " and " + listener + " both claim stage "
                        + listener.stage());
            }
        }
        this.listeners = listeners.stream().sorted(Comparator.comparing(RouteModelListener::stage)).toList();
    }

    /** The listeners, in the order they are called. */
    public List<RouteModelListener> listeners() {
        return listeners;
    }

    public void start() {
        log.info("Reading cluster state from {}", source.description());
        source.start(this::accept);
    }

    void accept(ClusterSnapshot snapshot) {
        long start = System.nanoTime();
        PipelineState state;
        try {
            state = new PipelineState(snapshot, translator.translate(snapshot));
        } catch (RuntimeException e) {
            log.error("Translation of snapshot {} failed; keeping the previous route model", snapshot.revision(), e);
            observer.translated(System.nanoTime() - start);
            observer.applied(false);
            return;
        }
        long translated = System.nanoTime();
        observer.translated(translated - start);
        current.set(state);
        StringBuilder timings = new StringBuilder();
        boolean everyListener = true;
        for (RouteModelListener listener : listeners) {
            long listenerStart = System.nanoTime();
            try {
                listener.onModel(state);
            } catch (RuntimeException e) {
                log.error("Route model listener {} failed on revision {}", listener, snapshot.revision(), e);
                everyListener = false;
            }
            long took = System.nanoTime() - listenerStart;
            observer.stageApplied(listener.stage(), took);
            timings.append(", ").append(listener.getClass().getSimpleName()).append(' ')
                    .append(millis(took)).append(" ms");
        }
        observer.applied(everyListener);
        boolean first = !synced;
        synced = true;
        if (first || log.isDebugEnabled()) {
            // Where a change's time goes: the first sync is the start-up path, later ones the convergence path.
            String message = "Revision {}: translated in {} ms" + timings + "; {} ms in all";
            Object[] arguments = {snapshot.revision(), millis(translated - start), millis(System.nanoTime() - start)};
            if (first) {
                log.info(message, arguments);
            } else {
                log.debug(message, arguments);
            }
        }
    }

    /** Milliseconds with one decimal: most listeners take well under one. */
    private static String millis(long nanos) {
        long tenths = nanos / 100_000;
        return tenths / 10 + "." + tenths % 10;
    }

    /** The latest snapshot and model. */
    public PipelineState current() {
        return current.get();
    }

    /** Whether the first complete snapshot has been translated and handed to every listener. */
    public boolean synced() {
        return synced;
    }

    public String sourceDescription() {
        return source.description();
    }

    @Override
    public void close() {
        source.close();
    }
}
