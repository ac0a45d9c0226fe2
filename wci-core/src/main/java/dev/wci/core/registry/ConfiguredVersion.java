package dev.wci.core.registry;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.version.TaskQueueType;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A version mapped in the configuration file.
 *
 * @param buildId        the Temporal build ID
 * @param target         where its workers run
 * @param taskQueueTypes the task queue types its workers poll (not empty)
 */
public record ConfiguredVersion(String buildId, ComputeTarget target, Set<TaskQueueType> taskQueueTypes) {

    public ConfiguredVersion {
        Objects.requireNonNull(buildId, "buildId");
        Objects.requireNonNull(target, "target");
        if (buildId.isBlank()) {
            throw new IllegalArgumentException("buildId must not be blank");
        }
        if (taskQueueTypes == null || taskQueueTypes.isEmpty()) {
            throw new IllegalArgumentException("a version serves at least one task queue type");
        }
        taskQueueTypes = Set.copyOf(EnumSet.copyOf(taskQueueTypes));
    }

    /** A version whose workers poll every task queue type. */
    public ConfiguredVersion(String buildId, ComputeTarget target) {
        this(buildId, target, EnumSet.allOf(TaskQueueType.class));
    }
}
