package dev.wci.server.scrape;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One endpoint's counter readings, turned into increases from one successful scrape to the next. Not thread-safe:
 * used by the scrape thread only.
 *
 * <ul>
 *   <li>The first successful scrape of an endpoint is a baseline: its values say nothing about when the tasks were
 *       added, so they produce no increase.</li>
 *   <li>After that, a series seen before increases by the difference. A value lower than before is a counter reset
 *       (the matching process restarted): the new value is the increase, since the new process counted from
 *       zero.</li>
 *   <li>A series not seen before increases by its whole value: the server creates a series at its first increment,
 *       so it counted from zero since the previous scrape. This is how the first sync-match failure on a task queue
 *       shows up, and the one that matters most for scale-out from zero.</li>
 *   <li>A series missing from a scrape is remembered for {@link #RETENTION}, so that when it comes back its
 *       increase is the difference again, not its whole value. Counters do not vanish within one server process;
 *       a series comes back after longer only from a new process, which counted from zero.</li>
 * </ul>
 */
final class EndpointCounters {

    static final Duration RETENTION = Duration.ofMinutes(15);

    /** A series: metric name and all its labels. */
    record Series(String name, Map<String, String> labels) {

        Series {
            Objects.requireNonNull(name, "name");
            labels = Map.copyOf(labels);
        }
    }

    /**
     * What one scrape changed.
     *
     * @param increases positive increases by series
     * @param resets    series whose value went down (counter resets)
     * @param baseline  whether this was the endpoint's first successful scrape
     */
    record Update(Map<Series, Long> increases, int resets, boolean baseline) {
    }

    private record Reading(double value, Instant seenAt) {
    }

    private final Map<Series, Reading> last = new HashMap<>();
    private boolean baselined;

    /**
     * Takes the values of one successful scrape.
     *
     * @param values finite, non-negative counter values by series
     */
    Update update(Map<Series, Double> values, Instant now) {
        boolean baseline = !baselined;
        Map<Series, Long> increases = new HashMap<>();
        int resets = 0;
        for (Map.Entry<Series, Double> e : values.entrySet()) {
            double value = e.getValue();
            Reading previous = last.put(e.getKey(), new Reading(value, now));
            if (baseline) {
                continue;
            }
            double increase;
            if (previous == null) {
                increase = value;
            } else if (value < previous.value()) {
                increase = value;
                resets++;
            } else {
                increase = value - previous.value();
            }
            long tasks = Math.round(increase);
            if (tasks > 0) {
                increases.put(e.getKey(), tasks);
            }
        }
        baselined = true;
        Instant forgetBefore = now.minus(RETENTION);
        last.values().removeIf(r -> r.seenAt().isBefore(forgetBefore));
        return new Update(Map.copyOf(increases), resets, baseline);
    }

    /** Series remembered now. */
    int size() {
        return last.size();
    }
}
