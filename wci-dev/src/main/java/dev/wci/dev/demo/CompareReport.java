package dev.wci.dev.demo;

import dev.wci.local.lambda.InvocationOutcome;
import dev.wci.local.lambda.InvocationRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The comparison's figures ({@link Compare}): one {@link Row} per run, measured from the local Lambda runtime's
 * records and the workflows' own answers, kept as CSV, and the table of means and ratios over many rows.
 */
final class CompareReport {

    /** The CSV header; {@link Row#csv()} writes the columns in this order. */
    static final String HEADER = "controller,run,detect1_ms,detect2_ms,s2s_p50_ms,s2s_p99_ms,burst2_p99_ms,"
            + "worker_seconds,invokes,throttled,done,failed,switch_detect_ms,switch_s2s_p99_ms,"
            + "b1_invokes_after_switch,b2_done";

    /** The schedule-to-start of the workflows started in this window after the switch is a figure of its own. */
    static final Duration SWITCH_WINDOW = Duration.ofSeconds(10);
    private static final int COLUMNS = HEADER.split(",").length;
    /** Rows written before the switch columns existed have this many columns; they read as runs without a switch. */
    private static final int COLUMNS_WITHOUT_SWITCH = 12;

    private CompareReport() {
    }

    /** Which part of the workload a workflow belongs to. */
    enum Part { BURST1, TRICKLE, BURST2 }

    /**
     * One completed (or failed) workflow.
     *
     * @param part                which part of the workload started it
     * @param startedAt           when its start request was sent
     * @param firstTaskWaitMillis how long its first workflow task waited for a worker (run start → task start, from
     *                            its history); -1 when it failed
     * @param buildId             the build of the worker that ran its activity; null when it failed
     */
    record Workflow(Part part, Instant startedAt, long firstTaskWaitMillis, String buildId, boolean failed) {

        static Workflow failed(Part part, Instant startedAt) {
            return new Workflow(part, startedAt, -1, null, true);
        }
    }

    /**
     * The version switch of a run: when Temporal accepted the new build as Current (in every deployment), and which
     * of the function's versions run the old and the new build.
     */
    record Switch(Instant at, Set<String> oldVersions, Set<String> newVersions, String newBuild) {
    }

    /**
     * One run's figures; a figure that could not be measured is -1 (e.g. no invoke after a burst because a worker
     * was still live).
     *
     * @param detect1Millis first workflow of the first burst started → first Invoke the runtime received after it
     *                      ({@link #detection})
     * @param detect2Millis the same for the second burst
     * @param s2sP50Millis  first workflow task schedule-to-start, p50 over every workflow
     * @param s2sP99Millis  the same, p99
     * @param burst2P99Millis the same, p99 over the second burst's workflows
     * @param workerSeconds summed lifetime of every invocation that ran (start → end in the runtime)
     * @param invokes       Invoke calls received (throttled ones included)
     * @param throttled     Invoke calls answered 429 (the account limit)
     * @param switchDetectMillis the switch accepted → the first Invoke of a new-build version received at or after it
     *                      ({@link #detection}); -1 without a switch or when none came
     * @param switchP99Millis schedule-to-start p99 over the workflows started in the {@link #SWITCH_WINDOW} after the
     *                      switch; -1 without a switch
     * @param oldInvokesAfterSwitch Invoke calls of an old-build version received at or after the switch (throttled
     *                      ones included); -1 without a switch
     * @param newBuildDone  completed workflows whose activity ran on the new build; -1 without a switch
     */
    record Row(String controller, String run, long detect1Millis, long detect2Millis, long s2sP50Millis,
               long s2sP99Millis, long burst2P99Millis, double workerSeconds, int invokes, int throttled, int done,
               int failed, long switchDetectMillis, long switchP99Millis, int oldInvokesAfterSwitch,
               int newBuildDone) {

        /** Whether the run had a version switch (then the old build's invokes after it are counted, 0 or more). */
        boolean switched() {
            return oldInvokesAfterSwitch >= 0;
        }

        String csv() {
            return String.join(",", controller, run, Long.toString(detect1Millis), Long.toString(detect2Millis),
                    Long.toString(s2sP50Millis), Long.toString(s2sP99Millis), Long.toString(burst2P99Millis),
                    String.format(Locale.ROOT, "%.1f", workerSeconds), Integer.toString(invokes),
                    Integer.toString(throttled), Integer.toString(done), Integer.toString(failed),
                    Long.toString(switchDetectMillis), Long.toString(switchP99Millis),
                    Integer.toString(oldInvokesAfterSwitch), Integer.toString(newBuildDone));
        }

        static Row parse(String line) {
            String[] f = line.strip().split(",", -1);
            if (f.length != COLUMNS && f.length != COLUMNS_WITHOUT_SWITCH) {
                throw new IllegalArgumentException("a row has " + COLUMNS + " columns (" + HEADER + "), this one "
                        + f.length + ": '" + line + "'");
            }
            boolean sw = f.length == COLUMNS;
            try {
                return new Row(f[0], f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                        Long.parseLong(f[5]), Long.parseLong(f[6]), Double.parseDouble(f[7]), Integer.parseInt(f[8]),
                        Integer.parseInt(f[9]), Integer.parseInt(f[10]), Integer.parseInt(f[11]),
                        sw ? Long.parseLong(f[12]) : -1, sw ? Long.parseLong(f[13]) : -1,
                        sw ? Integer.parseInt(f[14]) : -1, sw ? Integer.parseInt(f[15]) : -1);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number in row '" + line + "': " + e.getMessage(), e);
            }
        }
    }

