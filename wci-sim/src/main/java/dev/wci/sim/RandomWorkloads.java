package dev.wci.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The distribution of the random benchmark ({@code wci simulate --random N}), broad enough that no tuning to a few
 * workloads survives it. Each draw, independently (log-uniform = uniform in the logarithm):
 * <ul>
 *   <li>shape: steady, burst, spikes, diurnal, ramp-up, ramp-down, on-off, equally likely;</li>
 *   <li>rate: log-uniform 0.05–300 tasks/s (the peak of a varying shape, the background of spikes);
 *       a burst is rate × U(10, 120) s of tasks at once, a spike rate × U(5, 60) s;</li>
 *   <li>median task: log-uniform 20 ms–600 s; lognormal sigma U(0.2, 1.5);</li>
 *   <li>slots per worker: log-uniform 1–50; cold-start median log-uniform 0.2–8 s (p99 = 2.67 × median);</li>
 *   <li>versions: log-uniform 1–20; account concurrency log-uniform 50–3 000;</li>
 *   <li>idle exit: off with probability 1/4, else U(1, 30) s;</li>
 *   <li>function timeout U(60, 900) s, raised when needed so that the longest task (capped at
 *       min(20 × median, 600 s)) fits in a worker's lifetime (timeout − 30 s shutdown buffer);</li>
 *   <li>stats staleness U(1, 10) s;</li>
 *   <li>duration U(300, 1 800) s, shortened (to at least 60 s) until the expected task count is at most
 *       {@link #MAX_TASKS}, and the burst size capped at that; the run drains for at most
 *       {@link #DRAIN_LIMIT} after the last arrival. These bounds keep 200 draws within minutes.</li>
 * </ul>
 * Deterministic: the same seed and count give the same draws, and draw i does not depend on the count.
 */
public final class RandomWorkloads {

    /** Expected tasks per draw, at most. */
    public static final int MAX_TASKS = 20_000;
    /** How long a draw may run after its last arrival. */
    public static final Duration DRAIN_LIMIT = Duration.ofMinutes(10);

    private static final WorkloadKind[] SHAPES = {WorkloadKind.STEADY, WorkloadKind.BURST, WorkloadKind.SPIKES,
            WorkloadKind.DIURNAL, WorkloadKind.RAMP_UP, WorkloadKind.RAMP_DOWN, WorkloadKind.ON_OFF};

    private RandomWorkloads() {
    }

    /** {@code count} draws from {@code seed}. */
    public static List<RandomDraw> draw(long seed, int count) {
        if (count < 1 || count > 100_000) {
            throw new IllegalArgumentException("--random must be within 1..100000, got " + count);
        }
        SplittableRandom root = new SplittableRandom(seed);
        List<RandomDraw> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(one(i, root.split()));
        }
        return out;
    }

    private static RandomDraw one(int index, SplittableRandom r) {
        long seed = r.nextLong() & Long.MAX_VALUE;
        WorkloadKind kind = SHAPES[r.nextInt(SHAPES.length)];
        double rate = round4(logUniform(r, 0.05, 300));
        long taskMs = Math.max(20, Math.round(logUniform(r, 20, 600_000)));
        double sigma = Math.round(r.nextDouble(0.2, 1.5) * 100) / 100.0;
        int slots = (int) Math.round(logUniform(r, 1, 50));
        long coldMs = Math.round(logUniform(r, 200, 8_000));
        int versions = (int) Math.round(logUniform(r, 1, 20));
        int account = (int) Math.round(logUniform(r, 50, 3_000));
        Duration idle = r.nextInt(4) == 0 ? null : Duration.ofMillis(Math.round(r.nextDouble(1_000, 30_000)));
        long timeoutMs = Math.round(r.nextDouble(60_000, 900_000));
        long stalenessMs = Math.round(r.nextDouble(1_000, 10_000));
        long durationMs = Math.round(r.nextDouble(300_000, 1_800_000));
        double burstSeconds = kind == WorkloadKind.BURST ? r.nextDouble(10, 120) : r.nextDouble(5, 60);

        SimConfig d = SimConfig.defaults();
        long bufferMs = d.shutdownBuffer().toMillis();
        long longestTaskMs = Math.max(taskMs, Math.min(taskMs * 20, 600_000));
        timeoutMs = Math.max(timeoutMs, longestTaskMs + bufferMs + 1_000);
        int burst = (int) Math.max(1, Math.min(MAX_TASKS, Math.round(rate * burstSeconds)));
        Workload w = workload(kind, durationMs, rate, burst, taskMs, versions, sigma);
        while (w.expectedTasks() > MAX_TASKS && durationMs > 60_000) {
            durationMs = Math.max(60_000, durationMs * 3 / 4);
            w = workload(kind, durationMs, rate, burst, taskMs, versions, sigma);
        }
        SimConfig c = d.withSlots(slots)
                .withColdStartMedian(Duration.ofMillis(coldMs))
                .withAccountConcurrency(account)
                .withIdleExit(idle)
                .withLifetime(Duration.ofMillis(timeoutMs), d.shutdownBuffer())
                .withStaleness(Duration.ofMillis(stalenessMs))
                .withDrainLimit(DRAIN_LIMIT);
        return new RandomDraw(index, seed, w, c);
    }

    private static Workload workload(WorkloadKind kind, long durationMs, double rate, int burst, long taskMs,
                                     int versions, double sigma) {
        return kind.with(new WorkloadParams(Duration.ofMillis(durationMs), rate, burst, Duration.ofMillis(taskMs),
                versions, sigma));
    }

    private static double logUniform(SplittableRandom r, double lo, double hi) {
        return Math.exp(r.nextDouble(Math.log(lo), Math.log(hi)));
    }

    /** Four significant digits: what the command line prints is what ran. */
    private static double round4(double v) {
        return Double.parseDouble(String.format(java.util.Locale.ROOT, "%.4g", v));
    }
}
