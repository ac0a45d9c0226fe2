package dev.wci.dev.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The demo's and the comparison's one wait: a condition polled until it holds, a timeout, or a stop request. */
class StopSignalTest {

    private final StopSignal stop = new StopSignal();

    @Test
    void aConditionThatComesTrueEndsTheWait() {
        AtomicInteger polls = new AtomicInteger();
        assertTrue(stop.await(Duration.ofMinutes(5), Duration.ofMillis(1), () -> polls.incrementAndGet() >= 3));
        assertEquals(3, polls.get());
    }

    @Test
    void aConditionThatNeverHoldsTimesOut() {
        assertFalse(stop.await(Duration.ZERO, Duration.ofMillis(1), () -> false));
    }

    @Test
    void aStopRequestEndsTheWait() {
        AtomicInteger polls = new AtomicInteger();
        assertThrows(StopSignal.Stopped.class, () -> stop.await(Duration.ofMinutes(5), Duration.ofMillis(1), () -> {
            if (polls.incrementAndGet() == 2) {
                stop.request();
            }
            return false;
        }));
        assertEquals(2, polls.get());
    }
}
