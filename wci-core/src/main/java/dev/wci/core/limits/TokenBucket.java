package dev.wci.core.limits;

/**
 * Invoke-rate limiter: {@code rate} tokens per second, at most {@code burst} saved. Time is passed in
 * (milliseconds) so it runs unchanged on a simulated clock. Not thread-safe: the scaler confines it.
 */
public final class TokenBucket {

    private final double ratePerMilli;
    private final int burst;
    private double tokens;
    private long lastRefillMillis;

    public TokenBucket(double ratePerSecond, int burst, long nowMillis) {
        if (!(ratePerSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("rate must be positive and burst at least 1");
        }
        this.ratePerMilli = ratePerSecond / 1000.0;
        this.burst = burst;
        this.tokens = burst;
        this.lastRefillMillis = nowMillis;
    }

    /** Whole tokens available now. */
    public int available(long nowMillis) {
        refill(nowMillis);
        return (int) Math.floor(tokens);
    }

    /** Takes up to {@code wanted} tokens and returns how many were taken. */
    public int take(int wanted, long nowMillis) {
        int granted = Math.min(wanted, available(nowMillis));
        tokens -= granted;
        return granted;
    }

    private void refill(long nowMillis) {
        if (nowMillis > lastRefillMillis) {
            tokens = Math.min(burst, tokens + (nowMillis - lastRefillMillis) * ratePerMilli);
            lastRefillMillis = nowMillis;
        }
    }
}
