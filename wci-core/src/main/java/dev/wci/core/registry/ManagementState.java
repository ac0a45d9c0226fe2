package dev.wci.core.registry;

/** Whether WCI invokes workers for a version, and if not, why not. */
public enum ManagementState {
    /** Mapped to a target, known to Temporal, not run by the server's own WCI: WCI scales it. */
    MANAGED,
    /**
     * Temporal's own worker controller runs it ({@code compute_config} is set on the version): the server
     * already invokes its workers, so WCI must not, whatever the mapping says.
     */
    SERVER_MANAGED,
    /** Mapped in the configuration, but Temporal does not know the version (yet: or the registry has not synced). */
    NOT_IN_TEMPORAL,
    /** Known to Temporal, but no target is mapped (none in the file, none usable in its metadata). */
    UNMAPPED
}
