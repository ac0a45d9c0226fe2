package dev.wci.server.temporal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class BackgroundLoopTest {

    private final Counter failures = Counter.builder("test.failures").register(new SimpleMeterRegistry());

    private BackgroundLoop loop(BackgroundLoop.Round round) {
        return new BackgroundLoop("test-loop", "test round", round, failures,
                LoggerFactory.getLogger(BackgroundLoopTest.class));
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
}
