package dev.wci.core.registry;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the registry last learned from Temporal about a version.
 *
 * @param exists           Temporal knows the version
 * @param drainage         its drainage status
 * @param taskQueues       task queues its workers have polled; empty means no worker of it has polled yet, so a
 *                         first (bootstrap) invocation is needed before Temporal can route anything to it
 * @param computeConfigSet the server's own worker controller manages it
 * @param observedAt       when this was learned; empty before the first sync
 */
public record TemporalFacts(boolean exists, DrainageStatus drainage, List<RegisteredTaskQueue> taskQueues,
                            boolean computeConfigSet, Optional<Instant> observedAt) {

    /** Nothing learned yet. */
    public static final TemporalFacts UNKNOWN =
            new TemporalFacts(false, DrainageStatus.NONE, List.of(), false, Optional.empty());

    public TemporalFacts {
        Objects.requireNonNull(drainage, "drainage");
        Objects.requireNonNull(observedAt, "observedAt");
        taskQueues = taskQueues.stream().distinct().sorted().toList();
    }

    TemporalFacts withTaskQueues(List<RegisteredTaskQueue> queues, Instant at) {
        return new TemporalFacts(exists, drainage, queues, computeConfigSet, Optional.of(at));
    }
}
