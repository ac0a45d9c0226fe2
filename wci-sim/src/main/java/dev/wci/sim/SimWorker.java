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
    /** Its periodic heartbeats: the first at this time (-1 until ready), then every heartbeat interval. */
    long firstBeatAt = -1;
    /** The latest heartbeat so far (-1: none): its time, the interval it covers, its used slots and completions. */
    long beatAt = -1;
    long beatInterval;
    int beatUsed;
    int beatProcessed;
    /** Tasks completed in all, and as of the latest heartbeat. */
    int processed;
    int processedAtBeat;

    SimWorker(String invocationId, int version, long acceptedAt) {
        this.invocationId = invocationId;
        this.version = version;
        this.acceptedAt = acceptedAt;
    }

    /**
     * Brings its latest heartbeat up to {@code now}: the last periodic one at or before it, with the slots in use
     * then and the tasks completed in the interval before it. Called before every change of what it runs, so what
     * it runs now is what it ran since the previous call (the heartbeats in between saw the same).
     */
    void beat(long now, long interval) {
        if (firstBeatAt < 0 || now < firstBeatAt) {
            return;
        }
        long tick = firstBeatAt + (now - firstBeatAt) / interval * interval;
        if (tick <= beatAt) {
            return;
        }
        // Completions since the previous heartbeat all came before the one after it: with heartbeats skipped
        // since, the latest one's interval saw none.
        beatProcessed = beatAt < 0 || tick - interval <= beatAt ? processed - processedAtBeat : 0;
        beatInterval = beatAt < 0 ? tick - readyAt : interval;
        beatUsed = inFlight.size();
        beatAt = tick;
        processedAtBeat = processed;
    }

    boolean live() {
        return state != State.ENDED;
    }
}
