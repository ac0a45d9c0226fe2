package dev.wci.server.service;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import dev.wci.core.version.ScalingGroupId;
import dev.wci.core.version.TaskQueueType;
import java.util.Set;

/** A version WCI should invoke workers for: its target, the task queue types its workers poll, its policy. */
public record ManagedVersion(DeploymentVersion version, ComputeTarget target, Set<TaskQueueType> taskQueueTypes,
                             ScalingPolicy policy) {

    public ManagedVersion {
        taskQueueTypes = Set.copyOf(taskQueueTypes);
    }

    public ScalingGroup group() {
        return new ScalingGroup(ScalingGroupId.defaultFor(version), taskQueueTypes, target);
    }
}