    /**
     * Measures one run.
     *
     * @param invocations the runtime's records of the measured period only (bootstrap invocations left out)
     * @param burstStarts when each burst's first start request was sent (one or two)
     * @param versionSwitch the run's switch, or null without one
     * @param now         running invocations count until now
     */
    static Row measure(String controller, String run, List<InvocationRecord> invocations, List<Instant> burstStarts,
                       Switch versionSwitch, List<Workflow> workflows, Instant now) {
        long detect1 = burstStarts.isEmpty() ? -1 : detection(invocations, burstStarts.get(0));
        long detect2 = burstStarts.size() < 2 ? -1 : detection(invocations, burstStarts.get(1));
        List<Long> all = new ArrayList<>();
        List<Long> second = new ArrayList<>();
        int done = 0;
        int failed = 0;
        for (Workflow w : workflows) {
            if (w.failed()) {
                failed++;
                continue;
            }
            done++;
            all.add(w.firstTaskWaitMillis());
            if (w.part() == Part.BURST2) {
                second.add(w.firstTaskWaitMillis());
            }
        }
        Summary.Percentiles s2s = Summary.Percentiles.of(all);
        Summary.Percentiles s2s2 = Summary.Percentiles.of(second);
        double workerSeconds = 0;
        int throttled = 0;
        for (InvocationRecord r : invocations) {
            if (r.outcome() == InvocationOutcome.THROTTLED) {
                throttled++;
            } else if (r.startedAt() != null) {
                workerSeconds += Duration.between(r.startedAt(), r.endedAt() != null ? r.endedAt() : now).toMillis()
                        / 1000.0;
            }
        }
        long switchDetect = -1;
        long switchP99 = -1;
        int oldAfter = -1;
        int newDone = -1;
        if (versionSwitch != null) {
            Instant at = versionSwitch.at();
            switchDetect = detection(invocations.stream()
                    .filter(r -> versionSwitch.newVersions().contains(r.version())).toList(), at);
            Instant windowEnd = at.plus(SWITCH_WINDOW);
            switchP99 = Summary.Percentiles.of(workflows.stream().filter(w -> !w.failed()
                            && !w.startedAt().isBefore(at) && w.startedAt().isBefore(windowEnd))
                    .map(Workflow::firstTaskWaitMillis).toList()).p99();
            oldAfter = (int) invocations.stream().filter(r -> versionSwitch.oldVersions().contains(r.version())
                    && !r.receivedAt().isBefore(at)).count();
            newDone = (int) workflows.stream().filter(w -> !w.failed() && versionSwitch.newBuild().equals(w.buildId()))
                    .count();
        }
        return new Row(controller, run, detect1, detect2, s2s.p50(), s2s.p99(), s2s2.p99(), workerSeconds,
                invocations.size(), throttled, done, failed, switchDetect, switchP99, oldAfter, newDone);
    }

