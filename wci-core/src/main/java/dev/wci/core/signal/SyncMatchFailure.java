package dev.wci.core.signal;

import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import java.time.Instant;
import java.util.Objects;

/**
 * Tasks were added to a queue of the version and found no worker waiting: the version needs (more)
 * capacity now.
 *
 * @param notMatchedCount  tasks that went to the backlog in this batch (at least 1 unless only rate limited)
 * @param rateLimitedCount tasks not matched because the queue's own rate limit applied; more workers do not help those
 * @param origin           how the failure was learnt: the scaler combines the two kinds differently (docs/scaler.md)
 */
public record SyncMatchFailure(DeploymentVersion version, String taskQueue, TaskQueueType type,
                               long notMatchedCount, long rateLimitedCount, Instant observedAt, Origin origin)
        implements MatchingSignal {

    /** How a sync-match failure was learnt. */
    public enum Origin {
        /**
         * Counted by Temporal's matching service as the tasks were added, one batch per event: a push event, an invoke
         * from the server's own worker controller (Lambda endpoint), a rise of the matching-metrics counters. Stamped
         * when WCI received it, up to about a second after the tasks were added.
         */
        PUSH,
        /**
         * Derived from task queue stats: the backlog grew between two answers, stamped at the newer answer's as-of
         * time. Its tasks are in that answer's backlog, and may be tasks a push already reported.
         */
        STATS_GROWTH
    }

    public SyncMatchFailure {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(taskQueue, "taskQueue");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(observedAt, "observedAt");
        Objects.requireNonNull(origin, "origin");
        if (notMatchedCount < 0 || rateLimitedCount < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
        if (notMatchedCount == 0 && rateLimitedCount == 0) {
            throw new IllegalArgumentException("a sync-match failure carries at least one task");
        }
    }
}
