package dev.wci.server.push;

import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.version.DeploymentVersion;

/**
 * Which task queues Temporal lists for a version ({@code DescribeWorkerDeploymentVersion.version_task_queues},
 * as the registry last read it). The push source raises signals only for these, plus a few not listed yet (see
 * {@link TaskQueueGate}). Called once per pushed event: must be thread-safe and cheap (no call to Temporal).
 */
@FunctionalInterface
public interface ListedTaskQueues {

    /** Whether Temporal lists {@code queue} (name and type) for {@code version}. */
    boolean lists(DeploymentVersion version, RegisteredTaskQueue queue);
}
