package dev.wci.core.registry;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.RoutingState;
import dev.wci.core.version.TaskQueueType;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the registry knows about one version.
 *
 * @param version        the version
 * @param routing        where Temporal routes work for it
 * @param state          whether WCI scales it
 * @param target         the target its workers run on, if mapped (also kept when server-managed, for display)
 * @param targetSource   where the target came from
 * @param taskQueueTypes task queue types its workers poll (all for metadata targets)
 * @param temporal       what Temporal said about it
 * @param conflicts      problems with its mapping (empty when none)
 */
public record VersionEntry(DeploymentVersion version, RoutingState routing, ManagementState state,
                           Optional<ComputeTarget> target, Optional<TargetSource> targetSource,
                           Set<TaskQueueType> taskQueueTypes, TemporalFacts temporal, List<Conflict> conflicts) {

    public VersionEntry {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(targetSource, "targetSource");
        Objects.requireNonNull(temporal, "temporal");
        if (target.isPresent() != targetSource.isPresent()) {
            throw new IllegalArgumentException("a target comes with its source");
        }
        if (state == ManagementState.MANAGED && target.isEmpty()) {
            throw new IllegalArgumentException("a managed version has a target");
        }
        taskQueueTypes = taskQueueTypes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(taskQueueTypes));
        conflicts = List.copyOf(conflicts);
    }

    public boolean isManaged() {
        return state == ManagementState.MANAGED;
    }

    /**
     * A managed version no worker has polled yet: Temporal lists no task queue for it, so it cannot be made
     * Current or Ramping and its queues show no stats. Invoking one worker (a bootstrap) registers them.
     */
    public boolean needsBootstrap() {
        return state == ManagementState.MANAGED && temporal.taskQueues().isEmpty();
    }
}
