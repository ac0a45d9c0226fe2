package dev.wci.core.lease;

import java.time.Duration;
import java.util.Objects;

/**
 * How a replica holds leases.
 *
 * @param identity   this replica's name in the leases (unique among replicas; default host + pid)
 * @param ttl        how long a renewal keeps a lease on the server side
 * @param renewEvery how often held leases are renewed and free ones looked for (at most a third of the TTL, so
 *                   one failed renewal never loses a lease)
 * @param margin     how much earlier than {@code sentAt + ttl} the replica stops trusting its lease: covers an
 *                   invoke already on the wire and clock-rate drift between the replica and the server
 */
public record LeaseSettings(String identity, Duration ttl, Duration renewEvery, Duration margin) {

    /** The TTL below which leases would need renewals faster than Temporal updates comfortably go. */
    public static final Duration MIN_TTL = Duration.ofSeconds(3);

    public LeaseSettings {
        Objects.requireNonNull(identity, "identity");
        if (identity.isBlank()) {
            throw new IllegalArgumentException("the replica identity must not be blank");
        }
        if (ttl.compareTo(MIN_TTL) < 0) {
            throw new IllegalArgumentException("the lease TTL must be at least " + MIN_TTL.toSeconds() + "s, got "
                    + ttl.toMillis() + "ms");
        }
        if (renewEvery.isNegative() || renewEvery.isZero() || renewEvery.multipliedBy(3).compareTo(ttl) > 0) {
            throw new IllegalArgumentException("the renew interval (" + renewEvery.toMillis()
                    + "ms) must be above 0 and at most a third of the lease TTL (" + ttl.toMillis() + "ms)");
        }
        if (margin.isNegative() || margin.plus(renewEvery).compareTo(ttl) >= 0) {
            throw new IllegalArgumentException("the fencing margin must be at least 0 and leave room for a renewal");
        }
    }

    /** Settings with the default fencing margin: a fifth of the TTL. */
    public static LeaseSettings of(String identity, Duration ttl, Duration renewEvery) {
        return new LeaseSettings(identity, ttl, renewEvery, ttl.dividedBy(5));
    }
}
