package dev.wci.server.config;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.version.TaskQueueType;
import java.util.Set;

/**
 * One version of a deployment and the target that runs its workers ({@code deployments[].versions[]}).
 *
 * @param buildId        the Temporal build ID
 * @param target         provider {@code aws-lambda}, the qualified ARN, {@code allowMutableTarget}, and per-target
 *                       settings (assume-role keys of {@code dev.wci.lambda.credentials.AssumeRoleSettings})
 * @param taskQueueTypes which task queue types its workers poll (default all)
 * @param location       where the version is written, for validation reports
 */
public record VersionConfig(String buildId, ComputeTarget target, Set<TaskQueueType> taskQueueTypes,
                            ConfigLocation location) {

    public VersionConfig {
        taskQueueTypes = Set.copyOf(taskQueueTypes);
    }
}
