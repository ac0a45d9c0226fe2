package dev.wci.core.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The arrival-rate and backlog estimates of one task queue, on explicit times (milliseconds). */
class QueueDemandTest {

    private static final long T0 = 1_000_000;
    private static final long MAX_AGE = 120_000;

    private final QueueDemand q = new QueueDemand(Fixtures.QUEUE, TaskQueueType.ACTIVITY);

    /** An observation made at {@code at} describing the queue as of the same moment. */
    private void observe(long at, long backlog, double addRate) {
        BacklogObservation o = new BacklogObservation(Fixtures.V1, Fixtures.QUEUE, TaskQueueType.ACTIVITY, backlog,
                Duration.ZERO, addRate, addRate, false, Instant.ofEpochMilli(at), Duration.ZERO);
        q.observe(o, at, at);
    }

    @Test
    void aBurstSeenAsFailuresIsTakenOutOfTheAddRateOnceItIsWorkedOff() {
        // A trickle of 1 task/s, then 300 tasks at once: the push batches say 1, then 299.
        for (long t = 0; t < 10_000; t += 1000) {
            q.fail(T0 + t, 1, Origin.PUSH);
        }
        q.fail(T0 + 10_000, 1, Origin.PUSH);
        q.fail(T0 + 10_500, 299, Origin.PUSH);
        // 20 s later the backlog is gone; the 30 s add rate still holds the burst: (30 + 300) / 30 = 11/s.
        observe(T0 + 30_000, 0, 11);
        // The burst beyond the stream's typical batch of 1 (298 tasks) is no rate: (330 - 298) / 30.
        assertEquals(32 / 30.0, rate(T0 + 30_000, Long.MIN_VALUE, Long.MIN_VALUE), 1e-9);
        // Once the burst has left the window, the add rate is the rate.
        observe(T0 + 41_000, 0, 1);
        assertEquals(1.0, rate(T0 + 41_000, Long.MIN_VALUE, Long.MIN_VALUE), 1e-9);
    }

    @Test
    void anObservationNotNewerThanTheQueueWasSeenEmptyCountsAsNone() {
        q.fail(T0 - 40_000, 5, Origin.PUSH);
        observe(T0, 40, 6);
        q.emptied(T0);
        assertEquals(0.0, q.sources(T0 + 1000, MAX_AGE, 60_000, T0).total(), 1e-9, "the drained backlog and its failures");
        assertEquals(0.0, rate(T0 + 1000, Long.MIN_VALUE, Long.MIN_VALUE), 1e-9);
        observe(T0 + 1, 40, 6);
        assertEquals(40.0, q.sources(T0 + 1000, MAX_AGE, 60_000, T0).total(), 1e-9, "newer than the exit: work");
        assertEquals((180 - 40) / 30.0, rate(T0 + 1000, Long.MIN_VALUE, Long.MIN_VALUE), 1e-9);
        // Unless the group's last worker exited idle within the window: those arrivals are over.
        assertEquals(0.0, rate(T0 + 1000, Long.MIN_VALUE, T0 - 20_000), 1e-9);
        observe(T0 + 10_001, 0, 6);
        assertEquals(6.0, rate(T0 + 10_001, Long.MIN_VALUE, T0 - 20_000), 1e-9);
    }

    @Test
    void withoutFailuresTheBacklogIsTheShareOfTheAddRateThatCameAtOnce() {
        observe(T0, 300, 10);
        assertEquals(0.0, rate(T0, Long.MIN_VALUE, Long.MIN_VALUE), 1e-9);
    }

    @Test
    void aStreamThatStepsUpIsARateNotABurst() {
        // The first batch after a quiet period is sent at once with one task; the next ones carry the stream.
        q.fail(T0, 1, Origin.PUSH);
        q.fail(T0 + 500, 10, Origin.PUSH);
        assertEquals(9, q.burstsIn(T0 - 1, T0 + 10_000), "alone, the 10 look like a burst");
        q.fail(T0 + 1000, 10, Origin.PUSH);
        assertEquals(0, q.burstsIn(T0 - 1, T0 + 10_000), "a second batch of 10 says the stream stepped up");
        assertEquals(20.0, q.failureRate(T0 + 1000, 10_000, 0, 0), 1e-9);
    }

