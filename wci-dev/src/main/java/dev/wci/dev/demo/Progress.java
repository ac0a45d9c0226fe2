package dev.wci.dev.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the demo shows once a second: the phase, the workflows, and per version WCI's view (routing, backlog,
 * live workers) next to the local Lambda runtime's (invocations, throttles) and the workflows each version ran.
 */
final class Progress {

    private Progress() {
    }

    /**
     * One version at one moment.
     *
     * @param routing     the version's status in Temporal (CURRENT, DRAINING, ...), or "-" before Temporal knows it
     * @param backlog     the backlog WCI's scaler sizes for
     * @param starting    workers WCI invoked that are not polling yet
     * @param ready       workers WCI counts as polling
     * @param invocations invocations the local Lambda runtime received (throttled ones included)
     * @param running     handler JVMs running now
     * @param throttles   invocations the runtime refused with 429
     * @param done        workflows whose activity this version's workers ran
     */
    record VersionLine(String buildId, String routing, double backlog, int starting, int ready, int invocations,
                       int running, int throttles, int done) {
    }

    /** The whole display at one moment. */
    record Snapshot(long elapsedSeconds, String phase, int started, int done, int failed,
                    List<VersionLine> versions) {
        int running() {
            return started - done - failed;
        }
    }

    /** One line, for a log or a pipe. */
    static String line(Snapshot s) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "[%s] %-13s | workflows: %d started, %d done, %d running",
                clock(s.elapsedSeconds()), s.phase(), s.started(), s.done(), s.running()));
        if (s.failed() > 0) {
            b.append(", ").append(s.failed()).append(" failed");
        }
        for (VersionLine v : s.versions()) {
            b.append(String.format(Locale.ROOT,
                    " | %s %s: backlog %s, workers %d starting + %d ready, %d invocations (%d running, %d throttled), %d done",
                    v.buildId(), v.routing(), backlog(v.backlog()), v.starting(), v.ready(), v.invocations(),
                    v.running(), v.throttles(), v.done()));
        }
        return b.toString();
    }

    /** A few lines with a table per version, redrawn in place on a terminal. */
    static List<String> block(Snapshot s) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "wci demo  %s  phase: %s", clock(s.elapsedSeconds()), s.phase()));
        lines.add(String.format(Locale.ROOT, "workflows: %d started, %d done, %d running%s", s.started(), s.done(),
                s.running(), s.failed() > 0 ? ", " + s.failed() + " failed" : ""));
        lines.add(String.format(Locale.ROOT, "%-8s %-9s %8s %9s %6s %12s %8s %10s %6s", "version", "routing",
                "backlog", "starting", "ready", "invocations", "running", "throttled", "done"));
        for (VersionLine v : s.versions()) {
            lines.add(String.format(Locale.ROOT, "%-8s %-9s %8s %9d %6d %12d %8d %10d %6d", v.buildId(), v.routing(),
                    backlog(v.backlog()), v.starting(), v.ready(), v.invocations(), v.running(), v.throttles(),
                    v.done()));
        }
        return lines;
    }

    /** Elapsed time as m:ss. */
    static String clock(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    private static String backlog(double backlog) {
        return backlog == Math.rint(backlog) ? Long.toString((long) backlog)
                : String.format(Locale.ROOT, "%.1f", backlog);
    }
}
