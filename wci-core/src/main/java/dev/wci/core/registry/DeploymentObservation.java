package dev.wci.core.registry;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One complete look at a deployment in Temporal: its routing and every version it has.
 *
 * @param deploymentName the deployment
 * @param exists         whether Temporal knows the deployment (it is created when a first worker polls)
 * @param routing        its routing config ({@link Routing#NONE} when it does not exist)
 * @param versions       every version Temporal lists for it; versions not listed do not exist in Temporal
 * @param observedAt     when the look was taken
 */
public record DeploymentObservation(String deploymentName, boolean exists, Routing routing,
                                    List<VersionObservation> versions, Instant observedAt) {

    public DeploymentObservation {
        Objects.requireNonNull(deploymentName, "deploymentName");
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(observedAt, "observedAt");
        versions = List.copyOf(versions);
        if (!exists && !versions.isEmpty()) {
            throw new IllegalArgumentException("a deployment Temporal does not know has no versions");
        }
        Set<String> seen = new HashSet<>();
        for (VersionObservation v : versions) {
            if (!seen.add(v.buildId())) {
                throw new IllegalArgumentException("version " + v.buildId() + " observed twice");
            }
        }
    }

    /** Temporal does not know the deployment. */
    public static DeploymentObservation absent(String deploymentName, Instant observedAt) {
        return new DeploymentObservation(deploymentName, false, Routing.NONE, List.of(), observedAt);
    }
}
