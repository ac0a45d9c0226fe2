package dev.wci.server.scrape;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One endpoint's counter readings, turned into increases from one successful scrape to the next. Not thread-safe:
 * a {@link Page} is filled by the thread reading the page, then {@link #update} runs on the scrape thread.
 *
 * <ul>
 *   <li>The first successful scrape of an endpoint is a baseline: its values say nothing about when the tasks were
 *       added, so they produce no increase.</li>
 *   <li>After that, a series seen before increases by the difference.</li>
 *   <li>A lower value is a counter reset (the matching process restarted, its new value is the increase) only when
 *       it looks like one: the page's {@code process_start_time_seconds} changed, or, when the page has none, the
 *       value fell below {@link #RESET_FRACTION} of the previous one. Any other drop is a dip: ignored, the
 *       baseline stays at the higher value, so the climb back is not counted again.</li>
 *   <li>A series not seen before increases by its whole value: the server creates a series at its first increment,
 *       so it counted from zero since the previous scrape. This is how the first sync-match failure on a task queue
 *       shows up, and the one that matters most for scale-out from zero. (Not after the {@code maxSeries} cap kept
 *       series out: then a newly admitted series may be old, and is taken as a baseline.)</li>
 *   <li>An increase is at most {@code maxTasksPerSecond} times the seconds since the series' previous reading (at
 *       least one second's worth); more is cut to that.</li>
 *   <li>A value that is negative, not finite or above 2<sup>53</sup> (where a double no longer counts by one) is
 *       rejected; the series keeps its previous reading.</li>
 *   <li>A series missing from a scrape is remembered for {@link #RETENTION}, so that when it comes back its
 *       increase is the difference again; sooner when room is needed under the cap: the series the page no longer
 *       has go first. At most {@code maxSeries} series are tracked: beyond, a page's further series are dropped
 *       (counted), in page order, so the same ones are kept from page to page.</li>
 * </ul>
 * Each oddity is reported in the {@link Update} for counting and logging.
 */
final class EndpointCounters {

    static final Duration RETENTION = Duration.ofMinutes(15);
    /** A value below this fraction of the previous one is a reset when the page has no process start time. */
    static final double RESET_FRACTION = 0.5;
    /** Largest value accepted: 2^53, beyond which a double cannot count by one. */
    static final double MAX_VALUE = 9_007_199_254_740_992d;
    /** Oddities kept per update as examples to log; all are counted. */
    static final int MAX_EXAMPLES = 100;

    /** A series: metric name and all its labels. */
    record Series(String name, Map<String, String> labels) {

        Series {
            Objects.requireNonNull(name, "name");
            labels = Map.copyOf(labels);
        }
    }

    /** Something a counter did that counters do not do; tag values of {@code wci.scrape.oddities}. */
    enum Oddity {
        /** Negative, NaN, infinite or above 2^53: rejected. */
        INVALID_VALUE,
        /** Went down a little (or while the process start time stayed the same): ignored. */
        DIP,
        /** Went down like a restart does: the new value counts. */
        RESET,
        /** Rose faster than maxTasksPerSecond: the increase was cut. */
        IMPLAUSIBLE_INCREASE;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One oddity of one series, with the numbers. */
    record Event(Series series, Oddity kind, String detail) {
    }

    /**
     * What one scrape changed.
     *
     * @param increases positive increases by series
     * @param resets    series whose value went down like a reset
     * @param baseline  whether this was the endpoint's first successful scrape
     * @param restarted whether the page's process start time changed
     * @param oddities  how many of each kind
     * @param examples  the first {@link #MAX_EXAMPLES} oddities
     * @param dropped   series of the page left out by the cap
     */
    record Update(Map<Series, Long> increases, int resets, boolean baseline, boolean restarted,
                  Map<Oddity, Integer> oddities, List<Event> examples, int dropped) {
    }

    /** The samples of one page, collected as it is read: at most {@code maxSeries} series are kept. */
    final class Page {
        private final Map<Series, Double> values = new HashMap<>();
        private final Map<Oddity, Integer> oddities = new EnumMap<>(Oddity.class);
        private final List<Event> examples = new ArrayList<>();
        private Double startTime;
        private int dropped;

        /**
         * Takes a counter sample.
         *
         * @return false when the page already had this series
         */
        boolean add(Series series, double value) {
            if (!Double.isFinite(value) || value < 0 || value > MAX_VALUE) {
                oddity(oddities, examples, new Event(series, Oddity.INVALID_VALUE, "value " + value));
                return true;
            }
            if (values.size() >= maxSeries && !values.containsKey(series)) {
                dropped++;
                return true;
            }
            return values.put(series, value) == null;
        }

        /** Takes the page's {@code process_start_time_seconds}. */
        void startTime(double seconds) {
            startTime = seconds;
        }

        /** Series kept. */
        int size() {
            return values.size();
        }
    }

    private record Reading(double value, Instant seenAt) {
    }

    private final int maxSeries;
    private final double maxTasksPerSecond;
    private final Map<Series, Reading> last = new HashMap<>();
    private boolean baselined;
    private Instant lastScrape;
    private Double startTime;
    private boolean droppedLastTime;

    /**
     * @param maxSeries         series tracked at most
     * @param maxTasksPerSecond largest plausible rate of one series
     */
    EndpointCounters(int maxSeries, double maxTasksPerSecond) {
        if (maxSeries < 1) {
            throw new IllegalArgumentException("maxSeries must be at least 1, got " + maxSeries);
        }
        if (!(maxTasksPerSecond > 0) || Double.isInfinite(maxTasksPerSecond)) {
            throw new IllegalArgumentException("maxTasksPerSecond must be positive, got " + maxTasksPerSecond);
        }
        this.maxSeries = maxSeries;
        this.maxTasksPerSecond = maxTasksPerSecond;
    }

    /** An empty page to fill. */
    Page page() {
        return new Page();
    }

    /** Takes the values of one successful scrape. */
    Update update(Page page, Instant now) {
        boolean baseline = !baselined;
        boolean restarted = startTime != null && page.startTime != null && !startTime.equals(page.startTime);
        boolean sameProcess = startTime != null && startTime.equals(page.startTime);
        Map<Oddity, Integer> oddities = new EnumMap<>(page.oddities);
        List<Event> examples = new ArrayList<>(page.examples);
        prune(page, now);
        Map<Series, Long> increases = new HashMap<>();
        int resets = 0;
        for (Map.Entry<Series, Double> e : page.values.entrySet()) {
            Series series = e.getKey();
            double value = e.getValue();
            Reading previous = last.get(series);
            if (baseline || (previous == null && droppedLastTime)) {
                last.put(series, new Reading(value, now));
                continue;
            }
            double increase;
            Duration since;
            if (previous == null) {
                increase = value;
                since = lastScrape == null ? Duration.ZERO : Duration.between(lastScrape, now);
            } else {
                since = Duration.between(previous.seenAt(), now);
                if (value >= previous.value() && !restarted) {
                    increase = value - previous.value();
                } else if (restarted || (!sameProcess && value < previous.value() * RESET_FRACTION)) {
                    increase = value;
                    resets++;
                    oddity(oddities, examples, new Event(series, Oddity.RESET,
                            (long) previous.value() + " -> " + (long) value));
                } else {
                    oddity(oddities, examples, new Event(series, Oddity.DIP,
                            (long) previous.value() + " -> " + (long) value + ", kept " + (long) previous.value()));
                    last.put(series, new Reading(previous.value(), now));
                    continue;
                }
            }
            last.put(series, new Reading(value, now));
            double bound = Math.ceil(maxTasksPerSecond * Math.max(1.0, since.toMillis() / 1000.0));
            if (increase > bound) {
                oddity(oddities, examples, new Event(series, Oddity.IMPLAUSIBLE_INCREASE, "+" + (long) increase
                        + " in " + since.toMillis() + " ms, counted as +" + (long) bound));
                increase = bound;
            }
            long tasks = Math.round(increase);
            if (tasks > 0) {
                increases.put(series, tasks);
            }
        }
        baselined = true;
        lastScrape = now;
        startTime = page.startTime;
        droppedLastTime = page.dropped > 0;
        return new Update(Map.copyOf(increases), resets, baseline, restarted, Map.copyOf(oddities),
                List.copyOf(examples), page.dropped);
    }

    /** Forgets series missing for longer than the retention, and as many missing ones as the page needs room. */
    private void prune(Page page, Instant now) {
        Instant forgetBefore = now.minus(RETENTION);
        last.entrySet().removeIf(e -> e.getValue().seenAt().isBefore(forgetBefore)
                && !page.values.containsKey(e.getKey()));
        long fresh = page.values.keySet().stream().filter(s -> !last.containsKey(s)).count();
        long excess = last.size() + fresh - maxSeries;
        if (excess > 0) {
            List<Series> missing = last.entrySet().stream()
                    .filter(e -> !page.values.containsKey(e.getKey()))
                    .sorted(Comparator.comparing(e -> e.getValue().seenAt()))
                    .limit(excess)
                    .map(Map.Entry::getKey)
                    .toList();
            missing.forEach(last::remove);
        }
    }

    private static void oddity(Map<Oddity, Integer> counts, List<Event> examples, Event event) {
        counts.merge(event.kind(), 1, Integer::sum);
        if (examples.size() < MAX_EXAMPLES) {
            examples.add(event);
        }
    }

    /** Series remembered now. */
    int size() {
        return last.size();
    }
}
