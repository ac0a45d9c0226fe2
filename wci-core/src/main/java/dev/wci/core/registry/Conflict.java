package dev.wci.core.registry;

import dev.wci.core.version.DeploymentVersion;
import java.util.Objects;

/**
 * Something about a version's mapping an operator should fix.
 *
 * @param version the version
 * @param kind    what is wrong
 * @param message what was found and what wins, in words
 */
public record Conflict(DeploymentVersion version, Kind kind, String message) {

    /** Kinds of conflict. */
    public enum Kind {
        /** The metadata names a different target than the file: the file's target is used. */
        METADATA_TARGET_DIFFERS,
        /** The metadata names a target that cannot be used (not a qualified ARN, unreadable): ignored. */
        METADATA_TARGET_INVALID,
        /** The metadata names a target another version already uses: ignored, the version stays unmapped. */
        DUPLICATE_TARGET,
        /** The version is mapped, but the server's own worker controller manages it: WCI leaves it alone. */
        SERVER_MANAGED
    }

    public Conflict {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return version + ": " + message;
    }
}
