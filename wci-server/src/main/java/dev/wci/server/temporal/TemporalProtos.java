package dev.wci.server.temporal;

import dev.wci.core.registry.DrainageStatus;
import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import io.temporal.api.enums.v1.VersionDrainageStatus;
import io.temporal.api.enums.v1.WorkerDeploymentVersionStatus;
import java.time.Duration;
import java.util.Optional;

/** Conversions between Temporal's protos and WCI's model. */
final class TemporalProtos {

    /** Temporal's name for unversioned workers in the deprecated string fields. */
    static final String UNVERSIONED = "__unversioned__";

    private TemporalProtos() {
    }

    static Optional<TaskQueueType> taskQueueType(io.temporal.api.enums.v1.TaskQueueType type) {
        return switch (type) {
            case TASK_QUEUE_TYPE_WORKFLOW -> Optional.of(TaskQueueType.WORKFLOW);
            case TASK_QUEUE_TYPE_ACTIVITY -> Optional.of(TaskQueueType.ACTIVITY);
            case TASK_QUEUE_TYPE_NEXUS -> Optional.of(TaskQueueType.NEXUS);
            default -> Optional.empty();
        };
    }

    static Optional<RegisteredTaskQueue> taskQueue(String name, io.temporal.api.enums.v1.TaskQueueType type) {
        return name.isBlank() ? Optional.empty() : taskQueueType(type).map(t -> new RegisteredTaskQueue(name, t));
    }

    /** Drainage from the version status where it says so, else from the drainage info. */
    static DrainageStatus drainage(WorkerDeploymentVersionStatus status, VersionDrainageStatus drainage) {
        if (status == WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINED) {
            return DrainageStatus.DRAINED;
        }
        if (status == WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING) {
            return DrainageStatus.DRAINING;
        }
        if (status == WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_CURRENT
                || status == WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_RAMPING) {
            return DrainageStatus.NONE;
        }
        return switch (drainage) {
            case VERSION_DRAINAGE_STATUS_DRAINING -> DrainageStatus.DRAINING;
            case VERSION_DRAINAGE_STATUS_DRAINED -> DrainageStatus.DRAINED;
            default -> DrainageStatus.NONE;
        };
    }

    /**
     * A version from its structured form, or from the deprecated string ({@code <deployment>.<buildId>} in
     * older servers, {@code <deployment>:<buildId>} in newer ones); empty for unversioned or unset.
     */
    static Optional<DeploymentVersion> version(String deploymentName,
                                               io.temporal.api.deployment.v1.WorkerDeploymentVersion structured,
                                               boolean hasStructured, String deprecated) {
        if (hasStructured && !structured.getBuildId().isEmpty()) {
            String name = structured.getDeploymentName().isEmpty() ? deploymentName : structured.getDeploymentName();
            return Optional.of(new DeploymentVersion(name, structured.getBuildId()));
        }
        if (deprecated.isEmpty() || deprecated.equals(UNVERSIONED)) {
            return Optional.empty();
        }
        for (String sep : new String[] {":", "."}) {
            String prefix = deploymentName + sep;
            if (deprecated.startsWith(prefix) && deprecated.length() > prefix.length()) {
                return Optional.of(new DeploymentVersion(deploymentName, deprecated.substring(prefix.length())));
            }
        }
        return Optional.empty();
    }

    static Duration duration(com.google.protobuf.Duration d) {
        return Duration.ofSeconds(d.getSeconds(), d.getNanos());
    }

    /** Rates arrive as floats: anything not a finite non-negative number counts as zero. */
    static double rate(float value) {
        return Float.isFinite(value) && value > 0 ? value : 0;
    }
}
