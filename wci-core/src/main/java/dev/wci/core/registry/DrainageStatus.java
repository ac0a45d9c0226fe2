package dev.wci.core.registry;

/** Temporal's drainage status of a version that is no longer Current or Ramping. */
public enum DrainageStatus {
    /** Not reported: the version is Current, Ramping, or was never activated. */
    NONE,
    /** Pinned workflows are still open on it: their tasks keep arriving. */
    DRAINING,
    /** No open pinned workflow is left on it (Temporal checks this every few minutes). */
    DRAINED
}
