package dev.wci.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * The models' parameters: Temporal matching and AWS Lambda. Defaults ({@link #defaults()}) follow
 * the facts in docs/design.md ("Facts it rests on"):
 * <ul>
 *   <li>stats staleness 5 s (one server cache layer), rate window 30 s;</li>
 *   <li>Invoke API latency 20 ms; account concurrency 1 000; scaling rate 1 000 new environments
 *       per 10 s (token bucket, full at start); a throttle carries retry-after 1 s;</li>
 *   <li>cold start lognormal with median 1.5 s and p99 4 s;</li>
 *   <li>10 task slots per worker; function timeout 900 s, shutdown buffer 30 s;</li>
 *   <li>idle exit after 5 s with no task in flight ({@code idleExit == null} turns it off);</li>
 *   <li>after the last arrival the run drains for at most 30 min; series sampled every second.</li>
 * </ul>
 *
 * @param staleness         an observation made at t describes the queue at t − staleness
 * @param rateWindow        window of add and dispatch rates
 * @param apiLatency        time from an Invoke call to its answer
 * @param accountConcurrency live environments allowed in the account
 * @param scalingRateBurst  new environments allowed at once (token bucket size)
 * @param scalingRateWindow the bucket refills {@code scalingRateBurst} tokens over this window
 * @param retryAfter        retry-after carried by a throttle
 * @param coldStartMedian   median cold start
 * @param coldStartP99      99th percentile cold start (sets the lognormal's sigma)
 * @param slots             tasks one worker runs at once
 * @param functionTimeout   hard time limit of one invocation, counted from acceptance
 * @param shutdownBuffer    the worker stops taking tasks this long before the hard limit
 * @param idleExit          a ready worker with no task in flight for this long exits; null = never
 * @param drainLimit        how long the run may continue after the last arrival
 * @param sampleInterval    period of the backlog / live-worker series
 */
public record SimConfig(Duration staleness, Duration rateWindow, Duration apiLatency, int accountConcurrency,
                        int scalingRateBurst, Duration scalingRateWindow, Duration retryAfter,
                        Duration coldStartMedian, Duration coldStartP99, int slots, Duration functionTimeout,
                        Duration shutdownBuffer, Duration idleExit, Duration drainLimit, Duration sampleInterval) {

    public SimConfig {
        requirePositiveOrZero(staleness, "staleness");
        requirePositive(rateWindow, "rateWindow");
        requirePositiveOrZero(apiLatency, "apiLatency");
        requirePositive(scalingRateWindow, "scalingRateWindow");
        requirePositiveOrZero(retryAfter, "retryAfter");
        requirePositive(coldStartMedian, "coldStartMedian");
        requirePositive(coldStartP99, "coldStartP99");
        requirePositive(functionTimeout, "functionTimeout");
        requirePositiveOrZero(shutdownBuffer, "shutdownBuffer");
        requirePositive(drainLimit, "drainLimit");
        requirePositive(sampleInterval, "sampleInterval");
        if (idleExit != null) {
            requirePositive(idleExit, "idleExit");
        }
        if (accountConcurrency < 1 || scalingRateBurst < 1 || slots < 1) {
            throw new IllegalArgumentException("account concurrency, scaling rate and slots must be at least 1");
        }
        if (coldStartP99.compareTo(coldStartMedian) < 0) {
            throw new IllegalArgumentException("cold-start p99 must not be below its median");
        }
        if (shutdownBuffer.compareTo(functionTimeout) >= 0) {
            throw new IllegalArgumentException("shutdown buffer must be shorter than the function timeout");
        }
    }

    public static SimConfig defaults() {
        return new SimConfig(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMillis(20), 1000,
                1000, Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofMillis(1500), Duration.ofSeconds(4), 10, Duration.ofSeconds(900),
                Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofMinutes(30), Duration.ofSeconds(1));
    }

    /** Sigma of the cold-start lognormal: p99 = median · exp(2.326 σ). */
    public double coldStartSigma() {
        return Math.log((double) coldStartP99.toNanos() / coldStartMedian.toNanos()) / 2.3263478740408408;
    }

    public SimConfig withStaleness(Duration v) {
        return new SimConfig(v, rateWindow, apiLatency, accountConcurrency, scalingRateBurst, scalingRateWindow,
                retryAfter, coldStartMedian, coldStartP99, slots, functionTimeout, shutdownBuffer, idleExit,
                drainLimit, sampleInterval);
    }

    public SimConfig withAccountConcurrency(int v) {
        return new SimConfig(staleness, rateWindow, apiLatency, v, scalingRateBurst, scalingRateWindow,
                retryAfter, coldStartMedian, coldStartP99, slots, functionTimeout, shutdownBuffer, idleExit,
                drainLimit, sampleInterval);
    }

    public SimConfig withScalingRate(int burst, Duration window) {
        return new SimConfig(staleness, rateWindow, apiLatency, accountConcurrency, burst, window,
                retryAfter, coldStartMedian, coldStartP99, slots, functionTimeout, shutdownBuffer, idleExit,
                drainLimit, sampleInterval);
    }

    /** Cold start with the given median; the p99 keeps its ratio to the median (default 4 / 1.5). */
    public SimConfig withColdStart(Duration median, Duration p99) {
        return new SimConfig(staleness, rateWindow, apiLatency, accountConcurrency, scalingRateBurst,
                scalingRateWindow, retryAfter, median, p99, slots, functionTimeout, shutdownBuffer, idleExit,
                drainLimit, sampleInterval);
    }

    /** Cold start with the given median and the default p99 / median ratio (4 / 1.5). */
    public SimConfig withColdStartMedian(Duration median) {
        SimConfig d = defaults();
        double ratio = (double) d.coldStartP99.toNanos() / d.coldStartMedian.toNanos();
        return withColdStart(median, Duration.ofNanos(Math.round(median.toNanos() * ratio)));
    }

    public SimConfig withSlots(int v) {
        return new SimConfig(staleness, rateWindow, apiLatency, accountConcurrency, scalingRateBurst,
                scalingRateWindow, retryAfter, coldStartMedian, coldStartP99, v, functionTimeout, shutdownBuffer,
                idleExit, drainLimit, sampleInterval);
    }

    public SimConfig withLifetime(Duration timeout, Duration buffer) {
        return new SimConfig(staleness, rateWindow, apiLatency, accountConcurrency, scalingRateBurst,
                scalingRateWindow, retryAfter, coldStartMedian, coldStartP99, slots, timeout, buffer,
                idleExit, drainLimit, sampleInterval);
    }

    /** {@code null} turns idle exit off. */
    public SimConfig withIdleExit(Duration v) {
        return new SimConfig(staleness, rateWindow, apiLatency, accountConcurrency, scalingRateBurst,
                scalingRateWindow, retryAfter, coldStartMedian, coldStartP99, slots, functionTimeout,
                shutdownBuffer, v, drainLimit, sampleInterval);
    }

    public SimConfig withApiLatency(Duration v) {
        return new SimConfig(staleness, rateWindow, v, accountConcurrency, scalingRateBurst,
                scalingRateWindow, retryAfter, coldStartMedian, coldStartP99, slots, functionTimeout,
                shutdownBuffer, idleExit, drainLimit, sampleInterval);
    }

    public SimConfig withDrainLimit(Duration v) {
        return new SimConfig(staleness, rateWindow, apiLatency, accountConcurrency, scalingRateBurst,
                scalingRateWindow, retryAfter, coldStartMedian, coldStartP99, slots, functionTimeout,
                shutdownBuffer, idleExit, v, sampleInterval);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    private static void requirePositiveOrZero(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + d);
        }
    }
}
