package dev.wci.core.signal;

import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import java.time.Instant;

/**
 * What a signal source learned about one task queue of a version. Every source (stats polling,
 * metrics scraping, push) produces these, so the scaler does not care where they came from.
 */
public sealed interface MatchingSignal permits SyncMatchFailure, BacklogObservation {

    DeploymentVersion version();

    String taskQueue();

    TaskQueueType type();

    /** When the source observed it (not when the underlying event happened, see staleness). */
    Instant observedAt();
}
