package dev.wci.core.scaling;

import static dev.wci.core.testing.Fixtures.V1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.signal.stats.QueueStats;
import dev.wci.core.signal.stats.StatsSignals;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A burst heard from push and stats at once, as the server wires its sources for the head-to-head comparison's
 * {@code wci-push} (docs/compare.md): the server's own controller invoking WCI's Lambda endpoint (one failure per
 * invoke), a matching-metrics scrape every 500 ms (the tasks' count), and the stats poll every second through core's
 * {@link StatsSignals}. Each task must be counted once, whichever source reports it first and however late.
 */
class PushAndStatsBurstTest {

    private static final String QUEUE = Fixtures.QUEUE;
    private static final TaskQueueType TYPE = TaskQueueType.WORKFLOW;
    private static final int BURST = 100;
    /** When the burst is added, in ms after the start. */
    private static final long BURST_AT = 20_000;
    /**
     * When the server refreshed its cached stats: every 5 s, 2 s after the burst among them. The picture read right
     * then is 0 s old where the stats source assumes 5 s, so its as-of time is taken to be 3 s before the burst.
     */
    private static final long[] CACHE_REFRESHES = {2_000, 7_000, 12_000, 17_000, BURST_AT + 2_000, BURST_AT + 7_000};

    private final TestClock clock = new TestClock(Instant.parse("2026-12-05T00:00:00Z"));
    private final DecisionAudit audit = new DecisionAudit(100);
    private final ReactiveScaler scaler = Fixtures.scaler(Fixtures.POLICY, clock, audit, V1);
    private final StatsSignals stats = new StatsSignals(V1);
    private final long start = clock.millis();
    private long nextRead;
    private double believedMax;

    /** Runs the clock to {@code t} ms after the start, reading stats every second on the way. */
    private void until(long t) {
        while (nextRead <= t) {
            clock.advanceMillis(start + nextRead - clock.millis());
            // Temporal serves the picture of its latest cache refresh: the burst shows once a refresh follows it.
            long refreshed = Long.MIN_VALUE;
            for (long r : CACHE_REFRESHES) {
                if (r <= nextRead) {
                    refreshed = r;
                }
            }
            long backlog = refreshed >= BURST_AT ? BURST : 0;
            stats.accept(List.of(new QueueStats(QUEUE, TYPE, backlog, Duration.ZERO, backlog / 30.0, 0, false)),
                    clock.instant(), s -> scaler.onSignal(s));
            note();
            nextRead += 1000;
        }
        clock.advanceMillis(start + t - clock.millis());
    }

    private void push(long count) {
        scaler.onSignal(new SyncMatchFailure(V1, QUEUE, TYPE, count, 0, clock.instant(), Origin.PUSH));
        note();
    }

    private void note() {
        believedMax = Math.max(believedMax, believed());
    }

    private double believed() {
        return scaler.status().get(0).backlog();
    }

    @Test
    void aBurstHeardFromPushAndStatsIsCountedOnce() {
        until(BURST_AT + 550);
        push(1); // the server's controller invokes the endpoint: one failure
        until(BURST_AT + 1_000);
        push(64); // the scrape sees the counter rise by the part the metrics flushed so far
        until(BURST_AT + 1_100);
        push(1); // the controller's next invoke, 500 ms later
        // Scrapes fail (no complete answer within 1 s) until 5.5 s, then catch up with the rest of the burst.
        until(BURST_AT + 5_500);
        push(BURST - 64);
        until(BURST_AT + 9_000);

        // No worker was ready: every task still waits. Each endpoint invoke says "at least one task failed" and its
        // task is also in the scrape's count, so the two may count it twice: at most one task per invoke.
        double endpointInvokes = 2;
        assertTrue(believedMax <= BURST + endpointInvokes,
                "believed " + believedMax + " tasks waiting at most, for " + BURST);
        assertEquals(BURST, believed(), endpointInvokes);
        assertTrue(believed() >= BURST, "every task of the burst is counted");
    }

    @Test
    void eachDecisionSaysHowItsBacklogWasLearnt() {
        until(BURST_AT + 550);
        push(1);
        until(BURST_AT + 1_000);
        push(64);
        until(BURST_AT + 5_500);
        push(BURST - 64);
        until(BURST_AT + 9_000);

        List<ScaleDecision> sized = audit.recent().stream().filter(d -> d.inputs().sizing() != null).toList();
        assertTrue(!sized.isEmpty(), "the burst was sized");
        for (ScaleDecision d : sized) {
            BacklogSources s = d.inputs().backlogSources();
            assertEquals(d.inputs().backlog(), s.total(), 1e-9, "the sources add up to the backlog: " + s);
            // Decided on the picture that shows the burst, before its growth said which pushes it shows: without the
            // pending growth, 100 in the picture + 65 pushed of them.
            assertTrue(d.inputs().backlog() <= BURST + 1, "decided on " + s + " for " + BURST + " tasks");
        }
        // The first decision, on the first push, knew no picture of the burst: one pushed task on an empty picture.
        assertEquals(new BacklogSources(0, 5_550, 1, 0, 0, 0, 0), sized.get(0).inputs().backlogSources());
    }
}
