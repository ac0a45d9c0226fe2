package dev.wci.sim;

import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * One task queue of one version, as Temporal matching holds it: a FIFO backlog, the ready workers
 * with a free slot, and a compact history of its statistics.
 *
 * <p>Stats are answered as of {@code now − staleness}: the history keeps the backlog's change points
 * and the add / dispatch timestamps of the last {@code staleness + rateWindow} and one bucket, nothing older.
 *
 * <p>Rates are counted as Temporal's matching counts them ({@code service/matching/task_tracker.go}, created by
 * {@code matchingEngineImpl.newTaskTracker} with 5 s buckets over 30 s): events fall in buckets aligned on the
 * tracker's start (the queue's first add or dispatch, both trackers being created together), and a rate is the
 * events of the current, partial bucket and the six before it divided by the time they span, 30 s plus the offset
 * into the current bucket, or the time since the tracker started if less. There is no decay: an event counts in full
 * until its bucket leaves the window, so a stopped stream's rate falls in 5 s steps.
 */
final class TaskQueueModel {

    final DeploymentVersion version;
    final String name;
    final TaskQueueType type;
    private final long staleness;
    private final long window;
    /** Temporal's rate bucket: 5 s of its 30 s window. */
    private final long bucket;
    /** When Temporal's rate trackers for this queue started (its first add or dispatch); -1 before. */
    private long trackerStart = -1;

    private final ArrayDeque<SimTask> backlog = new ArrayDeque<>();
    /** Ready workers with a free slot, in poll order; stale entries are skipped lazily. */
    private final ArrayDeque<SimWorker> available = new ArrayDeque<>();
    private final int slots;

    private final LongRing adds = new LongRing();
    private final LongRing dispatches = new LongRing();
    // Backlog change points: time, count, enqueue time of the oldest task (-1 when empty).
    private final LongRing changeTimes = new LongRing();
    private final LongRing changeCounts = new LongRing();
    private final LongRing changeOldest = new LongRing();

    TaskQueueModel(DeploymentVersion version, String name, TaskQueueType type, Duration staleness,
                   Duration rateWindow, int slots) {
        this.version = version;
        this.name = name;
        this.type = type;
        this.staleness = staleness.toNanos();
        this.window = rateWindow.toNanos();
        this.bucket = window / RATE_BUCKETS;
        this.slots = slots;
    }

    int backlogSize() {
        return backlog.size();
    }

    /**
     * Next ready worker with a free slot, round robin: Temporal hands a task to the poller that has
     * waited longest, which spreads tasks over the workers.
     */
    SimWorker nextAvailable() {
        while (!available.isEmpty()) {
            SimWorker w = available.pollFirst();
            if (w.state == SimWorker.State.READY && w.inFlight.size() < slots) {
                return w;
            }
        }
        return null;
    }

    /** Puts a ready worker with a free slot at the back of the poll order. */
    void makeAvailable(SimWorker w) {
        available.addLast(w);
    }

    /** Buckets in the rate window (the server's 30 s in 5 s buckets). */
    static final int RATE_BUCKETS = 6;

    void recordAdd(long now) {
        startTracker(now);
        adds.add(now);
        prune(adds, now);
    }

    void recordDispatch(long now) {
        startTracker(now);
        dispatches.add(now);
        prune(dispatches, now);
    }

    void pushBacklog(SimTask t, long now) {
        backlog.addLast(t);
        recordChange(now);
    }

    SimTask pollBacklog(long now) {
        SimTask t = backlog.pollFirst();
        if (t != null) {
            recordChange(now);
        }
        return t;
    }

    /** Tasks still waiting (for end-of-run accounting). */
    Iterable<SimTask> waiting() {
        return backlog;
    }

    private void recordChange(long now) {
        long oldest = backlog.isEmpty() ? -1 : backlog.peekFirst().enqueuedAt;
        int n = changeTimes.size();
        if (n > 0 && changeTimes.last() == now) {
            // Several changes in one instant: only the last state is observable.
            changeCounts.set(n - 1, backlog.size());
            changeOldest.set(n - 1, oldest);
        } else {
            changeTimes.add(now);
            changeCounts.add(backlog.size());
            changeOldest.add(oldest);
        }
        // Keep one change point at or before the oldest moment a query can ask about.
        long cutoff = now - staleness - window;
        while (changeTimes.size() > 1 && changeTimes.get(1) <= cutoff) {
            changeTimes.removeFirst();
            changeCounts.removeFirst();
            changeOldest.removeFirst();
        }
    }

    private void startTracker(long now) {
        if (trackerStart < 0) {
            trackerStart = now;
        }
    }

    private void prune(LongRing ring, long now) {
        long cutoff = now - staleness - window - bucket;
        while (ring.size() > 0 && ring.get(0) <= cutoff) {
            ring.removeFirst();
        }
    }

    /** The queue's stats as of {@code now − staleness}, as Temporal's describe call reports them. */
    BacklogObservation observe(long now) {
        long asOf = now - staleness;
        long count = 0;
        long age = 0;
        int i = changeTimes.upperBound(asOf) - 1;
        if (i >= 0) {
            count = changeCounts.get(i);
            long oldest = changeOldest.get(i);
            age = oldest < 0 ? 0 : Math.max(0, asOf - oldest);
        }
        double addRate = rate(adds, asOf);
        double dispatchRate = rate(dispatches, asOf);
        return new BacklogObservation(version, name, type, count, Duration.ofNanos(age), addRate, dispatchRate,
                false, SimClock.toInstant(now), Duration.ofNanos(staleness));
    }

    /**
     * The rate Temporal reports as of {@code asOf} (see the class comment): the events since the start of the bucket
     * six before the current one, over the time since then or since the tracker started, whichever is shorter.
     */
    private double rate(LongRing ring, long asOf) {
        if (trackerStart < 0 || asOf <= trackerStart) {
            return 0;
        }
        long bucketStart = trackerStart + (asOf - trackerStart) / bucket * bucket;
        long from = bucketStart - window;
        long elapsed = Math.min(asOf - from, asOf - trackerStart);
        int count = ring.upperBound(asOf) - ring.upperBound(from - 1);
        return count / (elapsed / 1e9);
    }
}
