package dev.wci.dev.demo;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The user asked the demo to stop (Ctrl-C, SIGTERM). Every wait of the demo goes through {@link #sleep}, so a
 * stop request ends the wait at once with {@link Stopped}; the demo then unwinds and closes what it started.
 */
final class StopSignal {

    /** Thrown out of a wait once a stop was requested. */
    static final class Stopped extends RuntimeException {
        Stopped() {
            super("stop requested", null, false, false);
        }
    }

    private final CountDownLatch requested = new CountDownLatch(1);

    void request() {
        requested.countDown();
    }

    boolean requested() {
        return requested.getCount() == 0;
    }

    /** Throws {@link Stopped} when a stop was requested. */
    void check() {
        if (requested()) {
            throw new Stopped();
        }
    }

    /** Waits for {@code d}, or less when a stop is requested meanwhile (then throws {@link Stopped}). */
    void sleep(Duration d) {
        try {
            if (requested.await(Math.max(0, d.toMillis()), TimeUnit.MILLISECONDS)) {
                throw new Stopped();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        }
    }

    /**
     * Polls {@code condition} every {@code poll} until it holds (true) or {@code timeout} passes (false); a stop
     * request ends the wait with {@link Stopped}.
     */
    boolean await(Duration timeout, Duration poll, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(poll);
        }
        return true;
    }
}
