package dev.wci.server.lambdaendpoint;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.version.DeploymentVersion;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which version a Lambda function ARN is the target of, as WCI's registry knows it. Called once per request:
 * must be thread-safe and cheap (no call to Temporal or AWS).
 * Implemented over the registry by the service; the endpoint answers 404 for ARNs it does not find.
 */
@FunctionalInterface
public interface FunctionMap {

    /** The version whose target is the function {@code qualifiedArn}, if any. */
    Optional<MappedFunction> find(String qualifiedArn);

    /**
     * A version and what the endpoint needs of it.
     *
     * @param version the version
     * @param target  its target (for forwarding: the ARN and any role)
     * @param managed whether WCI invokes it now
     * @param queues  the task queues Temporal lists for it (empty before its first worker polled)
     */
    public record MappedFunction(DeploymentVersion version, ComputeTarget target, boolean managed,
                          List<RegisteredTaskQueue> queues) {
        public MappedFunction {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(target, "target");
            queues = List.copyOf(queues);
        }
    }
}
