package dev.wci.core.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LedgerTest {

    /** Model view: last demand at 0, 5 s idle exit, no census. */
    private static final LedgerView MODEL = new LedgerView(0, 5_000, false);
    private static final LedgerView FACTS = new LedgerView(0, 5_000, true);

    private final Ledger ledger = new Ledger();

    private static LedgerEntry entry(String id, long invokedAt, long readyAt, long pollEnd) {
        return new LedgerEntry(id, invokedAt, readyAt, pollEnd, Long.MAX_VALUE, false, 900);
    }

    @Test
    void theFirstReadyMomentOfAWindowIsItsStartOrTheEarliestReadinessInIt() {
        assertEquals(Long.MAX_VALUE, ledger.firstReady(0, 10_000, MODEL), "no worker");
        ledger.reserve(entry("a", 0, 2_000, 100_000)); // predicted to exit idle at 7 s (last demand at 0)
        ledger.reserve(entry("b", 0, 4_000, 100_000)); // ... and at 9 s
        assertEquals(2_000, ledger.firstReady(0, 10_000, MODEL));
        assertEquals(3_000, ledger.firstReady(3_000, 10_000, MODEL), "ready before the window: its start");
        assertEquals(Long.MAX_VALUE, ledger.firstReady(0, 2_000, MODEL), "none ready before the window ends");
        assertEquals(Long.MAX_VALUE, ledger.firstReady(9_000, 12_000, MODEL), "both exited idle before it");
        assertEquals(Long.MAX_VALUE, ledger.firstReady(0, 10_000, FACTS), "with facts, unseen is not ready");
    }

    @Test
    void theLongestStartingWorkerIsTheOldestOneStillStartingOnTime() {
        assertEquals(Long.MAX_VALUE, ledger.oldestStarting(1_000, MODEL, Long.MIN_VALUE), "no worker");
        ledger.reserve(entry("a", 0, 2_000, 100_000));
        ledger.reserve(entry("b", 500, 2_500, 100_000));
        ledger.reserve(entry("c", 1_500, 3_500, 100_000));
        assertEquals(0, ledger.oldestStarting(1_600, MODEL, Long.MIN_VALUE));
        assertEquals(500, ledger.oldestStarting(1_600, MODEL, 100), "a, invoked before 100 ms, is late");
        assertEquals(1_500, ledger.oldestStarting(3_000, MODEL, Long.MIN_VALUE), "a and b are ready at 3 s");
        assertEquals(0, ledger.oldestStarting(3_000, FACTS, Long.MIN_VALUE), "with facts, unseen is starting");
        assertEquals(Long.MAX_VALUE, ledger.oldestStarting(4_000, MODEL, Long.MIN_VALUE), "all ready");
    }

    @Test
    void countsStartingReadyExpiringAndLate() {
        ledger.reserve(entry("a", 0, 2_000, 100_000));
        ledger.reserve(entry("b", 0, 2_000, 5_000));
        ledger.reserve(entry("c", 1_500, 3_500, 100_000));
        // At 1 s: all starting; b's poll end (5 s) is before 1 s + 7 s: expiring.
        assertEquals(new LiveWorkers(3, 0, 1, 0), ledger.count(1_000, MODEL, 8_000, Long.MIN_VALUE));
        // At 2.5 s: a and b ready, c starting; c invoked before 2 s counts as late.
        assertEquals(new LiveWorkers(1, 2, 1, 0), ledger.count(2_500, MODEL, 9_500, 1_000));
        assertEquals(new LiveWorkers(1, 2, 1, 1), ledger.count(2_500, MODEL, 9_500, 2_000));
    }

    @Test
    void inTheModelAWorkerEndsAnIdleExitAfterTheLaterOfReadinessAndDemandWithFactsOnlyWhenSeenEnded() {
        ledger.reserve(entry("a", 0, 2_000, 100_000));
        // Model: ready at 2 s, demand last at 0: predicted idle exit at 7 s.
        assertEquals(new LiveWorkers(0, 1, 0), ledger.count(6_999, MODEL, 0, Long.MIN_VALUE));
        assertEquals(LiveWorkers.NONE, ledger.count(7_000, MODEL, 0, Long.MIN_VALUE));
        // Facts: no predicted exit, and not ready until the census saw it.
        assertEquals(new LiveWorkers(1, 0, 0), ledger.count(7_000, FACTS, 0, Long.MIN_VALUE));
        ledger.ended("a", 8_000);
        assertEquals(LiveWorkers.NONE, ledger.count(8_000, FACTS, 0, Long.MIN_VALUE));
    }

    @Test
    void pruneHandsEachEndedEntryOverOnceAndKeepsTheLiveOnes() {
        ledger.reserve(entry("a", 0, 2_000, 100_000));
        ledger.reserve(entry("b", 0, 2_000, 100_000));
        ledger.ended("a", 3_000);
        List<String> ended = new ArrayList<>();
        ledger.prune(4_000, FACTS, e -> ended.add(e.invocationId()));
        ledger.prune(5_000, FACTS, e -> ended.add(e.invocationId()));
        assertEquals(List.of("a"), ended);
        assertEquals(1, ledger.size());
        assertEquals("b", ledger.entries().get(0).invocationId());
    }

    @Test
    void readyAndRemoveByInvocationIdAndUnknownIdsAreNull() {
        ledger.reserve(entry("a", 0, 2_000, 100_000));
        assertEquals(1_000, ledger.ready("a", 1_000).readyAt());
        assertNull(ledger.ready("nope", 1_000));
        assertEquals("a", ledger.remove("a").invocationId());
        assertNull(ledger.remove("a"));
        assertEquals(0, ledger.size());
    }
}
