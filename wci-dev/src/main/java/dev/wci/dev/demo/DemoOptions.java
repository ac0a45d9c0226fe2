package dev.wci.dev.demo;

import dev.wci.server.cli.UserError;
import java.time.Duration;

/**
 * What the demo runs: the load shape and a few local settings.
 *
 * @param burst             workflows started at once at the beginning
 * @param trickleSeconds    how long the steady trickle lasts; v2 becomes Current half-way through it
 * @param rate              workflows per second during the trickle
 * @param waiters           pinned workflows (and as many auto-upgrade ones) started on v1 that wait for a signal,
 *                          sent after the switch
 * @param activityMillis    how long each workflow's activity works
 * @param httpPort          WCI's HTTP port, or null for 8080 when free, else any free port
 * @param lambdaConcurrency the local Lambda account's concurrency limit (concurrent handler JVMs)
 */
record DemoOptions(int burst, int trickleSeconds, double rate, int waiters, int activityMillis,
                          Integer httpPort, int lambdaConcurrency) {

    static final int MAX_BURST = 5_000;
    static final int MAX_TRICKLE_SECONDS = 3_600;
    static final double MAX_RATE = 50;
    static final int MAX_WAITERS = 100;
    static final int MAX_ACTIVITY_MILLIS = 60_000;
    static final int MAX_LAMBDA_CONCURRENCY = 200;

    /** Checks every value; the first one out of range is a {@link UserError} naming the option. */
    DemoOptions {
        range("--burst", burst, 0, MAX_BURST);
        range("--trickle-seconds", trickleSeconds, 0, MAX_TRICKLE_SECONDS);
        if (!(rate > 0 && rate <= MAX_RATE)) {
            throw new UserError("--rate: expected workflows per second above 0 and at most " + (int) MAX_RATE
                    + ", found " + rate);
        }
        range("--waiters", waiters, 0, MAX_WAITERS);
        range("--activity-ms", activityMillis, 0, MAX_ACTIVITY_MILLIS);
        if (httpPort != null) {
            range("--http-port", httpPort, 0, 65_535);
        }
        range("--lambda-concurrency", lambdaConcurrency, 1, MAX_LAMBDA_CONCURRENCY);
        if (burst == 0 && trickleSeconds == 0 && waiters == 0) {
            throw new UserError("--burst, --trickle-seconds and --waiters are all 0: the demo would start no workflow");
        }
    }

    private static void range(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new UserError(option + ": expected an integer from " + min + " to " + max + ", found " + value);
        }
    }

    /** Workflows the trickle starts: rate × seconds, rounded down. */
    int trickleCount() {
        return (int) Math.floor(rate * trickleSeconds);
    }

    /** Every workflow the demo starts. */
    int totalWorkflows() {
        return burst + trickleCount() + 2 * waiters;
    }

    /** When, from the start of the trickle, v2 becomes Current. */
    Duration switchAt() {
        return Duration.ofMillis(trickleSeconds * 500L);
    }
}
