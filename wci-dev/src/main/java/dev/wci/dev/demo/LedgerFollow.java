package dev.wci.dev.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How closely WCI's ledger follows the workers that really run, measured by the demo from outside: sampled a few
 * times a second, per version, WCI's live count (starting + ready) against the local Lambda runtime's running
 * invocations.
 *
 * <ul>
 *   <li><b>Gap.</b> WCI live − runtime running, when above 0: workers WCI counts that do not run. The largest gap,
 *       and how long the episode it belongs to lasted (from the first sample above 0 to the first at or below).</li>
 *   <li><b>Exit delay.</b> How long after a worker's exit the ledger counted it as ended. The ledger's ended count is
 *       WCI's accepted invocations minus its live ones; its k-th increase is paired with the runtime's k-th end,
 *       in order, per version: the ledger does not say which worker it ended, only how many, and the count is what
 *       scaling decisions use. An end the ledger counted before the runtime recorded it (the worker announced its
 *       shutdown before its process ended) counts as 0. The resolution is the sampling period.</li>
 * </ul>
 * Thread-safe.
 */
final class LedgerFollow {

    /** The largest gap seen: workers, version, and how long its episode lasted. */
    record Gap(String buildId, int workers, Duration lasted) {
        static final Gap NONE = new Gap("-", 0, Duration.ZERO);
    }

    /** Exit delays: percentiles over matched exits, and runtime exits the ledger had not counted by the end. */
    record ExitDelays(Summary.Percentiles delays, int unmatched) {
    }

    private static final class Track {
        Instant episodeStart;
        int episodeMax;
        long ledgerEnded;
        final List<Instant> ledgerEnds = new ArrayList<>();
    }

    private final Map<String, Track> tracks = new TreeMap<>();
    private Gap largest = Gap.NONE;
    private Duration longest = Duration.ZERO;

    /**
     * One sample of one version.
     *
     * @param wciLive        workers WCI's ledger counts as starting or ready
     * @param runtimeRunning invocations the runtime runs now
     * @param wciAccepted    invocations Lambda accepted for WCI so far
     */
    synchronized void sample(Instant at, String buildId, int wciLive, int runtimeRunning, long wciAccepted) {
        Track t = tracks.computeIfAbsent(buildId, b -> new Track());
        int gap = wciLive - runtimeRunning;
        if (gap > 0) {
            if (t.episodeStart == null) {
                t.episodeStart = at;
                t.episodeMax = gap;
            } else {
                t.episodeMax = Math.max(t.episodeMax, gap);
            }
        } else {
            close(buildId, t, at);
        }
        long ended = wciAccepted - wciLive;
        for (long k = t.ledgerEnded; k < ended; k++) {
            t.ledgerEnds.add(at);
        }
        t.ledgerEnded = Math.max(t.ledgerEnded, ended);
    }

    private void close(String buildId, Track t, Instant at) {
        if (t.episodeStart == null) {
            return;
        }
        Duration lasted = Duration.between(t.episodeStart, at);
        if (t.episodeMax > largest.workers()
                || (t.episodeMax == largest.workers() && lasted.compareTo(largest.lasted()) > 0)) {
            largest = new Gap(buildId, t.episodeMax, lasted);
        }
        if (lasted.compareTo(longest) > 0) {
            longest = lasted;
        }
        t.episodeStart = null;
        t.episodeMax = 0;
    }

    /** Ends the episodes still open at {@code now} (call once, before reading the figures). */
    synchronized void finish(Instant now) {
        tracks.forEach((buildId, t) -> close(buildId, t, now));
    }

    synchronized Gap largestGap() {
        return largest;
    }

    /** The longest time any version had a gap above 0. */
    synchronized Duration longestGap() {
        return longest;
    }

    /** Pairs the runtime's exits (per version, any order) with the ledger's counted ends. */
    synchronized ExitDelays exitDelays(Map<String, List<Instant>> runtimeEndsByBuildId) {
        List<Long> delays = new ArrayList<>();
        int unmatched = 0;
        for (Map.Entry<String, List<Instant>> e : runtimeEndsByBuildId.entrySet()) {
            List<Instant> ends = e.getValue().stream().sorted().toList();
            Track t = tracks.get(e.getKey());
            List<Instant> counted = t == null ? List.of() : t.ledgerEnds;
            for (int k = 0; k < ends.size(); k++) {
                if (k >= counted.size()) {
                    unmatched++;
                    continue;
                }
                delays.add(Math.max(0, Duration.between(ends.get(k), counted.get(k)).toMillis()));
            }
        }
        return new ExitDelays(Summary.Percentiles.of(delays), unmatched);
    }

    /** The summary lines. */
    static List<String> describe(Gap largest, Duration longest, ExitDelays delays) {
        List<String> lines = new ArrayList<>();
        lines.add(largest.workers() == 0
                ? "WCI live vs runtime running: WCI never counted more workers than ran"
                : String.format(Locale.ROOT, "WCI live vs runtime running: largest gap %d worker(s) on %s, lasted %s;"
                        + " longest gap %s", largest.workers(), largest.buildId(),
                Summary.duration(largest.lasted().toMillis()), Summary.duration(longest.toMillis())));
        lines.add(delays.delays().samples() == 0 ? "worker exit -> WCI ledger: no exits"
                : String.format(Locale.ROOT, "worker exit -> WCI ledger: %d exits, p50 / p99 %s%s",
                delays.delays().samples(), delays.delays().describe(),
                delays.unmatched() == 0 ? "" : ", " + delays.unmatched() + " not counted by the end"));
        return lines;
    }
}
