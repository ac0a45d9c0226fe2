package dev.wci.core.census;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One worker as the census saw it. A worker started by WCI identifies itself as
 * {@code <requestId>@<functionArn>}, where the request id is the one Lambda returned for the invocation.
 *
 * @param identity        the worker's identity as Temporal reports it
 * @param status          its last reported state
 * @param startedAt       when the worker started, as it reported (null when unknown)
 * @param lastHeartbeatAt when Temporal last heard from it (null when unknown)
 * @param slots           how many tasks it runs at once, as its heartbeat reports its slots (0 when unknown)
 * @param load            what its latest heartbeat says of its work (null when unknown)
 */
public record CensusWorker(String identity, CensusStatus status, Instant startedAt, Instant lastHeartbeatAt,
                           int slots, SlotLoad load) {

    public CensusWorker {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(status, "status");
        if (slots < 0) {
            throw new IllegalArgumentException("slots must be 0 (unknown) or more, got " + slots);
        }
    }

    /** A worker whose heartbeat's load is unknown. */
    public CensusWorker(String identity, CensusStatus status, Instant startedAt, Instant lastHeartbeatAt, int slots) {
        this(identity, status, startedAt, lastHeartbeatAt, slots, null);
    }

    /** A worker whose slot count is unknown. */
    public CensusWorker(String identity, CensusStatus status, Instant startedAt, Instant lastHeartbeatAt) {
        this(identity, status, startedAt, lastHeartbeatAt, 0, null);
    }

    /** The Lambda request id of the invocation that runs this worker, when the identity has WCI's form. */
    public Optional<String> requestId() {
        int at = identity.indexOf('@');
        return at <= 0 ? Optional.empty() : Optional.of(identity.substring(0, at));
    }
}
