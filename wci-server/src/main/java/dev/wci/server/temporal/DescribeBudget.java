package dev.wci.server.temporal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Keeps WCI's describe calls (registry sync and stats polling together) at or under the configured rate.
 * Temporal limits these reads per namespace (50/s by default) and answers {@code ResourceExhausted} beyond:
 * WCI should never be the reason.
 *
 * <p>Calls are spaced at least {@code 1/rate} apart (no bursts), so any one-second window holds at most
 * {@code ceil(rate)} calls. Two ways to take a slot:
 * <ul>
 *   <li>{@link #tryAcquire()}: now or never; says how long until the next free slot (stats polling, which
 *       reschedules rather than waits);</li>
 *   <li>{@link #reserve()}: always takes the next free slot and says how long to wait for it (registry sync,
 *       which must not be starved by polling).</li>
 * </ul>
 *
 * <p>When Temporal answers {@code ResourceExhausted} ({@link #onResourceExhausted()}), the rate is halved
 * (at most once per second, so one burst of rejections counts once), down to 1/16 of the configured rate. After
 * {@value #RECOVERY_HOLD_SECONDS} s without another rejection it grows back by a quarter of the configured rate
 * every {@value #RECOVERY_STEP_SECONDS} s. Slowing down, not failing: nothing is dropped, calls just get
 * rarer. Thread-safe; time comes from the injected clock.
 */
public final class DescribeBudget {

    static final long RECOVERY_HOLD_SECONDS = 30;
    static final long RECOVERY_STEP_SECONDS = 10;
    private static final long NANOS = 1_000_000_000L;

    private final double configuredPerSecond;
    private final double floorPerSecond;
    private final Clock clock;

    private double perSecond;
    private long nextSlotNanos = Long.MIN_VALUE;
    private long lastCutNanos = Long.MIN_VALUE;
    private long lastRecoveryNanos;
    private long exhaustedCount;

    public DescribeBudget(double perSecond, Clock clock) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("describe budget must be a positive rate, got " + perSecond);
        }
        this.configuredPerSecond = perSecond;
        this.floorPerSecond = perSecond / 16;
        this.perSecond = perSecond;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Takes a slot if one is free now: returns {@link Duration#ZERO}; otherwise the time until one is. */
    public synchronized Duration tryAcquire() {
        long now = nowNanos();
        recover(now);
        if (nextSlotNanos == Long.MIN_VALUE || now >= nextSlotNanos) {
            nextSlotNanos = now + spacingNanos();
            return Duration.ZERO;
        }
        return Duration.ofNanos(nextSlotNanos - now);
    }

    /** Takes the next free slot, now or later: returns how long to wait before making the call. */
    public synchronized Duration reserve() {
        long now = nowNanos();
        recover(now);
        long slot = nextSlotNanos == Long.MIN_VALUE ? now : Math.max(now, nextSlotNanos);
        nextSlotNanos = slot + spacingNanos();
        return Duration.ofNanos(slot - now);
    }

    /** Temporal rejected a call as over its rate limit: slow down. */
    public synchronized void onResourceExhausted() {
        long now = nowNanos();
        exhaustedCount++;
        if (lastCutNanos == Long.MIN_VALUE || now - lastCutNanos >= NANOS) {
            perSecond = Math.max(floorPerSecond, perSecond / 2);
            lastCutNanos = now;
            lastRecoveryNanos = now;
            // Push the next slot out to the new spacing, so the slowdown starts with the very next call.
            nextSlotNanos = Math.max(nextSlotNanos == Long.MIN_VALUE ? now : nextSlotNanos, now + spacingNanos());
        }
    }

    /** The rate in force now (below the configured one while recovering from a rejection). */
    public synchronized double effectivePerSecond() {
        recover(nowNanos());
        return perSecond;
    }

    public double configuredPerSecond() {
        return configuredPerSecond;
    }

    /** How many {@code ResourceExhausted} answers were reported. */
    public synchronized long exhaustedCount() {
        return exhaustedCount;
    }

    private void recover(long now) {
        if (perSecond >= configuredPerSecond || lastCutNanos == Long.MIN_VALUE
                || now - lastCutNanos < RECOVERY_HOLD_SECONDS * NANOS) {
            return;
        }
        long stepStart = Math.max(lastRecoveryNanos, lastCutNanos + (RECOVERY_HOLD_SECONDS - RECOVERY_STEP_SECONDS) * NANOS);
        long steps = (now - stepStart) / (RECOVERY_STEP_SECONDS * NANOS);
        if (steps > 0) {
            perSecond = Math.min(configuredPerSecond, perSecond + steps * configuredPerSecond / 4);
            lastRecoveryNanos = stepStart + steps * RECOVERY_STEP_SECONDS * NANOS;
        }
    }

    private long spacingNanos() {
        return (long) Math.ceil(NANOS / perSecond);
    }

    private long nowNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * NANOS + now.getNano();
    }

    @Override
    public synchronized String toString() {
        return "DescribeBudget[" + perSecond + "/s of " + configuredPerSecond + "/s]";
    }
}
