package dev.wci.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scaler's invariant, checked on simulator traces of random workloads ({@link RandomWorkloads}, shortened to
 * stay fast): below every limit, WCI never holds a flat fleet under a growing backlog. A window in which a
 * version's backlog was never empty, ends higher than it began and never fell below where it began, while the live workers
 * of that version (starting included: an invocation shows at once) never rose above where they began, and all
 * versions' workers stayed below the account's concurrency (less 5 %: the scaler's count of live workers lags ends), is a violation when it lasts longer than the time the evidence needs to reach the scaler
 * plus one cold start: the stats' staleness, one poll, two trend spans (one cold start each, at least 1 s) and the
 * cold start, with the slow-start tail's allowance (10 s).
 */
class NeverStallsPropertyTest {

    private static final int DRAWS = 60;
    private static final Duration MAX_DURATION = Duration.ofSeconds(240);

    /** Tests may run it on more draws or another seed: {@code -Dwci.stall.draws=200 -Dwci.stall.seed=1}. */
    @Test
    void wciNeverHoldsAFlatFleetUnderAGrowingBacklog() {
        List<String> violations = new ArrayList<>();
        for (RandomDraw d : RandomWorkloads.draw(Long.getLong("wci.stall.seed", 20_261),
                Integer.getInteger("wci.stall.draws", DRAWS))) {
            String v = violation(d);
            if (v != null) {
                violations.add(v);
            }
        }
        assertEquals(List.of(), violations);
    }

    /**
     * The windows the check found on 200 draws of seeds 1 and 3 before throttles for a full account backed off at
     * most 5 s: versions sharing a small account, one throttled while the others held it, its exponential backoff
     * (up to a minute) outlasting the full account by half a minute.
     */
    @Test
    void aVersionThrottledByAFullAccountIsNotHeldFlatOnceTheAccountHasRoom() {
        List<String> violations = new ArrayList<>();
        for (RandomDraw d : List.of(RandomWorkloads.draw(1, 74).get(73), RandomWorkloads.draw(3, 78).get(77))) {
            String v = violation(d);
            if (v != null) {
                violations.add(v);
            }
        }
        assertEquals(List.of(), violations);
    }

    /** The first stall of WCI on draw {@code d} (shortened), described with the draw, or null. */
    private static String violation(RandomDraw d) {
        Workload w = shortened(d.workload());
        SimConfig c = d.config().withDrainLimit(Duration.ofMinutes(5));
        SimAlgorithms reg = WciSimAlgorithm.configuredFor(SimAlgorithms.defaults(), c);
        SimResult r = new SimRunner(reg, c, d.seed()).run(List.of(w), List.of(WciSimAlgorithm.NAME)).get(0);
        double window = c.staleness().toMillis() / 1000.0 + 1
                + 3 * Math.max(1, c.coldStartMedian().toMillis() / 1000.0) + 10;
        SimResult.TimeSeries t = r.series();
        for (int i = 0; i < t.backlogByVersion().length; i++) {
            String v = stall(t.intervalSeconds(), t.backlogByVersion()[i], t.liveByVersion()[i], t.liveWorkers(),
                    window, c.accountConcurrency());
            if (v != null) {
                return "#" + d.index() + " version " + (i + 1) + ": " + v + ": " + d.params();
            }
        }
        return null;
    }

    @Test
    void theCheckFlagsAFlatFleetUnderAGrowingBacklogOnly() {
        int[] growing = {0, 3, 5, 8, 9, 12, 15, 15, 18, 20};
        int[] flat = {4, 4, 4, 3, 4, 4, 4, 4, 4, 4};
        int[] rising = {4, 4, 4, 4, 5, 5, 5, 5, 5, 5};
        assertEquals("backlog 3 -> 20 with 4 live workers from t=1s to t=9s",
                stall(new SimResult.TimeSeries(1, growing, flat), 8, 100));
        assertEquals(null, stall(new SimResult.TimeSeries(1, growing, rising), 8, 100), "capacity was added");
        assertEquals(null, stall(new SimResult.TimeSeries(1, growing, flat), 8, 5), "at the account's limit");
        assertEquals(null, stall(new SimResult.TimeSeries(1, growing, flat), 9, 100), "shorter than the window");
    }

    private static Workload shortened(Workload w) {
        Duration dur = w.duration().compareTo(MAX_DURATION) > 0 ? MAX_DURATION : w.duration();
        return w.kind().with(new WorkloadParams(dur, w.rate(), w.burstSize(), w.taskDuration(), w.versions(),
                w.taskSigma()));
    }

    /** {@link #stall(double, int[], int[], int[], double, int)} on a single-version series. */
    static String stall(SimResult.TimeSeries s, double windowSeconds, int account) {
        return stall(s.intervalSeconds(), s.backlog(), s.liveWorkers(), s.liveWorkers(), windowSeconds, account);
    }

    /**
     * The first stall of one version, described, or null: its backlog and live workers, and the live workers of
     * all versions (the account's concurrency is shared).
     */
    static String stall(double interval, int[] backlog, int[] live, int[] allLive, double windowSeconds,
                        int account) {
        int span = (int) Math.ceil(windowSeconds / interval);
        // The scaler's total cap is the account's concurrency; it counts a worker until the census shows it ended
        // (a few seconds late) and while its invocation is in flight, so it reaches its cap a little before the
        // model's count does.
        int belowLimit = account - Math.max(2, account / 20);
        for (int i = 0; i + span < backlog.length; i++) {
            int j = i + span;
            if (backlog[i] == 0 || backlog[j] <= backlog[i]) {
                continue;
            }
            boolean flat = true;
            for (int k = i; k <= j && flat; k++) {
                flat = backlog[k] >= backlog[i] && live[k] <= live[i] && allLive[k] < belowLimit;
            }
            if (flat) {
                return String.format("backlog %d -> %d with %d live workers from t=%.0fs to t=%.0fs", backlog[i],
                        backlog[j], live[i], i * interval, j * interval);
            }
        }
        return null;
    }
}
