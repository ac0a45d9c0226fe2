package dev.wci.dev.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wci.local.lambda.InvocationOutcome;
import dev.wci.local.lambda.InvocationRecord;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SummaryTest {

    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void percentilesAreNearestRank() {
        List<Long> hundred = LongStream.rangeClosed(1, 100).boxed().toList();
        assertEquals(50, Summary.percentile(hundred, 0.50));
        assertEquals(99, Summary.percentile(hundred, 0.99));
        assertEquals(100, Summary.percentile(hundred, 1.0));
        List<Long> ten = LongStream.rangeClosed(1, 10).boxed().toList();
        assertEquals(5, Summary.percentile(ten, 0.50));
        assertEquals(10, Summary.percentile(ten, 0.99), "p99 of 10 samples is the largest");
        assertEquals(7, Summary.percentile(List.of(7L), 0.5));
        assertEquals(7, Summary.percentile(List.of(7L), 0.99));
        assertThrows(IllegalArgumentException.class, () -> Summary.percentile(List.of(), 0.5));
    }

    @Test
    void percentilesOfUnsortedValuesAndOfNone() {
        Summary.Percentiles p = Summary.Percentiles.of(List.of(3000L, 100L, 200L, 250L));
        assertEquals(new Summary.Percentiles(4, 200, 3000), p);
        assertEquals("200 ms / 3.0 s", p.describe());
        assertEquals(Summary.Percentiles.NONE, Summary.Percentiles.of(List.of()));
        assertEquals("-", Summary.Percentiles.NONE.describe());
    }

    private static InvocationRecord record(String version, int startSecond, Integer endSecond, InvocationOutcome outcome) {
        Instant start = startSecond < 0 ? null : T0.plusSeconds(startSecond);
        return new InvocationRecord("r-" + version + "-" + startSecond, "demo-worker", version, "Event",
                T0.plusSeconds(Math.max(0, startSecond)), start, endSecond == null ? null : T0.plusSeconds(endSecond),
                outcome, null);
    }

    @Test
    void maxConcurrentCountsOverlapsRunningOnesUntilNowAndNotThrottledOnes() {
        List<InvocationRecord> records = List.of(
                record("1", 0, 10, InvocationOutcome.SUCCESS),
                record("1", 2, 5, InvocationOutcome.SUCCESS),
                record("1", 4, 12, InvocationOutcome.SUCCESS),  // 0-10, 2-5, 4-12 overlap at 4..5: three
                record("1", 5, 6, InvocationOutcome.SUCCESS),   // starts as 2-5 ends: still three
                record("1", -1, null, InvocationOutcome.THROTTLED),
                record("1", 11, null, InvocationOutcome.RUNNING)); // with 4-12 only
        assertEquals(3, Summary.maxConcurrent(records, T0.plusSeconds(20)));
        assertEquals(0, Summary.maxConcurrent(List.of(), T0));
        List<InvocationRecord> running = new ArrayList<>(records);
        running.add(record("1", 4, null, InvocationOutcome.RUNNING));
        running.add(record("1", 4, null, InvocationOutcome.RUNNING));
        assertEquals(5, Summary.maxConcurrent(running, T0.plusSeconds(20)));
    }

    private static LoadGenerator.Outcome done(LoadGenerator.Kind kind, boolean pinned, String buildId, long wait,
                                              long latency) {
        return new LoadGenerator.Outcome(kind, pinned, buildId, wait, latency, null);
    }

    @Test
    void perVersionRowsFromTheRuntimesRecordsAndTheWorkflowsOutcomes() {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("v1", "1");
        versions.put("v2", "2");
        List<InvocationRecord> records = List.of(
                record("1", 0, 10, InvocationOutcome.SUCCESS),
                record("1", 1, 9, InvocationOutcome.SUCCESS),
                record("1", -1, null, InvocationOutcome.THROTTLED),
                record("2", 20, 30, InvocationOutcome.SUCCESS),
                new InvocationRecord("other", "another-function", "1", "Event", T0, T0, T0.plusSeconds(50),
                        InvocationOutcome.SUCCESS, null));
        List<LoadGenerator.Outcome> outcomes = List.of(
                done(LoadGenerator.Kind.BURST, true, "v1", 100, 1000),
                done(LoadGenerator.Kind.BURST, false, "v1", 300, 3000),
                done(LoadGenerator.Kind.WAITER, true, "v1", 200, 60_000), // waited for a signal: no latency sample
                done(LoadGenerator.Kind.TRICKLE, false, "v2", 2500, 4000),
                new LoadGenerator.Outcome(LoadGenerator.Kind.TRICKLE, true, null, -1, 500, "boom"));
        List<Summary.VersionSummary> rows = Summary.versions(versions, "demo-worker", records, outcomes,
                T0.plusSeconds(60));
        assertEquals(List.of(
                new Summary.VersionSummary("v1", 3, 1, 2, 3, new Summary.Percentiles(3, 200, 300),
                        new Summary.Percentiles(2, 1000, 3000)),
                new Summary.VersionSummary("v2", 1, 0, 1, 1, new Summary.Percentiles(1, 2500, 2500),
                        new Summary.Percentiles(1, 4000, 4000))), rows);
        List<String> table = Summary.table(rows);
        assertEquals(3, table.size());
        assertEquals("version   invocations  throttled  max workers  workflows done   first-task wait p50 / p99"
                + "   workflow latency p50 / p99", table.get(0));
        assertEquals("v1                  3          1            2               3             200 ms / 300 ms"
                + "                1.0 s / 3.0 s", table.get(1));
    }

    @Test
    void whereTheWaitingWorkflowsFinished() {
        List<LoadGenerator.Outcome> outcomes = List.of(
                done(LoadGenerator.Kind.WAITER, true, "v1", 0, 0),
                done(LoadGenerator.Kind.WAITER, true, "v1", 0, 0),
                done(LoadGenerator.Kind.WAITER, false, "v2", 0, 0),
                new LoadGenerator.Outcome(LoadGenerator.Kind.WAITER, false, null, -1, 0, "timed out"),
                done(LoadGenerator.Kind.BURST, true, "v2", 0, 0));
        assertEquals("pinned finished on v1 ×2; auto-upgrade finished on failed ×1, v2 ×1", Summary.waiters(outcomes));
        assertEquals("none", Summary.waiters(List.of(done(LoadGenerator.Kind.BURST, true, "v1", 0, 0))));
    }

    @Test
    void timerFiguresComeFromWcisRegistryAndKeepTheLargestMaxSeen() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        assertEquals("reaction: no samples", Summary.TimerFigures.of(registry, "wci.reaction").describe("reaction"));
        Timer timer = Timer.builder("wci.reaction").register(registry);
        for (int i = 1; i <= 4; i++) {
            timer.record(Duration.ofMillis(i * 4));
        }
        Summary.TimerFigures f = Summary.TimerFigures.of(registry, "wci.reaction");
        assertEquals(new Summary.TimerFigures(4, 10.0, 16.0), f);
        assertEquals("reaction: 4 samples, mean 10 ms, max 16 ms", f.describe("reaction"));

        // Micrometer's max decays after its window; the demo keeps the largest one it saw.
        Summary.TimerFigures later = new Summary.TimerFigures(5, 8.5, 2.0);
        assertEquals(new Summary.TimerFigures(5, 8.5, 16.0), f.merge(later));
        assertEquals(f, f.merge(Summary.TimerFigures.NONE));
        assertEquals(later, Summary.TimerFigures.NONE.merge(later));
        assertEquals("invoke: 5 samples, mean 8.50 ms, max 1.2 s",
                new Summary.TimerFigures(5, 8.5, 1234).describe("invoke"));
    }

    @Test
    void invokeRequestsByReasonFromWcisCounters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        assertEquals("none", Summary.invokeRequests(registry));
        registry.counter("wci.invoke.requests", "reason", "scale_from_zero").increment(3);
        registry.counter("wci.invoke.requests", "reason", "bootstrap").increment(2);
        registry.counter("wci.decisions", "reason", "limited").increment(); // another meter: not counted
        assertEquals("bootstrap 2, scale_from_zero 3", Summary.invokeRequests(registry));
    }

    @Test
    void durationsReadAsMillisecondsThenSeconds() {
        assertEquals("0 ms", Summary.duration(0));
        assertEquals("999 ms", Summary.duration(999));
        assertEquals("1.0 s", Summary.duration(1000));
        assertEquals("12.3 s", Summary.duration(12_345));
    }
}
