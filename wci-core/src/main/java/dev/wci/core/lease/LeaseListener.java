package dev.wci.core.lease;

/** Hears a replica's lease changes (outside the keeper's lock, on the keeper's thread). */
public interface LeaseListener {

    /** A listener that ignores everything. */
    LeaseListener NONE = new LeaseListener() {
    };

    /**
     * This replica now holds {@code deployment}.
     *
     * @param previousOwner the replica it was taken over from (its lease lapsed), or null
     */
    default void acquired(String deployment, String previousOwner) {
    }

    /** This replica gave {@code deployment} up on purpose (spread or stop). */
    default void released(String deployment) {
    }

    /** This replica can no longer prove its lease of {@code deployment}; it stopped invoking for it. */
    default void lost(String deployment, LostReason reason) {
    }

    /** Why a lease was lost. */
    enum LostReason {
        /** No renewal was confirmed within the TTL (e.g. Temporal unreachable). */
        LAPSED,
        /** The store says another replica holds it. */
        TAKEN
    }
}
