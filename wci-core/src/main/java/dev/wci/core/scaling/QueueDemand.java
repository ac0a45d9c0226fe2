package dev.wci.core.scaling;

import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.SyncMatchFailure.Origin;
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
    /**
     * A push up to this long after a stats picture's read may report late tasks that picture's growth counted first: a
     * metrics scrape catching up after failed ones (1 s timeout, retried every round: gaps of 1-4 s were seen). Later,
     * a push is new tasks.
     */
    static final long LATE_PUSH_MILLIS = 5_000;
    private static final int RING = 32;
    /** Pictures kept for {@link #recentArrivalRate}: at one read a second, 16 s. */
    private static final int RATES = 16;
    /** A falling mean is judged against a picture at least this much older (one of the server's rate buckets). */
    static final long RECENT_SPAN_MILLIS = 5_000;
    /**
     * A batch carrying more than this many times the stream's typical batch is a burst: tasks added at once,
     * which are backlog to work off, not a rate that goes on.
     */
    static final int BURST_FACTOR = 4;
    /** The typical batch is the mean of the batches seen this long before a new one. */
    static final long BURST_REFERENCE_MILLIS = 10_000;
    /** Bursts are remembered this long: a 30 s rate window observed up to a few seconds stale still holds them. */
    static final long BURST_MEMORY_MILLIS = 60_000;
    private static final int BURSTS = 8;
    /** An add rate is never read as covering less than this (the start of arrivals is known to about 1 s). */
    static final long MIN_RATE_SPAN_MILLIS = 5_000;
    /**
     * Temporal's matching unloads a task queue idle this long ({@code matching.maxTaskQueueIdleTime}, 5 min), and a
     * loaded queue starts its rate trackers with its first task: their rates then cover the time since that task, not
     * a 30 s window (its {@code taskTracker}: the tasks of 5 s buckets over 30 s plus the current bucket's offset, or
     * over the time since the tracker started if less; {@link #youngTrackerRate}).
     */
    static final long TRACKER_IDLE_UNLOAD_MILLIS = 300_000;

    final String taskQueue;
    final TaskQueueType type;
    BacklogObservation observation;
    long observedAtMillis = Long.MIN_VALUE;
    long asOfMillis = Long.MIN_VALUE;
    /** Read time of the observation before the latest one. */
    long previousObservedAtMillis = Long.MIN_VALUE;
    /**
     * How much the latest observation's backlog grew over the one before, until its stats growth is taken
     * ({@link #fail}; a rate-limited growth is not, and this stays until the next observation): the stats source sends
     * the growth right after the observation, and a decision in between (on the observation itself, or a tick) must
     * not count the pushed tasks that growth will find in the picture.
     */
    private long pendingGrowth;
    /**
     * Tasks of stats growths that no push has reported yet ({@link #fail}): a push of them may still come, late (a
     * metrics scrape catching up after failed scrapes), until {@link #statsOnlyUntilMillis}.
     */
    private long statsOnly;
    private long statsOnlyUntilMillis = Long.MIN_VALUE;
    long rateLimitedAtMillis = Long.MIN_VALUE;
    /** The add rates of the last pictures before the latest one, and their as-of times ({@link #recentArrivalRate}). */
    private final long[] rateAsOf = new long[RATES];
    private final double[] rateSeen = new double[RATES];
    /** Where the next picture's rate goes in the ring, and how many it holds. */
    private int rateNext;
    private int rateCount;
    /**
     * A worker of the group exited for lack of work at this moment, having found its queues empty (its own backlog
     * check): an observation describing this moment or an earlier one is older than that fact and counts as none.
     * Stats are cached 5-10 s, so for a while after the work drained they still show its backlog and add rate.
     */
    long emptyAtMillis = Long.MIN_VALUE;

    private final long[] failureAt = new long[RING];
    private final long[] failureCount = new long[RING];
    /** Of each batch, the tasks a stats picture already showed (so {@link #tally} does not add them to it). */
    private final long[] failureShown = new long[RING];
    /**
     * Of each batch, the tasks a stats growth counted (the rest were pushed). A growth's tasks are in its own picture,
     * so they are always among the shown ones: shown = grown + pushed tasks a picture showed.
     */
    private final long[] failureGrown = new long[RING];
    private int size;
    /** Bursts seen in the failure stream: when, and how many tasks beyond the stream's typical batch. */
    private final long[] burstAt = new long[BURSTS];
    private final long[] burstExcess = new long[BURSTS];
    private final long[] burstCount = new long[BURSTS];
    private int bursts;

    QueueDemand(String taskQueue, TaskQueueType type) {
        this.taskQueue = taskQueue;
        this.type = type;
    }

    boolean is(String queue, TaskQueueType t) {
        return type == t && taskQueue.equals(queue);
    }

    /**
     * Adds a batch of new failures: pushed ones, not yet in a picture, or a stats growth's, in its own picture already.
     */
    private void addFailures(long at, long count, Origin origin) {
        long grown = origin == Origin.STATS_GROWTH ? count : 0;
        // Keep the ring in time order even if a source delivers a late batch.
        long atMillis = size > 0 ? Math.max(at, failureAt[size - 1]) : at;
        forgetBurstsMatchedBy(atMillis, count);
        long typical = typicalBatch(atMillis);
        if (count > BURST_FACTOR * typical) {
            recordBurst(atMillis, count, count - typical);
        }
        if (size > 0 && atMillis - failureAt[size - 1] < MERGE_MILLIS && atMillis >= failureAt[size - 1]) {
            failureCount[size - 1] += count;
            failureShown[size - 1] += grown;
            failureGrown[size - 1] += grown;
            return;
        }
        if (size == RING) {
            // Merge the two oldest batches: counts are kept, the merged batch keeps the older time.
            failureCount[1] += failureCount[0];
            failureShown[1] += failureShown[0];
            failureGrown[1] += failureGrown[0];
            failureAt[1] = failureAt[0];
            System.arraycopy(failureAt, 1, failureAt, 0, RING - 1);
            System.arraycopy(failureCount, 1, failureCount, 0, RING - 1);
            System.arraycopy(failureShown, 1, failureShown, 0, RING - 1);
            System.arraycopy(failureGrown, 1, failureGrown, 0, RING - 1);
            size--;
        }
        failureAt[size] = atMillis;
        failureCount[size] = count;
        failureShown[size] = grown;
        failureGrown[size] = grown;
        size++;
    }

    void observe(BacklogObservation o, long observedAt, long asOf) {
        if (observation != null && asOfMillis > Long.MIN_VALUE) {
            rateAsOf[rateNext] = asOfMillis;
            rateSeen[rateNext] = observation.addRate();
            rateNext = (rateNext + 1) % RATES;
            rateCount = Math.min(RATES, rateCount + 1);
        }
        pendingGrowth = Math.max(0, o.backlogCount() - (observation == null ? 0 : observation.backlogCount()));
        if (observation != null) {
            previousObservedAtMillis = observedAtMillis;
        }
        observation = o;
        observedAtMillis = observedAt;
        asOfMillis = asOf;
        if (o.rateLimitingActive()) {
            rateLimitedAtMillis = Math.max(rateLimitedAtMillis, observedAt);
        }
    }

    /**
     * Takes {@code count} failures stamped at {@code at}, counting each task once however many signals report it.
     *
     * <p>A {@link Origin#STATS_GROWTH stats growth} is the latest observation's backlog growth since the one before
     * ({@code StatsSignals}): tasks added between the two pictures that no worker took. Pushed failures not yet shown
     * by a picture, from when the previous picture may have been taken up to this one's read (+ the push delay), are
     * the same tasks, oldest first: they are marked shown (in the observed backlog, so {@link #tally} does not add
     * them to it, however late they were stamped) and only the rest of the growth is new. Counted twice, a burst
     * would look like a stream that stepped up and be sized as a rate. The span starts when the previous picture may
     * have been taken, not at its assumed as-of time: Temporal caches stats up to
     * {@link ReactiveScaler#STATS_MAX_STALENESS_MILLIS}, and a picture read 6.5 s after it was taken shows none of a
     * burst pushed 5.5 s before that read. Nor does it start at the previous growth's assumed as-of time: with stats
     * older than assumed, a push that picture's growth did not take may be in this one's (each push is taken once).
     *
     * <p>A {@link Origin#PUSH pushed} batch is new, except for tasks a stats growth counted that no push had reported:
     * within {@link #LATE_PUSH_MILLIS} of that picture's read, a push is taken as reporting them late, not as new
     * tasks.
     */
    void fail(long at, long count, Origin origin) {
        if (origin == Origin.STATS_GROWTH && observation != null) {
            pendingGrowth = 0;
            long rest = show(growthFrom(), observedAtMillis + SIGNAL_DELAY_MILLIS, count);
            if (rest > 0) {
                statsOnly = (statsOnlyUntilMillis < observedAtMillis ? 0 : statsOnly) + rest;
                statsOnlyUntilMillis = observedAtMillis + LATE_PUSH_MILLIS;
                addFailures(at, rest, Origin.STATS_GROWTH);
            }
            return;
        }
        long known = at <= statsOnlyUntilMillis ? Math.min(count, statsOnly) : 0;
        statsOnly -= known;
        if (count > known) {
            addFailures(at, count - known, Origin.PUSH);
        }
    }

    /** A stats growth takes pushes stamped after this: when the previous picture may have been taken. */
    private long growthFrom() {
        return previousObservedAtMillis == Long.MIN_VALUE
                ? Long.MIN_VALUE : previousObservedAtMillis - ReactiveScaler.STATS_MAX_STALENESS_MILLIS;
    }

    /**
     * Of the not yet shown pushes stamped after {@code cutoff}, those the pending growth ({@link #pendingGrowth}) will
     * mark as shown when it is taken: the same walk as {@link #show}, without marking.
     */
    private long pendingShown(long cutoff) {
        long left = pendingGrowth;
        long after = 0;
        long from = growthFrom();
        long to = observedAtMillis + SIGNAL_DELAY_MILLIS;
        for (int i = 0; i < size && left > 0; i++) {
            if (failureAt[i] > from && failureAt[i] <= to) {
                long n = Math.min(left, failureCount[i] - failureShown[i]);
                left -= n;
                if (failureAt[i] > cutoff) {
                    after += n;
                }
            }
        }
        return after;
    }

    /** Marks up to {@code count} not yet shown failures stamped in {@code (from, to]} as shown, oldest first. */
    private long show(long from, long to, long count) {
        for (int i = 0; i < size && count > 0; i++) {
            if (failureAt[i] > from && failureAt[i] <= to) {
                long n = Math.min(count, failureCount[i] - failureShown[i]);
                failureShown[i] += n;
                count -= n;
            }
        }
        return count;
    }

    /**
     * Whether the latest observation counts: not older than {@code maxAgeMillis}, and describing a moment after the
     * queue was last seen empty ({@link #emptyAtMillis}).
     */
    boolean fresh(long now, long maxAgeMillis) {
        return observation != null && now - observedAtMillis <= maxAgeMillis && asOfMillis > emptyAtMillis;
    }

    /** A worker exited idle at {@code at} after finding the queue empty. */
    void emptied(long at) {
        emptyAtMillis = Math.max(emptyAtMillis, at);
    }

    /**
     * Tasks waiting ({@link BacklogSources#total}) and how they were learnt: the observed backlog plus failures seen
     * after the moment it describes, but for those a picture already showed ({@link #fail}) or its growth, still to
     * come, will ({@link #pendingGrowth}). Failures older than the drain target are assumed worked off by the capacity
     * sized for them (a newer observation would say otherwise), and so are failures before {@code drainedAt}, when a
     * worker went idle. The scaler sums its queues with {@link #tally}, which allocates nothing.
     */
    BacklogSources sources(long now, long maxAgeMillis, long drainMillis, long drainedAt) {
        return tally(now, maxAgeMillis, drainMillis, drainedAt, new BacklogTally()).sources();
    }

    /** Adds this queue's {@link #sources} to {@code into} (a group's sum over its queues) and returns it. */
    BacklogTally tally(long now, long maxAgeMillis, long drainMillis, long drainedAt, BacklogTally into) {
        boolean fresh = fresh(now, maxAgeMillis);
        long cutoff = Math.max(Math.max(fresh ? asOfMillis + SIGNAL_DELAY_MILLIS : Long.MIN_VALUE,
                now - drainMillis), drainedAt);
        long pushed = 0;
        long grown = 0;
        long pushedShown = 0;
        long earlier = 0;
        for (int i = 0; i < size; i++) {
            if (failureAt[i] <= cutoff) {
                earlier += failureCount[i];
            } else {
                pushed += failureCount[i] - failureGrown[i];
                grown += failureGrown[i];
                pushedShown += failureShown[i] - failureGrown[i];
            }
        }
        into.earlier += earlier;
        if (fresh) {
            pushedShown += pendingShown(cutoff);
            into.picture += observation.backlogCount();
            into.pictureAgeMillis = Math.max(into.pictureAgeMillis, now - asOfMillis);
            into.pushed += pushed - pushedShown;
            into.pushedInPicture += pushedShown;
            into.grownInPicture += grown;
        } else {
            into.pushed += pushed;
            into.grown += grown;
        }
        return into;
    }

    /**
     * Sustained arrivals per second from the observed add rate. It covers 30 s, so tasks that came at once
     * also show in it: the larger of the bursts the failure stream saw in that window and the backlog (bursts
     * that found idle workers show in neither) is taken out, or a burst would be counted as a rate for 30 s.
     * None while the window reaches back before {@code arrivalsEndedAt}, when the group's last worker exited for lack
     * of work: the arrivals it counts are over, and read as a rate they would start a fleet for them again.
     * While the server's rate trackers are younger than their window ({@code ratesFrom}: {@link #youngTrackerRate}),
     * the rate is theirs.
     */
    double arrivalRate(long now, long maxAgeMillis, long arrivalsFrom, long arrivalsEndedAt, long ratesFrom) {
        if (!fresh(now, maxAgeMillis) || asOfMillis - RATE_WINDOW_MILLIS < arrivalsEndedAt) {
            return 0;
        }
        long burst = burstsIn(asOfMillis - RATE_WINDOW_MILLIS, asOfMillis + SIGNAL_DELAY_MILLIS);
        double once = Math.max(burst, observation.backlogCount());
        if (ratesFrom > asOfMillis - RATE_WINDOW_MILLIS) {
            return youngTrackerRate(observation.addRate(), once, asOfMillis - ratesFrom,
                    observedAtMillis - ReactiveScaler.STATS_MAX_STALENESS_MILLIS - ratesFrom);
        }
        double added = observation.addRate() * RATE_WINDOW_MILLIS / 1000.0;
        return Math.max(0, (added - once) * 1000.0 / rateSpanMillis(asOfMillis, arrivalsFrom));
    }

    /**
     * Sustained arrivals per second from the add rate of trackers that started with this activity's first task (a
     * queue just loaded: Temporal's {@code taskTracker} divides the tasks since its start by the time since, not by
     * 30 s). That time is known only within the stats' cache: at most {@code sinceAssumed} (from the as-of time the
     * source assumed), at least {@code sinceSure} (from the read less the longest cache). The tasks that came at once
     * ({@code once}) raised the rate by once / that time: taken out over the shortest (all of it while that may be 0),
     * so a burst read a second after it came (its size per second) is no stream. A young tracker's rate is noisy (a
     * task 0.2 s after the start reads as 5/s): as for a diluted rate, its tasks are spread over
     * {@link #MIN_RATE_SPAN_MILLIS} at least. Read as a 30 s window, such rates counted each task up to six times
     * (the simulator with the server's trackers: burst draws of the random benchmark up to 40x the reference's
     * worker-seconds).
     */
    static double youngTrackerRate(double addRate, double once, long sinceAssumed, long sinceSure) {
        if (sinceAssumed <= 0) {
            return 0;
        }
        double stream = once <= 0 ? addRate : sinceSure <= 0 ? 0 : Math.max(0, addRate - once * 1000.0 / sinceSure);
        return stream * Math.min(1, (double) sinceAssumed / MIN_RATE_SPAN_MILLIS);
    }

    /**
     * Arrivals per second in the newest seconds, at most {@code rate}: the add rate is a 30 s mean, and while it falls
     * the newest arrivals are below it. Against the newest picture at least {@link #RECENT_SPAN_MILLIS} older, a mean
     * that fell by d over s seconds lost d x 30 / s per second of tasks leaving its window beyond those arriving, so
     * the newest arrivals run at about the mean less that (none when a stream stopped: its mean falls by its own rate
     * / 30 per second). Only while nothing waits and no task failed since that picture: else {@code rate}.
     */
    double recentArrivalRate(double rate) {
        if (observation == null || observation.backlogCount() > 0) {
            return rate;
        }
        for (int k = 1; k <= rateCount; k++) {
            int i = (rateNext - k + RATES) % RATES;
            long span = asOfMillis - rateAsOf[i];
            if (span >= RECENT_SPAN_MILLIS) {
                double fall = rateSeen[i] - observation.addRate();
                if (fall <= 0 || failuresIn(rateAsOf[i], Long.MAX_VALUE) > 0) {
                    return rate;
                }
                return Math.min(rate, Math.max(0, observation.addRate() - fall * RATE_WINDOW_MILLIS / span));
            }
        }
        return rate;
    }

    /**
     * How long the add rate of an observation as of {@code asOf} covers: the 30 s window, or, when arrivals began
     * within it, the time since (at least {@link #MIN_RATE_SPAN_MILLIS}): they were spread over less time.
     */
    static long rateSpanMillis(long asOf, long arrivalsFrom) {
        return arrivalsFrom > asOf - RATE_WINDOW_MILLIS
                ? Math.max(MIN_RATE_SPAN_MILLIS, asOf - arrivalsFrom) : RATE_WINDOW_MILLIS;
    }

    /**
     * Sustained arrivals per second seen as failures over the last {@code windowMillis}. Failures are a subset
     * of the arrivals, so this is a lower bound of the arrival rate, and while no worker has a free slot (none
     * ready, or all busy with a backlog) every arrival fails and it is the arrival rate, without the stats'
     * staleness. The first batch counts the time before it and is left out, and so are bursts: a burst is
     * backlog, not a rate. The stream is spread over at least {@code spanFloorMillis} (and a second in any case):
     * the count of a shorter one is too noisy a rate to size a fleet on.
     */
    double failureRate(long now, long windowMillis, long minSpanMillis, long spanFloorMillis) {
        long from = now - windowMillis;
        long sum = 0;
        long firstCount = 0;
        long first = Long.MAX_VALUE;
        int batches = 0;
        for (int i = size - 1; i >= 0 && failureAt[i] > from; i--) {
            sum += failureCount[i];
            firstCount = failureCount[i];
            first = failureAt[i];
            batches++;
        }
        if (batches < 3 || now - first < minSpanMillis) {
            // Two batches could as well be two bursts: a rate needs a stream.
            return 0;
        }
        long stream = sum - firstCount - burstsIn(first, now);
        double span = Math.max(Math.max(1000, spanFloorMillis), now - first) / 1000.0;
        return Math.max(0, stream) / span;
    }

    /**
     * Failures stamped in {@code (from, to]}, shown by a picture or not: while a backlog waits, every arrival in that
     * time. The served fleet's hold reads it (how many tasks found no free slot lately), and the unit tests read it as
     * the failure ring's view (what was counted once, what twice).
     */
    long failuresIn(long from, long to) {
        long n = 0;
        for (int i = size - 1; i >= 0 && failureAt[i] > from; i--) {
            if (failureAt[i] <= to) {
                n += failureCount[i];
            }
        }
        return n;
    }

    /** Tasks beyond the typical batch in bursts stamped in {@code (from, to]}. */
    long burstsIn(long from, long to) {
        long n = 0;
        for (int i = 0; i < bursts; i++) {
            if (burstAt[i] > from && burstAt[i] <= to) {
                n += burstExcess[i];
            }
        }
        return n;
    }

    /** Mean batch of the failure stream in the reference window before {@code at}; 1 when there is none. */
    private long typicalBatch(long at) {
        long sum = 0;
        int batches = 0;
        for (int i = size - 1; i >= 0 && failureAt[i] > at - BURST_REFERENCE_MILLIS; i--) {
            sum += failureCount[i];
            batches++;
        }
        return batches == 0 ? 1 : Math.max(1, sum / batches);
    }

    private void recordBurst(long at, long count, long excess) {
        if (bursts == BURSTS) {
            removeBurst(0);
        }
        burstAt[bursts] = at;
        burstCount[bursts] = count;
        burstExcess[bursts] = excess;
        bursts++;
    }

    /**
     * A batch as large as a recent "burst" (within the burst factor) says the stream itself stepped up: the
     * first batch of a new stream looked like a burst only because the quiet before it was the reference.
     */
    private void forgetBurstsMatchedBy(long at, long count) {
        for (int i = bursts - 1; i >= 0; i--) {
            if (burstAt[i] > at - BURST_REFERENCE_MILLIS && count * BURST_FACTOR >= burstCount[i]) {
                removeBurst(i);
            }
        }
    }

    private void removeBurst(int i) {
        System.arraycopy(burstAt, i + 1, burstAt, i, bursts - i - 1);
        System.arraycopy(burstCount, i + 1, burstCount, i, bursts - i - 1);
        System.arraycopy(burstExcess, i + 1, burstExcess, i, bursts - i - 1);
        bursts--;
    }

    boolean rateLimited(long now, long maxAgeMillis) {
        if (rateLimitedAtMillis != Long.MIN_VALUE && now - rateLimitedAtMillis < RATE_LIMIT_MEMORY_MILLIS) {
            return true;
        }
        return fresh(now, maxAgeMillis) && observation.rateLimitingActive();
    }

    /** Forgets failures older than {@code horizonMillis}, and bursts older than their memory. */
    void prune(long horizonMillis, long now) {
        int oldBursts = 0;
        while (oldBursts < bursts && burstAt[oldBursts] <= now - BURST_MEMORY_MILLIS) {
            oldBursts++;
        }
        for (int i = 0; i < oldBursts; i++) {
            removeBurst(0);
        }
        int drop = 0;
        while (drop < size && failureAt[drop] <= horizonMillis) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(failureAt, drop, failureAt, 0, size - drop);
            System.arraycopy(failureCount, drop, failureCount, 0, size - drop);
            System.arraycopy(failureShown, drop, failureShown, 0, size - drop);
            System.arraycopy(failureGrown, drop, failureGrown, 0, size - drop);
            size -= drop;
        }
    }
}
