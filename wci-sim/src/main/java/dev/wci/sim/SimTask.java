package dev.wci.sim;

/**
 * One task. A task lost at a worker's hard timeout is re-added (Temporal retries it) and counts as a
 * new attempt, with its own schedule-to-start latency; {@link #attempt} tells a completion event of
 * an old attempt from the current one.
 */
final class SimTask {
    final int version;
    final long duration;
    /** When the current attempt was added to the queue. */
    long enqueuedAt;
    int attempt;
    SimWorker worker;

    SimTask(int version, long duration) {
        this.version = version;
        this.duration = duration;
    }
}