    /**
     * Burst start → the first Invoke received at or after it, in ms; -1 when none came, or when a worker was
     * already invoked and not ended at the burst's start (then there was nothing to detect: the burst found a worker,
     * and whether a controller invokes more is sizing, not detection).
     */
    static long detection(List<InvocationRecord> invocations, Instant burstStart) {
        boolean workerLive = invocations.stream().anyMatch(r -> r.outcome() != InvocationOutcome.THROTTLED
                && r.receivedAt().isBefore(burstStart) && (r.endedAt() == null || r.endedAt().isAfter(burstStart)));
        if (workerLive) {
            return -1;
        }
        return invocations.stream().map(InvocationRecord::receivedAt).filter(at -> !at.isBefore(burstStart))
                .min(Instant::compareTo).map(at -> Duration.between(burstStart, at).toMillis()).orElse(-1L);
    }

    /**
     * One metric of the table: its name, how it is read from a row, how it is printed, and whether it belongs to the
     * version switch (left out of a table none of whose runs switched).
     */
    private record Metric(String name, ToDoubleFunction<Row> value, boolean seconds, boolean ofSwitch) {

        Metric(String name, ToDoubleFunction<Row> value, boolean seconds) {
            this(name, value, seconds, false);
        }
    }

    private static final List<Metric> METRICS = List.of(
            new Metric("detection, first burst (first workflow started -> first Invoke received)",
                    r -> r.detect1Millis(), true),
            new Metric("detection, second burst (after the idle gap)", r -> r.detect2Millis(), true),
            new Metric("schedule-to-start p50 (first workflow task)", r -> r.s2sP50Millis(), true),
            new Metric("schedule-to-start p99", r -> r.s2sP99Millis(), true),
            new Metric("second burst schedule-to-start p99", r -> r.burst2P99Millis(), true),
            new Metric("switch detection (" + Compare.BUILD_ID_2 + " made Current -> first Invoke of "
                    + Compare.BUILD_ID_2 + " received)", r -> r.switchDetectMillis(), true, true),
            new Metric("schedule-to-start p99, workflows started in the " + SWITCH_WINDOW.toSeconds()
                    + " s after the switch", r -> r.switchP99Millis(), true, true),
            new Metric("invokes of " + Compare.BUILD_ID + " after the switch", r -> r.oldInvokesAfterSwitch(), false,
                    true),
            new Metric("worker-seconds", Row::workerSeconds, false),
            new Metric("invokes", r -> r.invokes(), false),
            new Metric("throttled invokes", r -> r.throttled(), false),
            new Metric("failed workflows", r -> r.failed(), false));

