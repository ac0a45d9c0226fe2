package dev.wci.sim;

import java.time.Duration;
import java.util.Locale;

/**
 * The built-in workloads and their defaults. Task durations are lognormal around a median (sigma
 * 0.5, or 0.8 for long tasks), capped so that a task always fits in a worker's lifetime.
 *
 * <ul>
 *   <li>{@code steady}: Poisson arrivals at 20 tasks/s for 600 s, tasks of median 2 s.</li>
 *   <li>{@code burst}: 1 000 tasks at once at t = 10 s, from zero workers; tasks of median 5 s.</li>
 *   <li>{@code spikes}: 1 task/s Poisson background for 600 s plus a spike of 300 tasks at once every
 *       120 s (first at 60 s); tasks of median 2 s.</li>
 *   <li>{@code diurnal}: one sinusoidal day compressed into 1 800 s: the Poisson rate goes from 1/20 of
 *       the peak up to the peak of 40 tasks/s and back; tasks of median 2 s.</li>
 *   <li>{@code long}: Poisson arrivals at 0.2 tasks/s for 1 800 s, tasks of median 180 s (cap 600 s),
 *       so workers reach their lifetime limit and lose in-flight tasks.</li>
 *   <li>{@code ramp-up}: the Poisson rate rises linearly from 1/20 of the rate to the rate over 600 s; tasks of
 *       median 2 s.</li>
 *   <li>{@code ramp-down}: the Poisson rate falls linearly from the rate to 1/20 of it over 600 s.</li>
 *   <li>{@code on-off}: Poisson arrivals at the rate for 60 s, then none for 60 s, and again, for 600 s.</li>
 * </ul>
 */
public enum WorkloadKind {
    STEADY("Poisson arrivals at a constant rate", Duration.ofSeconds(600), 20, 1, Duration.ofSeconds(2), 0.5),
    BURST("a step: burst-size tasks at once at t=10s, from zero workers", Duration.ofSeconds(10), 0, 1000,
            Duration.ofSeconds(5), 0.5),
    SPIKES("low Poisson background plus a spike of burst-size tasks every 120s", Duration.ofSeconds(600), 1, 300,
            Duration.ofSeconds(2), 0.5),
    DIURNAL("sinusoidal Poisson rate from peak/20 to the peak rate and back", Duration.ofSeconds(1800), 40, 1,
            Duration.ofSeconds(2), 0.5),
    LONG("long tasks at a low Poisson rate; exercises the worker lifetime limit", Duration.ofSeconds(1800), 0.2, 1,
            Duration.ofSeconds(180), 0.8),
    RAMP_UP("Poisson rate rising linearly from rate/20 to the rate", Duration.ofSeconds(600), 20, 1,
            Duration.ofSeconds(2), 0.5),
    RAMP_DOWN("Poisson rate falling linearly from the rate to rate/20", Duration.ofSeconds(600), 20, 1,
            Duration.ofSeconds(2), 0.5),
    ON_OFF("Poisson arrivals at the rate for 60s, then none for 60s, repeated", Duration.ofSeconds(600), 20, 1,
            Duration.ofSeconds(2), 0.5);

    private final String description;
    private final Duration duration;
    private final double rate;
    private final int burstSize;
    private final Duration taskDuration;
    private final double taskSigma;

    WorkloadKind(String description, Duration duration, double rate, int burstSize, Duration taskDuration,
                 double taskSigma) {
        this.description = description;
        this.duration = duration;
        this.rate = rate;
        this.burstSize = burstSize;
        this.taskDuration = taskDuration;
        this.taskSigma = taskSigma;
    }

    /** The lower-case name used on the command line ({@code ramp-up} for {@code RAMP_UP}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public String description() {
        return description;
    }

    public Duration defaultDuration() {
        return duration;
    }

    public double defaultRate() {
        return rate;
    }

    public int defaultBurstSize() {
        return burstSize;
    }

    public Duration defaultTaskDuration() {
        return taskDuration;
    }

    double taskSigma() {
        return taskSigma;
    }

    /** Parses a command-line name; null when unknown. */
    public static WorkloadKind byId(String id) {
        for (WorkloadKind k : values()) {
            if (k.id().equals(id)) {
                return k;
            }
        }
        return null;
    }

    /** Applies overrides to the defaults. */
    public Workload with(WorkloadParams p) {
        return new Workload(this,
                p.duration() != null ? p.duration() : duration,
                p.rate() != null ? p.rate() : rate,
                p.burstSize() != null ? p.burstSize() : burstSize,
                p.taskDuration() != null ? p.taskDuration() : taskDuration,
                p.versions() != null ? p.versions() : 1,
                p.taskSigma() != null ? p.taskSigma() : taskSigma);
    }
}
