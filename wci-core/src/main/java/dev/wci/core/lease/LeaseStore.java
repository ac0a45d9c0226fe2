package dev.wci.core.lease;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Where leases are held: a single writer per deployment that grants, renews and releases, and a membership list
 * of live replicas. The server's implementation keeps both in Temporal workflows. Calls block; any of them may
 * throw (unreachable, timed out): the {@link LeaseKeeper} then keeps only what it can prove.
 */
public interface LeaseStore {

    /**
     * Claims (or renews) the lease of {@code deployment} for {@code identity} for {@code ttl} from when the store
     * processes the claim. Granted when nobody holds it, {@code identity} holds it, or the holder's TTL passed.
     */
    Claim claim(String deployment, String identity, Duration ttl);

    /** Gives the lease up, if {@code identity} holds it, so another replica can take it at once. */
    void release(String deployment, String identity);

    /**
     * Reports this replica alive for {@code ttl} with {@code held} leases and returns every live replica (this one
     * included).
     */
    List<Member> heartbeat(String identity, int held, Duration ttl);

    /** Leaves the membership list (graceful stop). */
    void leave(String identity);

    /** The answer to a claim. */
    sealed interface Claim {
    }

    /**
     * The lease is this replica's.
     *
     * @param since         when this replica's uninterrupted hold began (store time)
     * @param previousOwner the replica whose lease lapsed and was taken over by this claim, or null
     */
    record Granted(Instant since, String previousOwner) implements Claim {
    }

    /** Another replica holds the lease. */
    record Refused(String holder, Instant since) implements Claim {
    }

    /**
     * A live replica.
     *
     * @param held how many leases it held at its last heartbeat
     */
    record Member(String identity, int held) {
    }
}
