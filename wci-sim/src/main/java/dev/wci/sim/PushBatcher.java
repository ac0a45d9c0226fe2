package dev.wci.sim;

import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns raw "task not matched" events into push signals the way Temporal's matching service batches
 * them for its embedded WCI: at most one signal per {@code interval} (500 ms) per version and queue,
 * carrying the count of tasks not matched since the previous signal. The first event after a quiet
 * period (no signal for {@code interval}) is sent at once; later ones wait for the interval to end.
 *
 * <p>Every push-signal algorithm is fed by this same class, so they all see the same stream.
 */
public final class PushBatcher {

    /** Temporal's batching interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);

    private record Key(DeploymentVersion version, String taskQueue, TaskQueueType type) {
    }

    private static final class State {
        long lastSent = Long.MIN_VALUE / 2;
        long pending;
        boolean flushScheduled;
    }

    private final EventQueue events;
    private final long interval;
    private final Consumer<SyncMatchFailure> sink;
    private final Map<Key, State> states = new HashMap<>();
    private long signalsSent;

    public PushBatcher(EventQueue events, Duration interval, Consumer<SyncMatchFailure> sink) {
        this.events = events;
        this.interval = interval.toNanos();
        this.sink = sink;
    }

    /** One task of {@code version} found no worker waiting. */
    public void onNotMatched(DeploymentVersion version, String taskQueue, TaskQueueType type) {
        Key key = new Key(version, taskQueue, type);
        State s = states.computeIfAbsent(key, k -> new State());
        s.pending++;
        if (s.flushScheduled) {
            return;
        }
        long now = events.clock().nanos();
        if (now - s.lastSent >= interval) {
            emit(key, s, now);
        } else {
            s.flushScheduled = true;
            events.at(s.lastSent + interval, () -> {
                s.flushScheduled = false;
                if (s.pending > 0) {
                    emit(key, s, events.clock().nanos());
                }
            });
        }
    }

    /** Signals delivered so far. */
    public long signalsSent() {
        return signalsSent;
    }

    private void emit(Key key, State s, long now) {
        long count = s.pending;
        s.pending = 0;
        s.lastSent = now;
        signalsSent++;
        sink.accept(new SyncMatchFailure(key.version, key.taskQueue, key.type, count, 0, SimClock.toInstant(now),
                Origin.PUSH));
    }
}