    /**
     * The table: per metric, each controller's mean over its runs (runs where the figure was not measured are left
     * out, and the count says so), and each controller's ratio to the first controller in {@code rows} that is
     * {@code baseline}.
     */
    static List<String> table(List<Row> rows, String baseline) {
        Map<String, List<Row>> byController = new LinkedHashMap<>();
        byController.put(baseline, new ArrayList<>());
        rows.forEach(r -> byController.computeIfAbsent(r.controller(), c -> new ArrayList<>()).add(r));
        if (byController.get(baseline).isEmpty()) {
            byController.remove(baseline);
        }
        List<String> controllers = List.copyOf(byController.keySet());
        List<String> out = new ArrayList<>();
        StringBuilder head = new StringBuilder("| |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String c : controllers) {
            head.append(' ').append(c).append(" (mean of ").append(byController.get(c).size()).append(") |");
            rule.append("---|");
            if (!c.equals(baseline) && byController.containsKey(baseline)) {
                head.append(' ').append(c).append(" / ").append(baseline).append(" |");
                rule.append("---|");
            }
        }
        out.add(head.toString());
        out.add(rule.toString());
        boolean anySwitch = rows.stream().anyMatch(Row::switched);
        for (Metric m : METRICS) {
            if (m.ofSwitch() && !anySwitch) {
                continue;
            }
            StringBuilder line = new StringBuilder("| ").append(m.name()).append(" |");
            double base = mean(byController.getOrDefault(baseline, List.of()), m);
            for (String c : controllers) {
                List<Row> mine = byController.get(c);
                double mean = mean(mine, m);
                line.append(' ').append(value(mean, m, measured(mine, m), mine.size())).append(" |");
                if (!c.equals(baseline) && byController.containsKey(baseline)) {
                    line.append(' ').append(ratio(mean, base)).append(" |");
                }
            }
            out.add(line.toString());
        }
        return out;
    }

    private static long measured(List<Row> rows, Metric m) {
        return rows.stream().filter(r -> m.value().applyAsDouble(r) >= 0).count();
    }

    /** The mean of the measured (≥ 0) values, NaN when there are none. */
    private static double mean(List<Row> rows, Metric m) {
        return rows.stream().mapToDouble(m.value()).filter(v -> v >= 0).average().orElse(Double.NaN);
    }

    private static String value(double mean, Metric m, long measured, int runs) {
        if (Double.isNaN(mean)) {
            return "n/a";
        }
        String v = m.seconds() ? String.format(Locale.ROOT, "%.2f s", mean / 1000) : Compare.number(
                Math.round(mean * 10) / 10.0);
        return measured < runs ? v + " (" + measured + " of " + runs + " runs)" : v;
    }

    /** {@code a / b} as "1.34×"; "-" when either is missing, "0×" / "∞" around a zero baseline. */
    static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return "-";
        }
        if (b == 0) {
            return a == 0 ? "1.00×" : "∞";
        }
        return String.format(Locale.ROOT, "%.2f×", a / b);
    }

    /**
     * Per-run rows, aligned, for reading beside the table; with the switch's columns (switch detection, its window's
     * p99, b1 invokes after it, workflows done on b2) when a run switched.
     */
    static List<String> perRun(List<Row> rows) {
        boolean anySwitch = rows.stream().anyMatch(Row::switched);
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "%-12s %-4s %9s %9s %9s %9s %11s %8s %7s %9s %6s %6s", "controller", "run",
                "detect1", "detect2", "s2s p50", "s2s p99", "burst2 p99", "worker-s", "invokes", "throttled", "done",
                "failed") + (anySwitch ? String.format(Locale.ROOT, " %9s %10s %8s %7s", "switch", "switch p99",
                "b1 after", "b2 done") : ""));
        for (Row r : rows) {
            out.add(String.format(Locale.ROOT, "%-12s %-4s %9s %9s %9s %9s %11s %8.0f %7d %9d %6d %6d",
                    r.controller(), r.run(), secs(r.detect1Millis()), secs(r.detect2Millis()), secs(r.s2sP50Millis()),
                    secs(r.s2sP99Millis()), secs(r.burst2P99Millis()), r.workerSeconds(), r.invokes(), r.throttled(),
                    r.done(), r.failed()) + (anySwitch ? String.format(Locale.ROOT, " %9s %10s %8s %7s",
                    secs(r.switchDetectMillis()), secs(r.switchP99Millis()), count(r.oldInvokesAfterSwitch()),
                    count(r.newBuildDone())) : ""));
        }
        return out;
    }

    private static String count(int n) {
        return n < 0 ? "-" : Integer.toString(n);
    }

    private static String secs(long millis) {
        return millis < 0 ? "-" : String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }
}
