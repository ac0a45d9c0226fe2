package dev.wci.server.temporal;

import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * A daemon thread that runs rounds of work until closed: each round says how long to wait before the next; a
 * {@link #wake()} cuts the wait short; a round that throws is logged, counted and retried after a backoff of
 * 1 s doubling to {@link #MAX_BACKOFF}, so the loop never dies of an exception. A wait longer than
 * {@link #MAX_WAIT} is cut to it. Should the thread still end before {@link #close()} (an {@link Error} such as
 * {@link OutOfMemoryError} is not survived), that counts as a failure and {@link #dead()} says so, for readiness.
 */
final class BackgroundLoop implements AutoCloseable {

    /** One round of work; returns the wait before the next round. */
    @FunctionalInterface
    interface Round {
        Duration run() throws InterruptedException;
    }

    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    /** Longest wait between rounds; longer ones (however they came about) would overflow the clock arithmetic. */
    static final Duration MAX_WAIT = Duration.ofDays(1);

    private final String threadName;
    private final String what;
    private final Round round;
    private final Counter failures;
    private final Logger log;
    private final Object lock = new Object();
    private boolean wakeRequested;
    private volatile boolean closed;
    private volatile boolean dead;
    private Thread thread;

    BackgroundLoop(String threadName, String what, Round round, Counter failures, Logger log) {
        this.threadName = threadName;
        this.what = what;
        this.round = round;
        this.failures = failures;
        this.log = log;
    }

    void start() {
        synchronized (lock) {
            if (thread != null || closed) {
                throw new IllegalStateException(closed ? "closed" : "already started");
            }
            thread = new Thread(this::loop, threadName);
            thread.setDaemon(true);
            // What ends the thread is logged here, not by the JVM's default handler (which may end a test JVM).
            thread.setUncaughtExceptionHandler((t, e) -> log.error("{}: thread {} ended", what, t.getName(), e));
            thread.start();
        }
    }

    /** Runs the next round as soon as the current one ends. */
    void wake() {
        synchronized (lock) {
            wakeRequested = true;
            lock.notifyAll();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Whether the thread ended although the loop was not closed: its work no longer happens. */
    boolean dead() {
        return dead;
    }

    static Duration nextBackoff(Duration backoff) {
        return backoff.isZero() ? Duration.ofSeconds(1) : min(backoff.multipliedBy(2), MAX_BACKOFF);
    }

    static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void loop() {
        try {
            rounds();
        } finally {
            if (!closed) {
                dead = true;
                failures.increment();
                log.error("{} stopped: its thread ended; WCI reports not ready until restarted", what);
            }
        }
    }

    private void rounds() {
        Duration backoff = Duration.ZERO;
        while (!closed) {
            Duration wait;
            try {
                wait = round.run();
                backoff = Duration.ZERO;
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
                wait = Duration.ZERO;
            } catch (VirtualMachineError e) {
                throw e; // not survivable here; logged by the thread's handler, counted as the loop's death
            } catch (RuntimeException | Error e) {
                failures.increment();
                backoff = nextBackoff(backoff);
                wait = backoff;
                log.error("{} failed; retrying in {}", what, wait, e);
            }
            if (wait == null || wait.isNegative()) {
                wait = Duration.ZERO;
            }
            synchronized (lock) {
                long deadline = System.nanoTime() + min(wait, MAX_WAIT).toNanos();
                while (!closed && !wakeRequested) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        lock.wait(left / 1_000_000, (int) (left % 1_000_000));
                    } catch (InterruptedException e) {
                        if (closed) {
                            return;
                        }
                    }
                }
                wakeRequested = false;
            }
        }
    }

    /** Stops the loop and waits for its thread (up to 5 s). */
    @Override
    public void close() {
        Thread t;
        synchronized (lock) {
            closed = true;
            t = thread;
            lock.notifyAll();
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
