package dev.wci.core.signal.stats;

import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.SignalSink;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns one version's successive stats answers into matching signals; the server's stats source and the simulator
 * run this same code. One instance per version, owned by one poller (not thread-safe).
 *
 * <p>For every queue in an answer, a {@link BacklogObservation} whose staleness is {@link #STALENESS} (5 s):
 * Temporal caches these stats for 5 s per layer, so the value is between 0 and ~10 s old; 5 s is the typical age
 * (two layers, each half a cache period on average) and keeps the scaler from either trusting the numbers as
 * current or discarding them as too old.
 *
 * <p>Then a {@link SyncMatchFailure} when the backlog appeared or grew: tasks were added that no live worker took
 * (a backlog only grows while too few workers poll). The first time a queue is seen a backlog above zero counts
 * whole; afterwards an increase over the previous answer counts as the increase. A flat or shrinking backlog emits
 * nothing (the server's cache repeats values, and a steady backlog is sizing work, told by the observation). When
 * the queue's own rate limit is active the increase is reported as rate-limited, not unmatched: more workers would
 * not help. The failure is stamped at the observation's as-of time ({@code at - staleness}) and marked
 * {@link SyncMatchFailure.Origin#STATS_GROWTH}: the scaler takes its tasks as already in that observation's backlog,
 * and as the same tasks a push may have reported, so they are not counted twice.
 */
public final class StatsSignals {

    /** How old stats are taken to be (see the type description). */
    public static final Duration STALENESS = Duration.ofSeconds(5);

    private record QueueKey(String name, TaskQueueType type) {
    }

    private final DeploymentVersion version;
    private final Map<QueueKey, Long> lastBacklog = new HashMap<>();

    public StatsSignals(DeploymentVersion version) {
        this.version = Objects.requireNonNull(version, "version");
    }

    /**
     * Emits the signals of one answer read at {@code at}; queues absent from it are forgotten (a later backlog on
     * them counts whole again).
     *
     * @return whether the version is busy: a backlog or an add rate above zero on one of its queues
     */
    public boolean accept(List<QueueStats> queues, Instant at, SignalSink sink) {
        Set<QueueKey> present = new HashSet<>();
        boolean busy = false;
        for (QueueStats s : queues) {
            QueueKey key = new QueueKey(s.taskQueue(), s.type());
            present.add(key);
            sink.accept(new BacklogObservation(version, s.taskQueue(), s.type(), s.backlog(), s.backlogAge(),
                    s.addRate(), s.dispatchRate(), s.rateLimited(), at, STALENESS));
            Long previous = lastBacklog.put(key, s.backlog());
            long increase = previous == null ? s.backlog() : s.backlog() - previous;
            if (increase > 0) {
                sink.accept(new SyncMatchFailure(version, s.taskQueue(), s.type(), s.rateLimited() ? 0 : increase,
                        s.rateLimited() ? increase : 0, at.minus(STALENESS), Origin.STATS_GROWTH));
            }
            busy |= s.backlog() > 0 || s.addRate() > 0;
        }
        lastBacklog.keySet().retainAll(present);
        return busy;
    }
}
