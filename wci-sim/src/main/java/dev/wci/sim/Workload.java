package dev.wci.sim;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A workload with every parameter resolved (see {@link WorkloadKind} for the defaults). Arrivals
 * come from the workload's own random stream, so the same seed gives the same tasks whatever
 * algorithm runs against them.
 *
 * @param kind         the shape of the arrivals
 * @param duration     how long tasks keep arriving
 * @param rate         tasks per second (meaning depends on the kind)
 * @param burstSize    tasks per burst or spike
 * @param taskDuration median task run time
 * @param versions     deployment versions the tasks are spread over
 * @param taskSigma    sigma of the lognormal task durations
 */
public record Workload(WorkloadKind kind, Duration duration, double rate, int burstSize, Duration taskDuration,
                       int versions, double taskSigma) {

    /** Spike period of {@link WorkloadKind#SPIKES}. */
    static final long SPIKE_PERIOD = 120_000_000_000L;
    /** First spike / the burst happen this long after time zero, so algorithms start from a quiet queue. */
    static final long FIRST_SPIKE = 60_000_000_000L;
    static final long BURST_AT = 10_000_000_000L;
    /** Half period of {@link WorkloadKind#ON_OFF}: on this long, then off this long. */
    static final long ON_OFF_HALF = 60_000_000_000L;

    public String name() {
        return kind.id();
    }

    /** Generates the arrivals for {@code seed}; deterministic. */
    public Arrivals generate(long seed) {
        return generate(new SplittableRandom(seed));
    }

    /** Generates the arrivals from {@code rng}; deterministic for a given stream state. */
    public Arrivals generate(RandomGenerator rng) {
        Arrivals.Builder b = new Arrivals.Builder();
        long end = duration.toNanos();
        long median = taskDuration.toNanos();
        // A task must fit in a worker's default lifetime (870 s), else it would be retried forever.
        long cap = Math.min(median * 20, 600_000_000_000L);
        cap = Math.max(cap, median);
        double sigma = taskSigma;
        switch (kind) {
            case STEADY, LONG -> poisson(b, rng, 0, end, rate, median, sigma, cap);
            case BURST -> {
                for (int i = 0; i < burstSize; i++) {
                    b.add(BURST_AT, taskDuration(rng, median, sigma, cap), version(rng));
                }
            }
            case SPIKES -> spikes(b, rng, end, median, sigma, cap);
            case DIURNAL, RAMP_UP, RAMP_DOWN, ON_OFF -> thinned(b, rng, end, median, sigma, cap);
            default -> throw new IllegalStateException("unknown workload " + kind);
        }
        return b.build();
    }

    private void poisson(Arrivals.Builder b, RandomGenerator rng, long from, long end, double r, long median,
                         double sigma, long cap) {
        double t = from;
        while (true) {
            t += exponential(rng, r);
            if (t >= end) {
                return;
            }
            b.add((long) t, taskDuration(rng, median, sigma, cap), version(rng));
        }
    }

    private void spikes(Arrivals.Builder b, RandomGenerator rng, long end, long median, double sigma, long cap) {
        // Interleave background and spikes in time order.
        double t = exponential(rng, rate);
        long nextSpike = FIRST_SPIKE;
        while (t < end || nextSpike < end) {
            if (nextSpike < end && nextSpike <= t) {
                for (int i = 0; i < burstSize; i++) {
                    b.add(nextSpike, taskDuration(rng, median, sigma, cap), version(rng));
                }
                nextSpike += SPIKE_PERIOD;
            } else {
                b.add((long) t, taskDuration(rng, median, sigma, cap), version(rng));
                t += exponential(rng, rate);
            }
        }
    }

    private void thinned(Arrivals.Builder b, RandomGenerator rng, long end, long median, double sigma, long cap) {
        // Thinning (Lewis-Shedler): candidates at the peak rate, kept with probability rate(t)/peak.
        double t = 0;
        while (true) {
            t += exponential(rng, rate);
            if (t >= end) {
                return;
            }
            if (rng.nextDouble() * rate < rateAt(t, end)) {
                b.add((long) t, taskDuration(rng, median, sigma, cap), version(rng));
            }
        }
    }

    /** The Poisson rate at {@code t} ns of a time-varying kind, at most {@link #rate}. */
    private double rateAt(double t, long end) {
        double low = rate / 20;
        return switch (kind) {
            case DIURNAL -> low + (rate - low) * (1 - Math.cos(2 * Math.PI * t / end)) / 2;
            case RAMP_UP -> low + (rate - low) * t / end;
            case RAMP_DOWN -> rate - (rate - low) * t / end;
            case ON_OFF -> ((long) t / ON_OFF_HALF) % 2 == 0 ? rate : 0;
            default -> rate;
        };
    }

    /** Tasks this workload generates on average (the random benchmark bounds its draws with it). */
    public double expectedTasks() {
        double secs = duration.toNanos() / 1e9;
        return switch (kind) {
            case STEADY, LONG -> rate * secs;
            case BURST -> burstSize;
            case SPIKES -> rate * secs + burstSize * Math.max(0, Math.ceil((duration.toNanos() - FIRST_SPIKE)
                    / (double) SPIKE_PERIOD));
            case DIURNAL -> rate * secs * (1 + 1 / 20.0) / 2;
            case RAMP_UP, RAMP_DOWN -> rate * secs * (1 + 1 / 20.0) / 2;
            case ON_OFF -> rate * secs / 2;
        };
    }

    /** Nanoseconds to the next Poisson arrival at {@code perSecond}. */
    private static double exponential(RandomGenerator rng, double perSecond) {
        return -Math.log(1 - rng.nextDouble()) / perSecond * 1e9;
    }

    private static long taskDuration(RandomGenerator rng, long median, double sigma, long cap) {
        long d = (long) (median * Math.exp(sigma * rng.nextGaussian()));
        return Math.max(1_000_000L, Math.min(cap, d));
    }

    private int version(RandomGenerator rng) {
        return versions == 1 ? 0 : rng.nextInt(versions);
    }

    @Override
    public String toString() {
        return name() + "(duration=" + duration.toSeconds() + "s rate=" + rate + "/s burst=" + burstSize
                + " task=" + taskDuration.toMillis() / 1000.0 + "s sigma=" + taskSigma + " versions=" + versions + ")";
    }
}
