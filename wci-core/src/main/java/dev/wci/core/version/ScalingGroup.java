package dev.wci.core.version;

import dev.wci.core.compute.ComputeTarget;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/** A scaling group: which task queue types of a version it serves, and the target that runs its workers. */
public record ScalingGroup(ScalingGroupId id, Set<TaskQueueType> taskQueueTypes, ComputeTarget target) {

    public ScalingGroup {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(target, "target");
        if (taskQueueTypes == null || taskQueueTypes.isEmpty()) {
            throw new IllegalArgumentException("a scaling group serves at least one task queue type");
        }
        taskQueueTypes = Set.copyOf(EnumSet.copyOf(taskQueueTypes));
    }

    /** A group serving every task queue type of the version. */
    public static ScalingGroup allTypes(DeploymentVersion version, ComputeTarget target) {
        return new ScalingGroup(ScalingGroupId.defaultFor(version), EnumSet.allOf(TaskQueueType.class), target);
    }

    public boolean serves(TaskQueueType type) {
        return taskQueueTypes.contains(type);
    }
}
