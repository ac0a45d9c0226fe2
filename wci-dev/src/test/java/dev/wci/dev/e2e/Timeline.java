package dev.wci.dev.e2e;

import dev.wci.core.scaling.GroupStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the scaler's view of a test bed every 500 ms, keeping a line whenever it changed, so that a fault test
 * prints how WCI saw the fault (backlog, live workers, invoke-loop hold, invocations) next to its figures.
 */
final class Timeline {

    private final WciTestBed bed;
    private final Instant origin;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "timeline");
        t.setDaemon(true);
        return t;
    });
    private final List<String> lines = new ArrayList<>();
    private String last = "";

    private Timeline(WciTestBed bed, Instant origin) {
        this.bed = bed;
        this.origin = origin;
    }

    static Timeline start(WciTestBed bed, Instant origin) {
        Timeline t = new Timeline(bed, origin);
        t.sampler.scheduleAtFixedRate(t::sample, 0, 500, TimeUnit.MILLISECONDS);
        return t;
    }

    private void sample() {
        StringBuilder b = new StringBuilder();
        for (GroupStatus g : bed.wci.scaler().status()) {
            b.append(String.format(" %s: starting %d ready %d backlog %.0f%s", g.group().name(),
                    g.live().starting(), g.live().ready(), g.backlog(),
                    g.invokeLoopSuspect() == null ? "" : " HELD"));
        }
        b.append(" | invocations ").append(bed.invocations(1).size());
        String line = b.toString();
        synchronized (lines) {
            if (!line.equals(last)) {
                lines.add(String.format("  +%5.1f s%s", Duration.between(origin, Instant.now()).toMillis() / 1000.0,
                        line));
                last = line;
            }
        }
    }

    /** Stops sampling; returns the changes seen, one per line. */
    String stop() {
        sampler.shutdownNow();
        synchronized (lines) {
            return "timeline (from " + origin + "):\n" + String.join("\n", lines);
        }
    }
}