    @Test
    void theFailureRateLeavesOutTheFirstBatchAndBursts() {
        q.fail(T0, 4, Origin.PUSH);
        q.fail(T0 + 500, 2, Origin.PUSH);
        q.fail(T0 + 1000, 300, Origin.PUSH);
        q.fail(T0 + 1500, 2, Origin.PUSH);
        q.fail(T0 + 2000, 2, Origin.PUSH);
        // After the first batch: 2 + 300 + 2 + 2 in 2 s, of which 297 came at once (beyond the typical batch of 3).
        assertEquals(297, q.burstsIn(T0, T0 + 2000));
        assertEquals(9 / 2.0, q.failureRate(T0 + 2000, 10_000, 0, 0), 1e-9);
    }

    @Test
    void aShortFailureStreamIsSpreadOverTheSpanFloor() {
        q.fail(T0, 1, Origin.PUSH);
        q.fail(T0 + 500, 10, Origin.PUSH);
        q.fail(T0 + 1000, 10, Origin.PUSH);
        assertEquals(20 / 2.0, q.failureRate(T0 + 1000, 10_000, 0, 2000), 1e-9, "one second's count over two");
        q.fail(T0 + 2000, 20, Origin.PUSH);
        assertEquals(40 / 2.0, q.failureRate(T0 + 2000, 10_000, 0, 2000), 1e-9, "two seconds count in full");
        assertEquals(40 / 3.0, q.failureRate(T0 + 3000, 10_000, 0, 2000), 1e-9);
    }

    @Test
    void theFailureRateNeedsAStreamOfTheMinimumSpan() {
        q.fail(T0, 5, Origin.PUSH);
        q.fail(T0 + 500, 5, Origin.PUSH);
        assertEquals(0.0, q.failureRate(T0 + 500, 10_000, 0, 0), 1e-9, "two batches are no stream");
        q.fail(T0 + 1000, 5, Origin.PUSH);
        assertEquals(10.0, q.failureRate(T0 + 1000, 10_000, 0, 0), 1e-9);
        assertEquals(0.0, q.failureRate(T0 + 1000, 10_000, 5000, 0), 1e-9, "one second of failures is no sustained rate");
        q.fail(T0 + 5000, 20, Origin.PUSH);
        assertEquals(30 / 5.0, q.failureRate(T0 + 5000, 10_000, 5000, 0), 1e-9);
    }

    /** The arrival rate from the add rate, with the server's rate trackers counting from before the window. */
    private double rate(long now, long arrivalsFrom, long arrivalsEndedAt) {
        return q.arrivalRate(now, MAX_AGE, arrivalsFrom, arrivalsEndedAt, Long.MIN_VALUE);
    }

    @Test
    void anAddRateFromTrackersThatStartedWithTheActivityIsNotReadAsDiluted() {
        // Temporal's trackers started with the first task (T0 - 1 s). 1 task 0.2 s later reads as 5/s: the tracker
        // divides by the 0.2 s since its start; the arrival rate still spreads it over 5 s at least.
        observe(T0 - 800, 0, 5);
        assertEquals(0.2, youngRate(T0 - 800), 1e-9);
        // 6/s as of T0 + 10 s are 66 tasks over the 11 s since the start, not 180 of a 30 s window.
        observe(T0 + 10_000, 0, 6);
        assertEquals(6.0, youngRate(T0 + 10_000), 1e-9);
        // Once the window is full, the rate is a 30 s one whatever the start.
        observe(T0 + 39_000, 0, 6);
        assertEquals(6.0, youngRate(T0 + 39_000), 1e-9);
    }

    @Test
    void aBurstInAYoungTrackersRateIsTakenOutOverTheShortestTimeItMayCover() {
        // 100 tasks at once, read 1 s after the trackers' start (T0 - 1 s) that they caused: 100/s, but the picture
        // may be up to 10 s older than its read, so it may cover no time at all: no stream can be told from it.
        observe(T0, 100, 100);
        assertEquals(0.0, youngRate(T0), 1e-9);
        // Read at T0 + 14 s, 30/s with 50 waiting: at least 5 s since the start (the read less 10 s), over which the
        // 50 raised the rate by 10/s at most: 20/s of stream.
        observe(T0 + 14_000, 50, 30);
        assertEquals(20.0, youngRate(T0 + 14_000), 1e-9);
    }

    /** The arrival rate from the add rate of trackers that started at T0 - 1 s with the activity. */
    private double youngRate(long now) {
        return q.arrivalRate(now, MAX_AGE, T0 - 1000, Long.MIN_VALUE, T0 - 1000);
    }

