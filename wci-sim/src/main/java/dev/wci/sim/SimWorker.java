package dev.wci.sim;

import java.util.ArrayList;
import java.util.List;

/** One Lambda environment running a worker: accepted, cold-starting, ready, draining, ended. */
final class SimWorker {
    enum State { STARTING, READY, DRAINING, ENDED }

    final String invocationId;
    final int version;
    final long acceptedAt;
    long readyAt = -1;
    long endedAt = -1;
    /** When the census first lists it: its first heartbeat after it became ready. */
    long listedAt = -1;
    State state = State.STARTING;
    final List<SimTask> inFlight = new ArrayList<>(4);
    /** Start of the current stretch with no task in flight (valid while ready and empty). */
    long idleSince;
    /** Bumped whenever a task arrives, so a pending idle check of an earlier quiet stretch is ignored. */
    int idleEpoch;
    long idleNanos;

    SimWorker(String invocationId, int version, long acceptedAt) {
        this.invocationId = invocationId;
        this.version = version;
        this.acceptedAt = acceptedAt;
    }

    boolean live() {
        return state != State.ENDED;
    }
}
