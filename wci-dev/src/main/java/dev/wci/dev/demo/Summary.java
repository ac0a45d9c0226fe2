package dev.wci.dev.demo;

import dev.wci.local.lambda.InvocationOutcome;
import dev.wci.local.lambda.InvocationRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** The table printed when the demo ends: per version what Lambda ran and how long workflows waited. */
final class Summary {

    /** WCI's meters the summary reads (see docs/metrics.md). */
    static final String REACTION = "wci.reaction";
    static final String INVOKE_LATENCY = "wci.invoke.latency";
    static final String INVOKE_REQUESTS = "wci.invoke.requests";

    private Summary() {
    }

    /** WCI's invoke requests by reason, e.g. {@code bootstrap 2, scale_from_zero 3}, or {@code none}. */
    static String invokeRequests(MeterRegistry registry) {
        Map<String, Long> byReason = new TreeMap<>();
        for (Counter c : registry.find(INVOKE_REQUESTS).counters()) {
            byReason.merge(c.getId().getTag("reason"), (long) c.count(), Long::sum);
        }
        List<String> parts = new ArrayList<>();
        byReason.forEach((reason, n) -> parts.add(reason + " " + n));
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    /**
     * One version's figures.
     *
     * @param invocations  invocations the local Lambda runtime received, throttled ones included
     * @param throttles    invocations refused with 429
     * @param maxWorkers   most handler JVMs of the version running at once
     * @param done         workflows whose activity ran on the version
     * @param firstTaskWait schedule-to-start of their first workflow task, in ms
     * @param latency      start request → completion, in ms (waiting workflows excluded: they wait for a signal)
     */
    record VersionSummary(String buildId, int invocations, int throttles, int maxWorkers, int done,
                          Percentiles firstTaskWait, Percentiles latency) {
    }

    /** p50 and p99 of a set of millisecond values, or {@link #NONE} when the set is empty. */
    record Percentiles(int samples, long p50, long p99) {
        static final Percentiles NONE = new Percentiles(0, -1, -1);

        static Percentiles of(List<Long> values) {
            if (values.isEmpty()) {
                return NONE;
            }
            List<Long> sorted = values.stream().sorted().toList();
            return new Percentiles(sorted.size(), percentile(sorted, 0.50), percentile(sorted, 0.99));
        }

        String describe() {
            return samples == 0 ? "-" : duration(p50) + " / " + duration(p99);
        }
    }

    /**
     * A timer of WCI's metrics registry over the whole run: its sample count and mean (cumulative), and the
     * largest sample. Micrometer's max (and its percentiles) only cover a recent window of about two minutes, so
     * the demo samples the timer once a second and keeps the largest max it saw ({@link #merge}).
     */
    record TimerFigures(long count, double meanMillis, double maxMillis) {
        static final TimerFigures NONE = new TimerFigures(0, Double.NaN, Double.NaN);

        static TimerFigures of(MeterRegistry registry, String name) {
            Timer t = registry.find(name).timer();
            if (t == null || t.count() == 0) {
                return NONE;
            }
            return new TimerFigures(t.count(), t.mean(TimeUnit.MILLISECONDS), t.max(TimeUnit.MILLISECONDS));
        }

        /** The newer figures, with the larger of both maxima. */
        TimerFigures merge(TimerFigures newer) {
            if (newer.count == 0) {
                return this;
            }
            return new TimerFigures(newer.count, newer.meanMillis,
                    count == 0 ? newer.maxMillis : Math.max(maxMillis, newer.maxMillis));
        }

        String describe(String what) {
            if (count == 0) {
                return what + ": no samples";
            }
            return String.format(Locale.ROOT, "%s: %d samples, mean %s, max %s", what, count, millis(meanMillis),
                    millis(maxMillis));
        }
    }

    /** The nearest-rank percentile of ascending values ({@code p} in (0, 1]). */
    static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.min(sorted.size(), Math.max(1, rank)) - 1);
    }

    /** The most invocations that ran at the same time (a running one counts until {@code now}). */
    static int maxConcurrent(List<InvocationRecord> invocations, Instant now) {
        record Edge(Instant at, int delta) {
        }
        List<Edge> edges = new ArrayList<>();
        for (InvocationRecord r : invocations) {
            if (r.startedAt() != null) {
                edges.add(new Edge(r.startedAt(), 1));
                edges.add(new Edge(r.endedAt() != null ? r.endedAt() : now, -1));
            }
        }
        // At equal times an end goes first: a worker replaced at the same instant is not two at once.
        edges.sort(Comparator.comparing(Edge::at).thenComparingInt(Edge::delta));
        int live = 0;
        int max = 0;
        for (Edge e : edges) {
            live += e.delta();
            max = Math.max(max, live);
        }
        return max;
    }

    /** Per version (in the order given): the runtime's records of {@code function} and the workflows' outcomes. */
    static List<VersionSummary> versions(Map<String, String> functionVersionByBuildId, String function,
                                         List<InvocationRecord> invocations, List<LoadGenerator.Outcome> outcomes,
                                         Instant now) {
        List<VersionSummary> rows = new ArrayList<>();
        for (Map.Entry<String, String> e : functionVersionByBuildId.entrySet()) {
            String buildId = e.getKey();
            List<InvocationRecord> mine = invocations.stream()
                    .filter(r -> r.function().equals(function) && r.version().equals(e.getValue())).toList();
            int throttles = (int) mine.stream().filter(r -> r.outcome() == InvocationOutcome.THROTTLED).count();
            List<LoadGenerator.Outcome> ran = outcomes.stream()
                    .filter(o -> !o.failed() && buildId.equals(o.buildId())).toList();
            rows.add(new VersionSummary(buildId, mine.size(), throttles, maxConcurrent(mine, now), ran.size(),
                    Percentiles.of(ran.stream().map(LoadGenerator.Outcome::firstTaskWaitMillis).toList()),
                    Percentiles.of(ran.stream().filter(o -> o.kind() != LoadGenerator.Kind.WAITER)
                            .map(LoadGenerator.Outcome::latencyMillis).toList())));
        }
        return rows;
    }

    /** Where the waiting workflows finished: e.g. {@code pinned: v1 ×5; auto-upgrade: v2 ×5}. */
    static String waiters(List<LoadGenerator.Outcome> outcomes) {
        Map<String, Map<String, Integer>> where = new TreeMap<>(Comparator.reverseOrder()); // "pinned" first
        for (LoadGenerator.Outcome o : outcomes) {
            if (o.kind() == LoadGenerator.Kind.WAITER) {
                where.computeIfAbsent(o.pinned() ? "pinned" : "auto-upgrade", k -> new TreeMap<>())
                        .merge(o.failed() ? "failed" : o.buildId(), 1, Integer::sum);
            }
        }
        List<String> parts = new ArrayList<>();
        where.forEach((type, byVersion) -> {
            List<String> counts = new ArrayList<>();
            byVersion.forEach((v, n) -> counts.add(v + " ×" + n));
            parts.add(type + " finished on " + String.join(", ", counts));
        });
        return parts.isEmpty() ? "none" : String.join("; ", parts);
    }

    /** The table, one row per version. */
    static List<String> table(List<VersionSummary> rows) {
        List<String> lines = new ArrayList<>();
        String format = "%-8s %12s %10s %12s %15s %27s %28s";
        lines.add(String.format(Locale.ROOT, format, "version", "invocations", "throttled", "max workers",
                "workflows done", "first-task wait p50 / p99", "workflow latency p50 / p99"));
        for (VersionSummary r : rows) {
            lines.add(String.format(Locale.ROOT, format, r.buildId(), r.invocations(), r.throttles(), r.maxWorkers(),
                    r.done(), r.firstTaskWait().describe(), r.latency().describe()));
        }
        return lines;
    }

    /** Milliseconds as "850 ms" or "2.4 s". */
    static String duration(long millis) {
        return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static String millis(double ms) {
        if (Double.isNaN(ms)) {
            return "-";
        }
        return ms < 10 ? String.format(Locale.ROOT, "%.2f ms", ms)
                : ms < 1000 ? String.format(Locale.ROOT, "%.0f ms", ms)
                : String.format(Locale.ROOT, "%.1f s", ms / 1000);
    }
}
