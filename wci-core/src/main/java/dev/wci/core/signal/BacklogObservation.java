package dev.wci.core.signal;

import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot of a queue's statistics, as Temporal's {@code TaskQueueStats} reports them.
 *
 * @param backlogCount       approximate tasks waiting
 * @param backlogAge         age of the oldest waiting task
 * @param addRate            tasks added per second (Temporal: 30 s window)
 * @param dispatchRate       tasks dispatched to workers per second (30 s window)
 * @param rateLimitingActive the queue's own rate limit is the bottleneck: more workers would not help
 * @param staleness          how old the data may be when observed (Temporal caches stats for up to ~10 s)
 */
public record BacklogObservation(DeploymentVersion version, String taskQueue, TaskQueueType type,
                                 long backlogCount, Duration backlogAge, double addRate, double dispatchRate,
                                 boolean rateLimitingActive, Instant observedAt, Duration staleness)
        implements MatchingSignal {

    public BacklogObservation {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(taskQueue, "taskQueue");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(backlogAge, "backlogAge");
        Objects.requireNonNull(observedAt, "observedAt");
        Objects.requireNonNull(staleness, "staleness");
        if (backlogCount < 0 || !(addRate >= 0) || !(dispatchRate >= 0) || staleness.isNegative()) {
            throw new IllegalArgumentException("backlog, rates and staleness must not be negative");
        }
    }

    /** The moment the data describes: observed-at minus staleness. */
    public Instant asOf() {
        return observedAt.minus(staleness);
    }
}
