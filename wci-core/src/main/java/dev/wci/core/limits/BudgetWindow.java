package dev.wci.core.limits;

/**
 * A worker-seconds budget over a rolling hour. Spending is charged in one-minute buckets at the
 * time a worker is invoked (its full possible lifetime, so the budget can never be overrun) and
 * refunded into the same bucket when the worker turns out to end earlier. The window rolls by minute.
 * Not thread-safe: the scaler confines it.
 */
public final class BudgetWindow {

    static final int BUCKETS = 60;
    static final long BUCKET_MILLIS = 60_000L;

    private final double limit;
    private final double[] spent = new double[BUCKETS];
    private final long[] bucketMinute = new long[BUCKETS];
    private double total;

    /** @param limit worker-seconds per rolling hour; {@code Double.POSITIVE_INFINITY} for no budget */
    public BudgetWindow(double limit) {
        if (!(limit > 0)) {
            throw new IllegalArgumentException("budget must be positive, got " + limit);
        }
        this.limit = limit;
        java.util.Arrays.fill(bucketMinute, Long.MIN_VALUE);
    }

    public boolean unlimited() {
        return limit == Double.POSITIVE_INFINITY;
    }

    public double limit() {
        return limit;
    }

    /** Worker-seconds charged within the last hour. */
    public double spent(long nowMillis) {
        expire(nowMillis);
        return total;
    }

    /** Worker-seconds that may still be charged now. */
    public double remaining(long nowMillis) {
        return unlimited() ? Double.POSITIVE_INFINITY : Math.max(0, limit - spent(nowMillis));
    }

    /** How many workers of {@code costEach} worker-seconds fit, at most {@code wanted}. */
    public int affordable(int wanted, double costEach, long nowMillis) {
        if (unlimited() || costEach <= 0) {
            return wanted;
        }
        double fit = Math.floor(remaining(nowMillis) / costEach + 1e-9);
        return (int) Math.min(wanted, Math.max(0, fit));
    }

    public void charge(double workerSeconds, long atMillis) {
        if (unlimited()) {
            return;
        }
        int i = bucket(atMillis);
        spent[i] += workerSeconds;
        total += workerSeconds;
    }

    /** Returns unused worker-seconds of a worker charged at {@code chargedAtMillis}, if still in the window. */
    public void refund(double workerSeconds, long chargedAtMillis, long nowMillis) {
        if (unlimited() || workerSeconds <= 0) {
            return;
        }
        expire(nowMillis);
        long minute = Math.floorDiv(chargedAtMillis, BUCKET_MILLIS);
        int i = (int) Math.floorMod(minute, BUCKETS);
        if (bucketMinute[i] == minute) {
            double r = Math.min(workerSeconds, spent[i]);
            spent[i] -= r;
            total -= r;
        }
    }

    private int bucket(long atMillis) {
        expire(atMillis);
        long minute = Math.floorDiv(atMillis, BUCKET_MILLIS);
        int i = (int) Math.floorMod(minute, BUCKETS);
        if (bucketMinute[i] != minute) {
            total -= spent[i];
            spent[i] = 0;
            bucketMinute[i] = minute;
        }
        return i;
    }

    private void expire(long nowMillis) {
        long oldest = Math.floorDiv(nowMillis, BUCKET_MILLIS) - BUCKETS + 1;
        for (int i = 0; i < BUCKETS; i++) {
            if (bucketMinute[i] != Long.MIN_VALUE && bucketMinute[i] < oldest) {
                total -= spent[i];
                spent[i] = 0;
                bucketMinute[i] = Long.MIN_VALUE;
            }
        }
        if (total < 1e-9) {
            total = 0;
        }
    }
}
