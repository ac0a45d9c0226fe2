package dev.wci.dev.soak;

import java.util.List;

/**
 * The soak's pass rules, apart from the run so they can be tested.
 *
 * <p><b>Flat:</b> a column is flat when the largest value of the last third of the rows is at most the largest of the
 * first third times {@link #GROWTH} plus a slack in the column's unit. The first third includes the warm-up (class
 * loading, the first huge pages filling the series cap), so a bounded resource reaches its plateau there; a leak
 * keeps climbing into the last third.
 *
 * <p><b>Invoke rate:</b> the invokes that reached the Lambda endpoint never exceed a token bucket of the configured
 * burst and rate over any window: for every pair of arrivals {@code j ≤ i}, {@code (i − j + 1) − rate × (t_i − t_j)
 * ≤ burst + }{@link #ARRIVAL_SLACK}. The slack of one invoke allows for one request delayed on its way (the limiter
 * grants at WCI, the endpoint counts on arrival).
 */
final class SoakVerdict {

    static final double GROWTH = 1.5;
    static final double ARRIVAL_SLACK = 1;

    private SoakVerdict() {
    }

    /** Whether the column is flat; fewer than three rows cannot show a trend and pass. */
    static boolean flat(List<Double> values, double slack) {
        int n = values.size();
        if (n < 3) {
            return true;
        }
        int third = n / 3;
        return max(values.subList(n - third, n)) <= max(values.subList(0, third)) * GROWTH + slack;
    }

    static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /**
     * The largest number of arrivals in any window beyond what the rate refilled in it: {@code max over j ≤ i of
     * (i − j + 1) − rate × (t_i − t_j)}, in O(n).
     *
     * @param arrivalNanos arrival times in nanoseconds, ascending
     */
    static double maxBurst(List<Long> arrivalNanos, double ratePerSecond) {
        double best = 0;
        double bestStart = Double.NEGATIVE_INFINITY; // max over j ≤ i of (rate × t_j − j)
        for (int i = 0; i < arrivalNanos.size(); i++) {
            double t = arrivalNanos.get(i) / 1e9;
            bestStart = Math.max(bestStart, ratePerSecond * t - i);
            best = Math.max(best, i + 1 - ratePerSecond * t + bestStart);
        }
        return best;
    }

    /** Whether the arrivals stay inside the bucket, with {@link #ARRIVAL_SLACK}. */
    static boolean withinRate(List<Long> arrivalNanos, int burst, double ratePerSecond) {
        return maxBurst(arrivalNanos, ratePerSecond) <= burst + ARRIVAL_SLACK;
    }

    /** The most arrivals inside any window of one second. */
    static int maxPerSecond(List<Long> arrivalNanos) {
        int best = 0;
        int j = 0;
        for (int i = 0; i < arrivalNanos.size(); i++) {
            while (arrivalNanos.get(i) - arrivalNanos.get(j) >= 1_000_000_000L) {
                j++;
            }
            best = Math.max(best, i - j + 1);
        }
        return best;
    }
}
