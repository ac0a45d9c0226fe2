package dev.wci.core.registry;

import dev.wci.core.compute.ComputeTarget;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What Temporal said about one existing version of a deployment.
 *
 * @param buildId          the build ID
 * @param drainage         its drainage status
 * @param taskQueues       the task queues its workers have polled (empty: no worker has polled yet)
 * @param computeConfigSet the server's own worker controller manages it ({@code compute_config} present)
 * @param metadataTarget   the target named in its metadata, when the deployment reads targets from metadata
 *                         and the value is usable
 * @param metadataProblem  why a target in its metadata is not usable (unreadable, mutable, not an ARN...)
 */
public record VersionObservation(String buildId, DrainageStatus drainage, List<RegisteredTaskQueue> taskQueues,
                                 boolean computeConfigSet, Optional<ComputeTarget> metadataTarget,
                                 Optional<String> metadataProblem) {

    public VersionObservation {
        Objects.requireNonNull(buildId, "buildId");
        Objects.requireNonNull(drainage, "drainage");
        Objects.requireNonNull(metadataTarget, "metadataTarget");
        Objects.requireNonNull(metadataProblem, "metadataProblem");
        taskQueues = taskQueues.stream().distinct().sorted().toList();
    }

    /** A version with task queues and nothing else of note. */
    public static VersionObservation of(String buildId, DrainageStatus drainage, List<RegisteredTaskQueue> queues) {
        return new VersionObservation(buildId, drainage, queues, false, Optional.empty(), Optional.empty());
    }
}
