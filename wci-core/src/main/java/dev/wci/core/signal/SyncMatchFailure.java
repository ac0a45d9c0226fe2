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
 */
public record SyncMatchFailure(DeploymentVersion version, String taskQueue, TaskQueueType type,
                               long notMatchedCount, long rateLimitedCount, Instant observedAt)
        implements MatchingSignal {

    public SyncMatchFailure {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(taskQueue, "taskQueue");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(observedAt, "observedAt");
        if (notMatchedCount < 0 || rateLimitedCount < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
        if (notMatchedCount == 0 && rateLimitedCount == 0) {
            throw new IllegalArgumentException("a sync-match failure carries at least one task");
        }
    }
}
