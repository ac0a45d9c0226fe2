package dev.wci.server.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.lambda.local.InvocationOutcome;
import dev.wci.lambda.local.InvocationRecord;
import dev.wci.server.demo.CompareReport.Part;
import dev.wci.server.demo.CompareReport.Row;
import dev.wci.server.demo.CompareReport.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompareReportTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static InvocationRecord ran(long receivedMs, long startMs, Long endMs) {
        return new InvocationRecord("r" + receivedMs, "f", "1", "Event", T0.plusMillis(receivedMs),
                T0.plusMillis(startMs), endMs == null ? null : T0.plusMillis(endMs),
                endMs == null ? InvocationOutcome.RUNNING : InvocationOutcome.SUCCESS, null);
    }

    private static InvocationRecord throttled(long receivedMs) {
        return new InvocationRecord("t" + receivedMs, "f", "1", "Event", T0.plusMillis(receivedMs), null,
                T0.plusMillis(receivedMs), InvocationOutcome.THROTTLED, "429");
    }

    @Test
    void detectionIsBurstStartToTheFirstInvokeReceivedAtOrAfterIt() {
        List<InvocationRecord> records = List.of(ran(900, 1000, 5000L), ran(400, 500, 5000L), ran(70_250, 71_000, 80_000L));
        assertEquals(400, CompareReport.detection(records, T0));
        assertEquals(250, CompareReport.detection(records, T0.plusSeconds(70)));
        assertEquals(-1, CompareReport.detection(records, T0.plusSeconds(90)), "no invoke after it: not measured");
    }

    @Test
    void aBurstThatFindsAWorkerStillRunningHasNothingToDetect() {
        List<InvocationRecord> records = List.of(ran(1000, 2000, 75_000L), throttled(65_000), ran(70_250, 71_000, null));
        assertEquals(-1, CompareReport.detection(records, T0.plusSeconds(70)), "the first worker ran until 75 s");
        List<InvocationRecord> ended = List.of(ran(1000, 2000, 65_000L), throttled(66_000), ran(70_250, 71_000, null));
        assertEquals(250, CompareReport.detection(ended, T0.plusSeconds(70)), "ended before; a throttled one never ran");
    }

    @Test
    void measuresEveryFigureOfARun() {
        List<InvocationRecord> records = List.of(ran(500, 1000, 11_000L), throttled(600), throttled(700),
                ran(60_300, 61_000, null));
        List<Workflow> workflows = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            workflows.add(new Workflow(i <= 50 ? Part.BURST1 : Part.BURST2, i * 100L, false));
        }
        workflows.add(new Workflow(Part.TRICKLE, -1, true));
        Row row = CompareReport.measure("wci-stats", "2", records, List.of(T0, T0.plusSeconds(60)), workflows,
                T0.plusSeconds(65));
        assertEquals(500, row.detect1Millis());
        assertEquals(300, row.detect2Millis());
        assertEquals(5000, row.s2sP50Millis(), "nearest rank over the 100 that completed");
        assertEquals(9900, row.s2sP99Millis());
        assertEquals(10_000, row.burst2P99Millis(), "p99 of the second burst only (its 50 values: 5.1 s .. 10 s)");
        assertEquals(10 + 4, row.workerSeconds(), 1e-9, "10 s ended + 4 s still running at 'now'; throttled never ran");
        assertEquals(4, row.invokes());
        assertEquals(2, row.throttled());
        assertEquals(100, row.done());
        assertEquals(1, row.failed());
    }

    @Test
    void aRowSurvivesItsCsvAndABadRowIsNamed() {
        Row row = new Row("embedded", "3", 900, -1, 9200, 18_800, 12_100, 734.5, 45, 23, 500, 0);
        assertEquals(row, Row.parse(row.csv()));
        assertEquals(CompareReport.HEADER.split(",").length, row.csv().split(",").length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Row.parse("a,b,c"));
        assertTrue(e.getMessage().contains("12 columns"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Row.parse("embedded,1,x,1,1,1,1,1,1,1,1,1"));
        assertTrue(e.getMessage().startsWith("not a number in row"), e.getMessage());
    }

    @Test
    void theTableHasMeansPerControllerAndRatiosToTheEmbeddedOne() {
        List<Row> rows = List.of(
                new Row("wci-stats", "1", 2000, 3000, 12_000, 19_000, 18_000, 750, 20, 0, 500, 0),
                new Row("embedded", "1", 800, 200, 9000, 18_000, 12_000, 700, 40, 20, 500, 0),
                new Row("embedded", "2", 1000, 300, 9400, 19_600, 12_200, 768, 50, 27, 500, 0),
                new Row("wci-stats", "2", 2800, -1, 12_800, 18_800, 18_400, 756, 20, 0, 500, 0));
        List<String> table = CompareReport.table(rows, "embedded");
        assertEquals("| | embedded (mean of 2) | wci-stats (mean of 2) | wci-stats / embedded |", table.get(0),
                "the baseline first, whatever the order of the rows");
        assertTrue(table.get(2).contains("| 0.90 s | 2.40 s | 2.67× |"), table.get(2));
        assertTrue(table.get(3).contains("| 0.25 s | 3.00 s (1 of 2 runs) | 12.00× |"),
                "a figure not measured in a run is left out of its mean, and the count says so: " + table.get(3));
        assertTrue(table.get(9).contains("| 23.5 | 0 | 0.00× |"), table.get(9));
    }

    @Test
    void ratiosAroundZeroAndMissingFigures() {
        assertEquals("1.00×", CompareReport.ratio(0, 0));
        assertEquals("∞", CompareReport.ratio(3, 0));
        assertEquals("-", CompareReport.ratio(Double.NaN, 1));
        assertEquals("0.50×", CompareReport.ratio(1, 2));
    }

    @Test
    void aTableWithoutTheBaselineHasNoRatioColumns() {
        List<String> table = CompareReport.table(List.of(
                new Row("wci-stats", "1", 2000, 3000, 12_000, 19_000, 18_000, 750, 20, 0, 500, 0)), "embedded");
        assertEquals("| | wci-stats (mean of 1) |", table.get(0));
    }
}
