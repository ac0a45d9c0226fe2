package dev.wci.core.census;

/** A worker's state as Temporal's worker census reports it. */
public enum CensusStatus {
    /** The worker runs and polls (or is about to). */
    RUNNING,
    /** The worker announced its shutdown: it takes no new work. */
    SHUTTING_DOWN,
    /** The worker stopped. */
    SHUTDOWN
}
