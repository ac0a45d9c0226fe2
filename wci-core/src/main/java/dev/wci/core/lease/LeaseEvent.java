package dev.wci.core.lease;

import java.time.Instant;

/**
 * A change of one of this replica's leases, on the replica's clock.
 *
 * @param at    when it happened; for a lapse, the moment the lease stopped being trusted (not when it was noticed)
 * @param other the previous owner of a takeover, or the new holder of a lease taken; else null
 */
public record LeaseEvent(String deployment, Kind kind, Instant at, String other) {

    public enum Kind {
        /** Acquired a free lease. */
        ACQUIRED,
        /** Acquired a lease whose holder let it lapse. */
        TAKEN_OVER,
        /** Gave it up on purpose. */
        RELEASED,
        /** Could not prove it within the TTL. */
        LAPSED,
        /** The store gave it to another replica. */
        TAKEN;

        /** Whether the replica holds the lease after this event. */
        public boolean holds() {
            return this == ACQUIRED || this == TAKEN_OVER;
        }
    }
}
