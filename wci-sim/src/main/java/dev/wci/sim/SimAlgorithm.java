package dev.wci.sim;

import dev.wci.core.signal.SyncMatchFailure;

/**
 * A scaling algorithm under simulation. It sees the world only through {@link SimContext} (and push
 * signals, if it asks for them) and acts only by invoking the simulated Lambda. One instance serves
 * one run; it may keep state.
 */
public interface SimAlgorithm {

    /** The name used on the command line and in results. */
    String name();

    /** Called once at time zero; schedule polls/ticks through ctx. */
    void start(SimContext ctx);

    /** Push signal: a batched sync-match failure (see {@link PushBatcher}). Only called if {@link #usesPushSignals()}. */
    default void onSyncMatchFailure(SyncMatchFailure signal) {
    }

    /** Whether this algorithm receives push signals from the matching service. */
    boolean usesPushSignals();
}
