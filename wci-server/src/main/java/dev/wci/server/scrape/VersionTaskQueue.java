package dev.wci.server.scrape;

import dev.wci.core.version.DeploymentVersion;
import java.util.Objects;

/**
 * A task queue that a version's workers poll, as Temporal lists it in the version's
 * {@code DescribeWorkerDeploymentVersion.version_task_queues}.
 */
public record VersionTaskQueue(DeploymentVersion version, String taskQueue) {

    public VersionTaskQueue {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(taskQueue, "taskQueue");
        if (taskQueue.isBlank()) {
            throw new IllegalArgumentException("taskQueue must not be blank");
        }
    }
}
