package dev.wci.server.temporal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The loop: wake, retry with backoff after a failed round, close; it survives waits too long for the clock arithmetic,
 * and a thread that ends anyway is reported dead.
 */
class BackgroundLoopTest {

    private static final Duration CEILING = Duration.ofMinutes(2);

    private final Counter failures = new SimpleMeterRegistry().counter("failures");
    private final AtomicInteger rounds = new AtomicInteger();

    @Test
    void aWaitTooLongForNanosecondsDoesNotKillTheLoop() {
        // 3 000 000 h is more nanoseconds than a long holds: Duration.toNanos() throws ArithmeticException.
        try (BackgroundLoop loop = loop(() -> {
            rounds.incrementAndGet();
            return Duration.ofHours(3_000_000);
        })) {
            loop.start();
            await().atMost(CEILING).until(() -> rounds.get() == 1);

            loop.wake();

            await().atMost(CEILING).until(() -> rounds.get() >= 2);
            assertFalse(loop.dead());
            assertEquals(0.0, failures.count());
        }
    }

    @Test
    void aThreadThatEndsIsDeadAndCountedOnce() {
        try (BackgroundLoop loop = loop(() -> {
            rounds.incrementAndGet();
            // A VirtualMachineError of its own: a real OutOfMemoryError may make the test JVM exit.
            throw new VirtualMachineError("simulated") {
            };
        })) {
            loop.start();

            await().atMost(CEILING).until(loop::dead);
            assertEquals(1.0, failures.count());
            assertEquals(1, rounds.get());
        }
    }

    @Test
    void aClosedLoopIsNotDead() {
        BackgroundLoop loop = loop(() -> {
            rounds.incrementAndGet();
            return Duration.ofHours(1);
        });
        loop.start();
        await().atMost(CEILING).until(() -> rounds.get() == 1);

        loop.close();

        assertTrue(loop.isClosed());
        assertFalse(loop.dead());
        assertEquals(0.0, failures.count());
    }

    @Test
    void wakeRunsTheNextRoundWithoutWaitingOutAnHourLongWait() {
        AtomicInteger rounds = new AtomicInteger();
        try (BackgroundLoop l = loop(() -> {
            rounds.incrementAndGet();
            return Duration.ofHours(1);
        })) {
            l.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> rounds.get() == 1);
            l.wake();
            await().atMost(Duration.ofSeconds(30)).until(() -> rounds.get() == 2);
        }
    }

    @Test
    void aRoundThatThrowsIsCountedAndRetriedTheLoopLivesOn() {
        AtomicInteger rounds = new AtomicInteger();
        try (BackgroundLoop l = loop(() -> {
            if (rounds.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
            return Duration.ofHours(1);
        })) {
            l.start();
            // The retry waits the first backoff (1 s); a generous ceiling for a loaded machine.
            await().atMost(Duration.ofSeconds(60)).until(() -> rounds.get() == 2);
            assertEquals(1.0, failures.count());
        }
    }

    @Test
    void backoffDoublesFromOneSecondUpToAMinute() {
        Duration b = Duration.ZERO;
        b = BackgroundLoop.nextBackoff(b);
        assertEquals(Duration.ofSeconds(1), b);
        assertEquals(Duration.ofSeconds(2), BackgroundLoop.nextBackoff(b));
        for (int i = 0; i < 10; i++) {
            b = BackgroundLoop.nextBackoff(b);
        }
        assertEquals(BackgroundLoop.MAX_BACKOFF, b);
    }

    @Test
    void closeStopsItAndAClosedLoopCannotStart() {
        AtomicInteger rounds = new AtomicInteger();
        BackgroundLoop l = loop(() -> {
            rounds.incrementAndGet();
            return Duration.ofHours(1);
        });
        l.start();
        assertThrows(IllegalStateException.class, l::start);
        await().atMost(Duration.ofSeconds(30)).until(() -> rounds.get() == 1);
        l.close();
        assertTrue(l.isClosed());
        l.wake();
        assertEquals(1, rounds.get());
        assertThrows(IllegalStateException.class, l::start);
    }

    private BackgroundLoop loop(BackgroundLoop.Round round) {
        return new BackgroundLoop("test-loop", "test loop", round, failures, LoggerFactory.getLogger(getClass()));
    }
}