    @Test
    void theNewestArrivalsAreTheMeanLessWhatItsFallSaysLeftTheWindowBeyondThem() {
        observe(T0, 0, 6);
        observe(T0 + 2_000, 0, 5.9);
        // No picture 5 s older yet: the mean stands.
        assertEquals(5.9, q.recentArrivalRate(5.9), 1e-9);
        // Against T0 (the newest picture at least 5 s older): 0.5/s lower over 5 s, so 3/s more left the 30 s window
        // than arrived: about 2.5/s arrive now.
        observe(T0 + 5_000, 0, 5.5);
        assertEquals(2.5, q.recentArrivalRate(5.5), 1e-9);
        // Never above the rate it is given (a young tracker's reading, bursts taken out).
        assertEquals(2.0, q.recentArrivalRate(2.0), 1e-9);
        // A stream that stopped: its mean falls by its own rate / 30 per second, and nothing arrives now.
        observe(T0 + 10_000, 0, 4.5);
        assertEquals(0.0, q.recentArrivalRate(4.5), 1e-9);
    }

    @Test
    void aSteadyOrRisingMeanOrOneWithTasksWaitingOrFailingStands() {
        observe(T0, 0, 6);
        observe(T0 + 5_000, 0, 6);
        assertEquals(6.0, q.recentArrivalRate(6), 1e-9, "steady");
        observe(T0 + 10_000, 0, 6.5);
        assertEquals(6.5, q.recentArrivalRate(6.5), 1e-9, "rising");
        observe(T0 + 15_000, 3, 5.5);
        assertEquals(5.5, q.recentArrivalRate(5.5), 1e-9, "tasks wait: they are arrivals the mean has not lost");
        observe(T0 + 20_000, 0, 5);
        q.fail(T0 + 19_000, 2, Origin.PUSH);
        assertEquals(5.0, q.recentArrivalRate(5), 1e-9, "tasks failed to match since the older picture");
    }

    @Test
    void anAddRateOfAnActivityThatJustBeganCoversOnlyItsTime() {
        // Nothing arrived before T0 - 1 s: 180 adds in the 30 s window came within 11 s.
        observe(T0 + 10_000, 0, 6);
        assertEquals(180 / 11.0, rate(T0 + 10_000, T0 - 1000, Long.MIN_VALUE), 1e-9);
        // Never read over less than 5 s: the start is known to about a second.
        observe(T0 + 1000, 0, 1);
        assertEquals(30 / 5.0, rate(T0 + 1000, T0, Long.MIN_VALUE), 1e-9);
        // A start before the window changes nothing.
        observe(T0 + 40_000, 0, 6);
        assertEquals(6.0, rate(T0 + 40_000, T0, Long.MIN_VALUE), 1e-9);
    }

    @Test
    void failuresInCountsTheWindowAndBurstsAreForgottenAfterTheirMemory() {
        q.fail(T0, 1, Origin.PUSH);
        q.fail(T0 + 500, 100, Origin.PUSH);
        q.fail(T0 + 1000, 3, Origin.PUSH);
        assertEquals(103, q.failuresIn(T0, T0 + 1000));
        assertEquals(100, q.failuresIn(T0, T0 + 999));
        assertEquals(99, q.burstsIn(T0, T0 + 1000));
        q.prune(T0 + 2000, T0 + 500 + QueueDemand.BURST_MEMORY_MILLIS - 1);
        assertEquals(0, q.failuresIn(T0 - 1, T0 + 2000), "failures before the horizon are forgotten");
        assertEquals(99, q.burstsIn(T0, T0 + 1000), "the burst is still within its memory");
        q.prune(T0 + 2000, T0 + 500 + QueueDemand.BURST_MEMORY_MILLIS);
        assertEquals(0, q.burstsIn(T0, T0 + 1000));
    }

    @Test
    void aStatsGrowthCountsOnlyWhatPushDidNotReport() {
        observe(1_000, 0, 0);
        // Push reported 300 tasks of a spike at 2 s; stats as of 3 s show the backlog grew by 320: 300 are the same
        // tasks, 20 are new.
        q.fail(2_000, 300, Origin.PUSH);
        observe(3_000, 320, 0);
        q.fail(3_000, 320, Origin.STATS_GROWTH);
        assertEquals(320, q.failuresIn(Long.MIN_VALUE, 10_000));
        // A pushed batch is a signal of its own, whatever its stamp (but for the 20 the growth counted before push
        // reported them, below).
        q.fail(3_000, 300, Origin.PUSH);
        assertEquals(600, q.failuresIn(Long.MIN_VALUE, 10_000));
    }

