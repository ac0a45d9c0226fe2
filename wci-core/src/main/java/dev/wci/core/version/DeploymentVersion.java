package dev.wci.core.version;

import java.util.Objects;

/**
 * A Temporal Worker Deployment Version: a deployment name plus a build ID.
 * It is the unit WCI scales: every version maps to exactly one immutable compute target.
 */
public record DeploymentVersion(String deploymentName, String buildId) implements Comparable<DeploymentVersion> {

    public DeploymentVersion {
        requireName(deploymentName, "deploymentName");
        requireName(buildId, "buildId");
    }

    private static void requireName(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
    }

    /** Parses {@code deployment:buildId}, the form used in logs, metrics and configuration. */
    public static DeploymentVersion parse(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected <deployment>:<buildId>, got '" + text + "'");
        }
        return new DeploymentVersion(text.substring(0, colon), text.substring(colon + 1));
    }

    @Override
    public int compareTo(DeploymentVersion o) {
        int c = deploymentName.compareTo(o.deploymentName);
        return c != 0 ? c : buildId.compareTo(o.buildId);
    }

    @Override
    public String toString() {
        return deploymentName + ":" + buildId;
    }
}
