package dev.wci.core.scaling;

import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.version.TaskQueueType;

/**
 * What the scaler knows about one task queue of a group: its latest backlog observation and the
 * sync-match failures seen since (kept as a small ring of batched counts). Not thread-safe.
 */
final class QueueDemand {

    /** Temporal reports add and dispatch rates over 30 s windows. */
    static final long RATE_WINDOW_MILLIS = 30_000;
    /** A rate-limited signal keeps new invokes off for this long (about one stats-cache period). */
    static final long RATE_LIMIT_MEMORY_MILLIS = 10_000;
    /** Failures arriving within this of the previous batch join it: keeps the ring small under push storms. */
    private static final long MERGE_MILLIS = 100;
    /**
     * A failure is stamped when its source delivers it, up to this long after its tasks were added (push
     * batches cover 500 ms). Failures stamped this close after an observation's as-of time are taken as
     * already in its backlog: undercounting a moment of failures beats counting a whole burst twice.
     */
    static final long SIGNAL_DELAY_MILLIS = 1_000;
    private static final int RING = 32;

    final String taskQueue;
    final TaskQueueType type;
    BacklogObservation observation;
    long observedAtMillis = Long.MIN_VALUE;
    long asOfMillis = Long.MIN_VALUE;
    long rateLimitedAtMillis = Long.MIN_VALUE;

    private final long[] failureAt = new long[RING];
    private final long[] failureCount = new long[RING];
    private int size;

    QueueDemand(String taskQueue, TaskQueueType type) {
        this.taskQueue = taskQueue;
        this.type = type;
    }

    boolean is(String queue, TaskQueueType t) {
        return type == t && taskQueue.equals(queue);
    }

    void addFailures(long at, long count) {
        // Keep the ring in time order even if a source delivers a late batch.
        long atMillis = size > 0 ? Math.max(at, failureAt[size - 1]) : at;
        if (size > 0 && atMillis - failureAt[size - 1] < MERGE_MILLIS && atMillis >= failureAt[size - 1]) {
            failureCount[size - 1] += count;
            return;
        }
        if (size == RING) {
            // Merge the two oldest batches: counts are kept, the merged batch keeps the older time.
            failureCount[1] += failureCount[0];
            failureAt[1] = failureAt[0];
            System.arraycopy(failureAt, 1, failureAt, 0, RING - 1);
            System.arraycopy(failureCount, 1, failureCount, 0, RING - 1);
            size--;
        }
        failureAt[size] = atMillis;
        failureCount[size] = count;
        size++;
    }

    void observe(BacklogObservation o, long observedAt, long asOf) {
        observation = o;
        observedAtMillis = observedAt;
        asOfMillis = asOf;
        if (o.rateLimitingActive()) {
            rateLimitedAtMillis = Math.max(rateLimitedAtMillis, observedAt);
        }
    }

    boolean fresh(long now, long maxAgeMillis) {
        return observation != null && now - observedAtMillis <= maxAgeMillis;
    }

    /**
     * Tasks waiting: the observed backlog plus failures seen after the moment it describes. Failures older
     * than the drain target are assumed worked off by the capacity sized for them (a newer observation
     * would say otherwise), and so are failures before {@code drainedAt}, when a worker went idle.
     */
    double backlog(long now, long maxAgeMillis, long drainMillis, long drainedAt) {
        boolean fresh = fresh(now, maxAgeMillis);
        long cutoff = Math.max(Math.max(fresh ? asOfMillis + SIGNAL_DELAY_MILLIS : Long.MIN_VALUE,
                now - drainMillis), drainedAt);
        long failures = 0;
        for (int i = size - 1; i >= 0 && failureAt[i] > cutoff; i--) {
            failures += failureCount[i];
        }
        return (fresh ? observation.backlogCount() : 0) + failures;
    }

    /**
     * Sustained arrivals per second. The add rate covers 30 s, so a burst that is now backlog also shows in
     * it: that share (backlog / 30 s) is taken out, or a burst would be counted twice.
     */
    double arrivalRate(long now, long maxAgeMillis) {
        if (!fresh(now, maxAgeMillis)) {
            return 0;
        }
        return Math.max(0, observation.addRate() - observation.backlogCount() * 1000.0 / RATE_WINDOW_MILLIS);
    }

    /**
     * Sustained arrivals per second seen as failures over the last {@code windowMillis}, for when no worker is
     * ready (then every arrival fails). A batch holding most of the tasks is left out: a burst is backlog,
     * not a rate.
     */
    double failureRate(long now, long windowMillis) {
        long from = now - windowMillis;
        long sum = 0;
        long max = 0;
        long first = Long.MAX_VALUE;
        int batches = 0;
        for (int i = size - 1; i >= 0 && failureAt[i] > from; i--) {
            sum += failureCount[i];
            max = Math.max(max, failureCount[i]);
            first = failureAt[i];
            batches++;
        }
        if (batches < 3) {
            // Two batches could as well be two bursts: a rate needs a stream.
            return 0;
        }
        double span = Math.max(1000, now - first) / 1000.0;
        // One batch carrying most of the tasks is a burst (backlog), not a rate.
        return (max * 2 > sum ? sum - max : sum) / span;
    }

    boolean rateLimited(long now, long maxAgeMillis) {
        if (rateLimitedAtMillis != Long.MIN_VALUE && now - rateLimitedAtMillis < RATE_LIMIT_MEMORY_MILLIS) {
            return true;
        }
        return fresh(now, maxAgeMillis) && observation.rateLimitingActive();
    }

    /** Forgets failures older than {@code horizonMillis}. */
    void prune(long horizonMillis) {
        int drop = 0;
        while (drop < size && failureAt[drop] <= horizonMillis) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(failureAt, drop, failureAt, 0, size - drop);
            System.arraycopy(failureCount, drop, failureCount, 0, size - drop);
            size -= drop;
        }
    }
}