    @Test
    void aPushedBatchStampedAtThePicturesAsOfTimeIsNotTakenForItsGrowth() {
        // A stamp rule would take this batch, stamped at the very moment the picture describes, for the picture's
        // growth: the 50 pushed just before would be subtracted from it.
        observeAssumingFiveSeconds(T0, 0, 0);
        q.fail(T0 - 5_500, 50, Origin.PUSH);
        q.fail(T0 - 5_000, 40, Origin.PUSH);
        assertEquals(90, q.failuresIn(Long.MIN_VALUE, T0), "both batches are new tasks");
        // The next picture's growth is those 90 tasks: nothing new.
        observeAssumingFiveSeconds(T0 + 1_000, 90, 0);
        q.fail(T0 - 4_000, 90, Origin.STATS_GROWTH);
        assertEquals(90, q.failuresIn(Long.MIN_VALUE, T0 + 1_000));
    }

    /** An observation read at {@code at} that assumes it is 5 s old (the stats source's staleness). */
    private void observeAssumingFiveSeconds(long at, long backlog, double addRate) {
        BacklogObservation o = new BacklogObservation(Fixtures.V1, Fixtures.QUEUE, TaskQueueType.ACTIVITY, backlog,
                Duration.ZERO, addRate, 0, false, Instant.ofEpochMilli(at), Duration.ofSeconds(5));
        q.observe(o, at, at - 5_000);
    }

    @Test
    void aBurstPushedBeforeAStalePictureIsNotCountedAgainAsItsGrowth() {
        // Seed 2 draw #79 of the random benchmark: stats really 6.5 s old, read as 5 s old. Push reports a burst at
        // 10.5 s; the picture read at 16 s (as of "11 s") still shows the empty queue of 9.5 s.
        observeAssumingFiveSeconds(T0 + 16_000 - 1000, 0, 0);
        q.fail(T0 + 10_000, 1, Origin.PUSH);
        q.fail(T0 + 10_500, 1798, Origin.PUSH);
        observeAssumingFiveSeconds(T0 + 16_000, 0, 0);
        // The picture read at 17 s shows the burst: growth stamped at its as-of time, the same tasks as the push.
        observeAssumingFiveSeconds(T0 + 17_000, 1760, 58.7);
        q.fail(T0 + 12_000, 1760, Origin.STATS_GROWTH);
        assertEquals(1799, q.failuresIn(T0, T0 + 20_000), "the growth is the pushed burst, not new tasks");
        // So the burst mark stands: no failure stream, and the add rate holding the burst is no rate.
        assertEquals(1797, q.burstsIn(T0, T0 + 20_000));
        assertEquals(0, q.failureRate(T0 + 17_000, 10_000, 0, 0), 1e-9);
        observeAssumingFiveSeconds(T0 + 19_000, 1396, 58.7);
        assertEquals(0, rate(T0 + 19_000, T0 + 9_000, Long.MIN_VALUE), 1e-9);
    }

    @Test
    void successiveGrowthsOfTheStatsAreEachNew() {
        // No push: each picture's growth is its own tasks, whatever the cache span the window reaches back over.
        observeAssumingFiveSeconds(T0, 0, 0);
        for (int i = 1; i <= 3; i++) {
            observeAssumingFiveSeconds(T0 + i * 1000, i * 50, 0);
            q.fail(T0 + i * 1000 - 5000, 50, Origin.STATS_GROWTH);
        }
        assertEquals(150, q.failuresIn(Long.MIN_VALUE, T0));
    }

