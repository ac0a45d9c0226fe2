package dev.wci.dev.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.local.lambda.InvocationOutcome;
import dev.wci.local.lambda.InvocationRecord;
import dev.wci.dev.demo.CompareReport.Part;
import dev.wci.dev.demo.CompareReport.Row;
import dev.wci.dev.demo.CompareReport.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CompareReportTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static InvocationRecord ran(long receivedMs, long startMs, Long endMs) {
        return new InvocationRecord("r" + receivedMs, "f", "1", "Event", T0.plusMillis(receivedMs),
                T0.plusMillis(startMs), endMs == null ? null : T0.plusMillis(endMs),
                endMs == null ? InvocationOutcome.RUNNING : InvocationOutcome.SUCCESS, null);
    }

    private static InvocationRecord ranOf(String version, long receivedMs, long startMs, Long endMs) {
        return new InvocationRecord("v" + version + "-" + receivedMs, "f", version, "Event", T0.plusMillis(receivedMs),
                T0.plusMillis(startMs), endMs == null ? null : T0.plusMillis(endMs),
                endMs == null ? InvocationOutcome.RUNNING : InvocationOutcome.SUCCESS, null);
    }

    private static InvocationRecord throttledOf(String version, long receivedMs) {
        return new InvocationRecord("t" + version + "-" + receivedMs, "f", version, "Event", T0.plusMillis(receivedMs),
                null, T0.plusMillis(receivedMs), InvocationOutcome.THROTTLED, "429");
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
            workflows.add(new Workflow(i <= 50 ? Part.BURST1 : Part.BURST2, T0, i * 100L, "b1", false));
        }
        workflows.add(Workflow.failed(Part.TRICKLE, T0));
        Row row = CompareReport.measure("wci-stats", "2", records, List.of(T0, T0.plusSeconds(60)), null,
                workflows, T0.plusSeconds(65));
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
        assertEquals(List.of(-1L, -1L, -1, -1), List.of(row.switchDetectMillis(), row.switchP99Millis(),
                row.oldInvokesAfterSwitch(), row.newBuildDone()), "no switch: not measured, not zero");
        assertTrue(!row.switched());
    }

    @Test
    void aRowSurvivesItsCsvAndABadRowIsNamed() {
        Row row = new Row("embedded", "3", 900, -1, 9200, 18_800, 12_100, 734.5, 45, 23, 500, 0, -1, -1, -1, -1);
        assertEquals(row, Row.parse(row.csv()));
        assertEquals(CompareReport.HEADER.split(",").length, row.csv().split(",").length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Row.parse("a,b,c"));
        assertTrue(e.getMessage().contains("16 columns"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Row.parse("embedded,1,x,1,1,1,1,1,1,1,1,1"));
        assertTrue(e.getMessage().startsWith("not a number in row"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Row.parse("embedded,1,1,1,1,1,1,1,1,1,1,1,1,1,y,1"));
        assertTrue(e.getMessage().startsWith("not a number in row"), e.getMessage());
        Row switched = new Row("wci-push", "1", 900, 300, 9200, 18_800, 12_100, 734.5, 45, 0, 500, 0, 1200, 8000, 3, 80);
        assertEquals(switched, Row.parse(switched.csv()));
        assertEquals(row, Row.parse("embedded,3,900,-1,9200,18800,12100,734.5,45,23,500,0"),
                "a row written before the switch columns existed reads as a run without a switch");
    }

    @Test
    void theSwitchIsMeasuredFromTheRuntimesRecordsAndTheWorkflows() {
        // Function version 1 runs b1, version 2 runs b2; b2 was made Current at 20 s.
        Instant at = T0.plusSeconds(20);
        List<InvocationRecord> records = List.of(ran(500, 1000, 19_000L), ranOf("2", 20_800, 21_500, 40_000L),
                ranOf("1", 21_000, 22_000, 30_000L), throttledOf("1", 22_000), ranOf("1", 15_000, 16_000, 27_000L),
                ranOf("2", 25_000, 26_000, null));
        List<Workflow> workflows = List.of(
                new Workflow(Part.TRICKLE, T0.plusSeconds(19), 100, "b1", false),
                new Workflow(Part.TRICKLE, at, 3000, "b2", false),
                new Workflow(Part.TRICKLE, T0.plusSeconds(25), 5000, "b2", false),
                new Workflow(Part.TRICKLE, T0.plusMillis(29_999), 4000, "b1", false),
                new Workflow(Part.TRICKLE, T0.plusSeconds(30), 9000, "b2", false),
                Workflow.failed(Part.TRICKLE, T0.plusSeconds(21)));
        Row row = CompareReport.measure("embedded", "1", records, List.of(T0),
                new CompareReport.Switch(at, Set.of("1"), Set.of("2"), "b2"), workflows, T0.plusSeconds(60));
        assertEquals(800, row.switchDetectMillis(), "20 s -> the first Invoke of b2 at 20.8 s");
        assertEquals(5000, row.switchP99Millis(), "over the 3 completed workflows started in [20 s, 30 s)");
        assertEquals(2, row.oldInvokesAfterSwitch(), "b1's invokes at 21 s and 22 s (throttled too), not 15 s's");
        assertEquals(3, row.newBuildDone(), "completed workflows whose activity ran on b2");
        assertTrue(row.switched());
    }

    @Test
    void aSwitchThatFindsABuildTwoWorkerRunningOrNoneComingIsNotMeasured() {
        Instant at = T0.plusSeconds(20);
        CompareReport.Switch sw = new CompareReport.Switch(at, Set.of("1"), Set.of("2"), "b2");
        Row live = CompareReport.measure("wci-stats", "1", List.of(ranOf("2", 10_000, 11_000, null),
                        ranOf("2", 21_000, 22_000, null)),
                List.of(T0), sw, List.of(), T0.plusSeconds(60));
        assertEquals(-1, live.switchDetectMillis(), "a b2 worker was running at the switch: nothing to detect");
        assertEquals(-1, live.switchP99Millis(), "no workflow started after the switch");
        assertEquals(0, live.oldInvokesAfterSwitch(), "counted, and none: 0, not n/a");
        assertEquals(0, live.newBuildDone());
        Row none = CompareReport.measure("wci-stats", "1", List.of(ranOf("1", 21_000, 22_000, null)), List.of(T0), sw,
                List.of(), T0.plusSeconds(60));
        assertEquals(-1, none.switchDetectMillis(), "no Invoke of b2 after the switch");
        assertEquals(1, none.oldInvokesAfterSwitch());
    }

    @Test
    void theSwitchRowsAreInTheTableOnlyWhenARunSwitched() {
        List<Row> rows = List.of(
                new Row("embedded", "1", 800, 200, 9000, 18_000, 12_000, 700, 40, 20, 500, 0, 400, 6000, 4, 90),
                new Row("embedded", "2", 1000, 300, 9400, 19_600, 12_200, 768, 50, 27, 500, 0, 600, 8000, 2, 95),
                new Row("wci-push", "1", 700, 250, 9000, 18_000, 12_000, 700, 30, 0, 500, 0, 750, 9000, 0, 92),
                new Row("wci-stats", "1", 2000, 3000, 12_000, 19_000, 18_000, 750, 20, 0, 500, 0, -1, -1, -1, -1));
        List<String> table = CompareReport.table(rows, "embedded");
        assertEquals(2 + 12, table.size(), String.join("\n", table));
        assertTrue(table.get(7).startsWith("| switch detection (b2 made Current -> first Invoke of b2 received) |"
                + " 0.50 s | 0.75 s | 1.50× | n/a | - |"), table.get(7));
        assertTrue(table.get(8).contains("| 7.00 s | 9.00 s | 1.29× | n/a | - |"), table.get(8));
        assertTrue(table.get(9).startsWith("| invokes of b1 after the switch | 3 | 0 | 0.00× | n/a | - |"),
                table.get(9));
        List<String> perRun = CompareReport.perRun(rows);
        assertTrue(perRun.get(0).endsWith("switch switch p99 b1 after b2 done"), perRun.get(0));
        assertTrue(perRun.get(1).endsWith("0.40 s     6.00 s        4      90"), perRun.get(1));
        assertTrue(perRun.get(4).endsWith("-          -        -       -"), perRun.get(4));

        List<Row> plain = rows.subList(3, 4);
        assertEquals(2 + 9, CompareReport.table(plain, "embedded").size(), "no run switched: no switch rows");
        assertTrue(CompareReport.table(plain, "embedded").stream().noneMatch(l -> l.contains("switch")));
        assertTrue(CompareReport.perRun(plain).get(0).endsWith("failed"), CompareReport.perRun(plain).get(0));
    }

    @Test
    void theTableHasMeansPerControllerAndRatiosToTheEmbeddedOne() {
        List<Row> rows = List.of(
                new Row("wci-stats", "1", 2000, 3000, 12_000, 19_000, 18_000, 750, 20, 0, 500, 0, -1, -1, -1, -1),
                new Row("embedded", "1", 800, 200, 9000, 18_000, 12_000, 700, 40, 20, 500, 0, -1, -1, -1, -1),
                new Row("embedded", "2", 1000, 300, 9400, 19_600, 12_200, 768, 50, 27, 500, 0, -1, -1, -1, -1),
                new Row("wci-stats", "2", 2800, -1, 12_800, 18_800, 18_400, 756, 20, 0, 500, 0, -1, -1, -1, -1));
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
                new Row("wci-stats", "1", 2000, 3000, 12_000, 19_000, 18_000, 750, 20, 0, 500, 0, -1, -1, -1, -1)), "embedded");
        assertEquals("| | wci-stats (mean of 1) |", table.get(0));
    }
}
