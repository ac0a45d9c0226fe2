package dev.wci.core.limits;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Backoff after the provider throttled a target or failed transiently: exponential from a base, capped, with
 * jitter, and never shorter than the provider's retry-after, which is itself capped by the maximum (a peer asking
 * for a day must not block a version for a day). A success resets it. Not thread-safe: the scaler confines it.
 */
public final class ThrottleBackoff {

    private final long baseMillis;
    private final long maxMillis;
    private final double jitter;
    private final RandomGenerator random;
    private int consecutive;
    private long blockedUntilMillis = Long.MIN_VALUE;

    public ThrottleBackoff(Duration base, Duration max, double jitter, RandomGenerator random) {
        this.baseMillis = base.toMillis();
        this.maxMillis = max.toMillis();
        this.jitter = jitter;
        this.random = random;
    }

    /**
     * A throttle for a full account (or a function's full reserved concurrency) backs off at most this long, unless
     * the provider's retry-after asks for more: room comes back whenever any worker of the account ends, which the
     * controller cannot see in general (other functions, workers finishing in-flight tasks after their poll end), so
     * it looks again with one probe this often. An exponential wait up to the maximum (a minute) held a version's
     * fleet flat under a growing backlog for that long after the account had room again.
     */
    public static final long FULL_ACCOUNT_MAX_MILLIS = 5_000;

    /** Records a throttle at {@code nowMillis}; returns the backoff applied, in milliseconds. */
    public long onThrottle(long nowMillis, Duration retryAfter) {
        return onThrottle(nowMillis, retryAfter, false);
    }

    /**
     * Records a throttle at {@code nowMillis}, {@code full} when it said the account's (or the function's reserved)
     * concurrency is used up: then the exponential step is capped at {@link #FULL_ACCOUNT_MAX_MILLIS}.
     *
     * @return the backoff applied, in milliseconds
     */
    public long onThrottle(long nowMillis, Duration retryAfter, boolean full) {
        int shift = Math.min(consecutive, 30);
        long exp = Math.min(full ? Math.min(maxMillis, FULL_ACCOUNT_MAX_MILLIS) : maxMillis, baseMillis << shift);
        long jittered = (long) (exp * (1.0 + jitter * random.nextDouble()));
        long asked = retryAfter == null || retryAfter.isNegative() ? 0 : saturatedMillis(retryAfter);
        long delay = Math.max(jittered, Math.min(asked, maxMillis));
        consecutive++;
        // Several throttled results of one request arrive together: extend, never shorten.
        blockedUntilMillis = Math.max(blockedUntilMillis, nowMillis + delay);
        return delay;
    }

    /** The longest wait a retry-after may impose. */
    public long maxMillis() {
        return maxMillis;
    }

    private static long saturatedMillis(Duration d) {
        try {
            return d.toMillis();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    public void onSuccess() {
        consecutive = 0;
    }

    public boolean blocked(long nowMillis) {
        return nowMillis < blockedUntilMillis;
    }

    public long blockedUntilMillis() {
        return blockedUntilMillis;
    }

    public int consecutiveThrottles() {
        return consecutive;
    }
}