    @Test
    void pushedTasksAPictureAlreadyShowsAreNotAddedToItsBacklog() {
        // A burst of 100 pushed at 1 s; the picture read at 2 s is really 1 s old, not the assumed 5 s: it shows the
        // burst, and the pushes stamped after its assumed as-of time (-3 s) are in it.
        observeAssumingFiveSeconds(T0, 0, 0);
        q.fail(T0 + 500, 1, Origin.PUSH);
        q.fail(T0 + 1_000, 99, Origin.PUSH);
        observeAssumingFiveSeconds(T0 + 2_000, 100, 0);
        q.fail(T0 - 3_000, 100, Origin.STATS_GROWTH);
        assertEquals(100.0, q.sources(T0 + 2_000, MAX_AGE, 60_000, Long.MIN_VALUE).total(), 1e-9);
        assertEquals(100, q.failuresIn(Long.MIN_VALUE, T0 + 10_000), "each task once");
        // Tasks pushed after the picture are new; a later picture without growth still shows the burst.
        q.fail(T0 + 2_500, 3, Origin.PUSH);
        observeAssumingFiveSeconds(T0 + 3_000, 100, 0);
        assertEquals(103.0, q.sources(T0 + 3_000, MAX_AGE, 60_000, Long.MIN_VALUE).total(), 1e-9);
        // Once no picture is fresh, every failure within the drain target counts again.
        assertEquals(103.0, q.sources(T0 + 3_000 + MAX_AGE + 1, MAX_AGE, MAX_AGE + 60_000, Long.MIN_VALUE).total(), 1e-9);
    }

    @Test
    void aPushReportingLateWhatAGrowthCountedIsNotNewTasks() {
        // Scrapes failed: the picture's growth reports the burst of 100 before push does (64 pushed so far).
        observeAssumingFiveSeconds(T0, 0, 0);
        q.fail(T0 + 1_000, 64, Origin.PUSH);
        observeAssumingFiveSeconds(T0 + 2_000, 100, 0);
        q.fail(T0 - 3_000, 100, Origin.STATS_GROWTH);
        assertEquals(100, q.failuresIn(Long.MIN_VALUE, T0 + 20_000));
        // The scrape catches up with the other 36, and 2 more: only those 2 are new.
        q.fail(T0 + 5_500, 38, Origin.PUSH);
        assertEquals(102, q.failuresIn(Long.MIN_VALUE, T0 + 20_000));
        assertEquals(102.0, q.sources(T0 + 5_500, MAX_AGE, 60_000, Long.MIN_VALUE).total(), 1e-9);
        // A push well after the picture could have shown its tasks is new.
        q.fail(T0 + 2_000 + QueueDemand.LATE_PUSH_MILLIS + 1, 5, Origin.PUSH);
        assertEquals(107, q.failuresIn(Long.MIN_VALUE, T0 + 20_000));
    }

    @Test
    void aPushTheLastGrowthDidNotTakeIsTakenByTheNextOneWhenStatsAreOlderThanAssumed() {
        // Seed 3 draw #86 of the random benchmark: stats really 9.9 s old, read as 5 s old, every second. Two tasks
        // pushed 0.5 s apart; the picture read at 10 s shows the first, the one read at 11 s the second. The second
        // growth is the second push, although that came before the first growth's assumed as-of time (5 s).
        observeAssumingFiveSeconds(T0 + 9_000, 0, 0);
        q.fail(T0, 1, Origin.PUSH);
        q.fail(T0 + 500, 1, Origin.PUSH);
        observeAssumingFiveSeconds(T0 + 10_000, 1, 0);
        q.fail(T0 + 5_000, 1, Origin.STATS_GROWTH);
        observeAssumingFiveSeconds(T0 + 11_000, 2, 0);
        q.fail(T0 + 6_000, 1, Origin.STATS_GROWTH);
        assertEquals(2, q.failuresIn(Long.MIN_VALUE, T0 + 20_000), "two tasks, each once");
        // So no growth waits for a late push: a task pushed next is new, and counts as demand at once.
        q.fail(T0 + 12_000, 1, Origin.PUSH);
        assertEquals(3, q.failuresIn(Long.MIN_VALUE, T0 + 20_000));
        assertEquals(3.0, q.sources(T0 + 12_000, MAX_AGE, 60_000, Long.MIN_VALUE).total(), 1e-9);
    }

