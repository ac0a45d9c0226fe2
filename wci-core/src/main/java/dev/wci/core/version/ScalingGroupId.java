package dev.wci.core.version;

import java.util.Objects;

/**
 * One scaling group of a version: a set of task queue types served by one compute target.
 * Most versions have a single group named {@value #DEFAULT_NAME}.
 */
public record ScalingGroupId(DeploymentVersion version, String name) {

    public static final String DEFAULT_NAME = "default";

    public ScalingGroupId {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("scaling group name must not be blank");
        }
    }

    public static ScalingGroupId defaultFor(DeploymentVersion version) {
        return new ScalingGroupId(version, DEFAULT_NAME);
    }

    @Override
    public String toString() {
        return version + "/" + name;
    }
}
