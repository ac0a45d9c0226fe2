package dev.wci.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints results as CSV (fixed header) or as an aligned table with ratios against a baseline algorithm. */
public final class ResultFormatter {

    /** The CSV header, exactly as the issue specifies it. */
    public static final String CSV_HEADER =
            "workload,algorithm,p50_s,p95_s,p99_s,max_s,tasks,invocations,worker_seconds,idle_worker_seconds,"
                    + "peak_workers,throttles";

    /** The algorithm the table compares against when it is present. */
    public static final String REFERENCE_ALGORITHM = "wci";

    private ResultFormatter() {
    }

    /** Header line, then one row per result; lines end with '\n'. */
    public static String csv(List<SimResult> results) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (SimResult r : results) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%.3f,%.3f,%.3f,%.3f,%d,%d,%.1f,%.1f,%d,%d\n",
                    r.workload(), r.algorithm(), r.p50(), r.p95(), r.p99(), r.max(), r.tasks(), r.invocations(),
                    r.workerSeconds(), r.idleWorkerSeconds(), r.peakWorkers(), r.throttles()));
        }
        return sb.toString();
    }

    /**
     * An aligned table. Per workload, p99 and worker-seconds are also given as ratios against the
     * algorithm {@value #REFERENCE_ALGORITHM} if it ran, else against the first algorithm.
     */
    public static String table(List<SimResult> results) {
        if (results.isEmpty()) {
            return "(no results)\n";
        }
        String base = results.stream().anyMatch(r -> r.algorithm().equals(REFERENCE_ALGORITHM))
                ? REFERENCE_ALGORITHM : results.get(0).algorithm();
        Map<String, SimResult> baseByWorkload = new LinkedHashMap<>();
        for (SimResult r : results) {
            if (r.algorithm().equals(base)) {
                baseByWorkload.putIfAbsent(r.workload(), r);
            }
        }
        String[] header = {"workload", "algorithm", "p50_s", "p95_s", "p99_s", "max_s", "tasks", "invocations",
                "worker_s", "idle_worker_s", "peak", "throttles", "describes", "p99/" + base, "worker_s/" + base};
        List<String[]> rows = new ArrayList<>();
        rows.add(header);
        for (SimResult r : results) {
            SimResult b = baseByWorkload.get(r.workload());
            rows.add(new String[] {r.workload(), r.algorithm(), f3(r.p50()), f3(r.p95()), f3(r.p99()), f3(r.max()),
                    Long.toString(r.tasks()) + (r.unfinished() > 0 ? " (+" + r.unfinished() + " unfinished)" : ""),
                    Long.toString(r.invocations()), f1(r.workerSeconds()), f1(r.idleWorkerSeconds()),
                    Integer.toString(r.peakWorkers()), Long.toString(r.throttles()), Long.toString(r.describeCalls()),
                    b == null ? "-" : ratio(r.p99(), b.p99()), b == null ? "-" : ratio(r.workerSeconds(), b.workerSeconds())});
        }
        int[] width = new int[header.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        String lastWorkload = null;
        for (int n = 0; n < rows.size(); n++) {
            String[] row = rows.get(n);
            if (n > 1 && !row[0].equals(lastWorkload)) {
                sb.append('\n');
            }
            lastWorkload = row[0];
            for (int i = 0; i < row.length; i++) {
                boolean left = i < 2;
                String cell = row[i];
                String pad = " ".repeat(width[i] - cell.length());
                sb.append(left ? cell + pad : pad + cell);
                sb.append(i == row.length - 1 ? "" : "  ");
            }
            sb.append('\n');
            if (n == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                sb.append("-".repeat(total - 2)).append('\n');
            }
        }
        sb.append("\nratios: against ").append(base)
                .append(" on the same workload; schedule-to-start in seconds; worker_s includes cold starts.\n");
        return sb.toString();
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String ratio(double v, double base) {
        if (base == 0) {
            return v == 0 ? "1.00x" : "inf";
        }
        return String.format(Locale.ROOT, "%.2fx", v / base);
    }
}