    @Test
    void theSourcesSayWhatThePictureShowsAndWhatEachOriginAddedOrLeftOut() {
        // Two tasks pushed long before the picture's moment; a burst of 100 pushed, then shown by the picture read at
        // 2 s (its growth is those 100); 3 pushed after it; a picture 1 s old at decision time.
        observeAssumingFiveSeconds(T0, 0, 0);
        q.fail(T0 - 30_000, 2, Origin.PUSH);
        q.fail(T0 + 500, 1, Origin.PUSH);
        q.fail(T0 + 1_000, 99, Origin.PUSH);
        observeAssumingFiveSeconds(T0 + 2_000, 100, 0);
        q.fail(T0 - 3_000, 100, Origin.STATS_GROWTH);
        q.fail(T0 + 2_500, 3, Origin.PUSH);
        BacklogSources s = q.sources(T0 + 3_000, MAX_AGE, 60_000, Long.MIN_VALUE);
        assertEquals(new BacklogSources(100, 6_000, 3, 0, 100, 0, 2), s);
        assertEquals(q.sources(T0 + 3_000, MAX_AGE, 60_000, Long.MIN_VALUE).total(), s.total(), 1e-9);
    }

    @Test
    void aGrowthNoPushReportedIsInItsPictureWhileThatIsFreshAndAddedOnceItIsNot() {
        observeAssumingFiveSeconds(T0, 0, 0);
        observeAssumingFiveSeconds(T0 + 1_000, 40, 0);
        q.fail(T0 + 500, 40, Origin.STATS_GROWTH);
        // Pushed well after the picture could have shown it (so not a late report of the growth): new.
        q.fail(T0 + 6_500, 2, Origin.PUSH);
        assertEquals(new BacklogSources(40, 11_000, 2, 0, 0, 40, 0), q.sources(T0 + 7_000, MAX_AGE, 60_000,
                Long.MIN_VALUE));
        // No picture fresh: no picture backlog, every failure within the drain target is added, per origin.
        long late = T0 + 1_000 + MAX_AGE + 1;
        assertEquals(new BacklogSources(0, -1, 2, 40, 0, 0, 0),
                q.sources(late, MAX_AGE, MAX_AGE + 60_000, Long.MIN_VALUE));
        // Failures before a worker went idle are left out.
        assertEquals(new BacklogSources(0, -1, 0, 0, 0, 0, 42), q.sources(late, MAX_AGE, MAX_AGE + 60_000, T0 + 7_000));
    }

    @Test
    void theOriginsOfMergedBatchesAreKept() {
        // A growth stamped within the merge span of a push it partly matched shares that push's batch, and more
        // batches than the ring holds merge the oldest: the per-origin counts survive both.
        observeAssumingFiveSeconds(T0, 0, 0);
        q.fail(T0 + 900, 5, Origin.PUSH);
        observeAssumingFiveSeconds(T0 + 1_000, 15, 0);
        q.fail(T0 + 950, 15, Origin.STATS_GROWTH);
        for (int i = 1; i <= 40; i++) {
            q.fail(T0 + 6_000 + i * 200L, 1, Origin.PUSH);
        }
        BacklogSources s = q.sources(T0 + 15_000, MAX_AGE, 60_000, Long.MIN_VALUE);
        assertEquals(new BacklogSources(15, 19_000, 40, 0, 5, 10, 0), s);
        assertEquals(q.sources(T0 + 15_000, MAX_AGE, 60_000, Long.MIN_VALUE).total(), s.total(), 1e-9);
    }

    @Test
    void pushesAGrownPictureShowsAreInItEvenBeforeItsGrowthIsTaken() {
        // The stats source sends the observation, then its growth: a decision in between sees the picture of the
        // burst and the pushes of it, which the growth is about to mark as shown.
        observeAssumingFiveSeconds(T0, 0, 0);
        q.fail(T0 + 500, 1, Origin.PUSH);
        q.fail(T0 + 1_000, 64, Origin.PUSH);
        observeAssumingFiveSeconds(T0 + 2_000, 100, 0);
        BacklogSources between = q.sources(T0 + 2_000, MAX_AGE, 60_000, Long.MIN_VALUE);
        assertEquals(new BacklogSources(100, 5_000, 0, 0, 65, 0, 0), between);
        q.fail(T0 - 3_000, 100, Origin.STATS_GROWTH);
        assertEquals(new BacklogSources(100, 5_000, 0, 0, 65, 35, 0), q.sources(T0 + 2_000, MAX_AGE, 60_000,
                Long.MIN_VALUE));
        // A picture that did not grow takes no push: one pushed after the growth's late-push span is new.
        q.fail(T0 + 7_500, 3, Origin.PUSH);
        observeAssumingFiveSeconds(T0 + 8_000, 100, 0);
        assertEquals(103.0, q.sources(T0 + 8_000, MAX_AGE, 60_000, Long.MIN_VALUE).total(), 1e-9);
    }
}
