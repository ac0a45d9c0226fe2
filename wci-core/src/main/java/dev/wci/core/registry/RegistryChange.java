package dev.wci.core.registry;

import java.util.Objects;
import java.util.Optional;

/**
 * A change the registry reports to its listeners, so the service can add and remove scaling groups.
 * For a version, at most one of these is reported per update.
 */
public sealed interface RegistryChange {

    /** The version is now managed (it was not): start scaling it on {@code entry.target()}. */
    record VersionManaged(VersionEntry entry) implements RegistryChange {
        public VersionManaged {
            Objects.requireNonNull(entry, "entry");
        }
    }

    /**
     * The version is no longer managed: stop invoking it. {@code before} is its last managed entry; {@code after}
     * says why, and is empty when the version is gone altogether (deleted in Temporal, and not in the file).
     * Becoming server-managed is reported as {@link VersionServerManaged} instead.
     */
    record VersionUnmanaged(VersionEntry before, Optional<VersionEntry> after) implements RegistryChange {
        public VersionUnmanaged {
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
        }
    }

    /** A managed version's target changed (its metadata was updated): invoke the new target from now on. */
    record TargetChanged(VersionEntry before, VersionEntry after) implements RegistryChange {
        public TargetChanged {
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
        }
    }

    /**
     * The server's own worker controller now manages the version: WCI must not invoke it. {@code before} is the
     * previous entry (if it was managed, stop scaling it); empty when the version is new to the registry.
     */
    record VersionServerManaged(Optional<VersionEntry> before, VersionEntry after) implements RegistryChange {
        public VersionServerManaged {
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
        }

        /** Whether WCI was scaling the version until now. */
        public boolean wasManaged() {
            return before.map(VersionEntry::isManaged).orElse(false);
        }
    }

    /** The deployment's Current or Ramping version, or the ramp percentage, changed. */
    record RoutingChanged(String deploymentName, Routing before, Routing after) implements RegistryChange {
        public RoutingChanged {
            Objects.requireNonNull(deploymentName, "deploymentName");
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
        }
    }
}
