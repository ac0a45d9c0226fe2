package dev.wci.server.temporal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DescribeBudgetTest {

    private final TestClock clock = new TestClock();

    @Test
    void slotsAreSpacedByOneOverTheRate() {
        DescribeBudget b = new DescribeBudget(10, clock);
        assertEquals(Duration.ZERO, b.tryAcquire());
        assertEquals(Duration.ofMillis(100), b.tryAcquire(), "no burst: the next slot is 100 ms away");
        clock.advance(Duration.ofMillis(60));
        assertEquals(Duration.ofMillis(40), b.tryAcquire());
        clock.advance(Duration.ofMillis(40));
        assertEquals(Duration.ZERO, b.tryAcquire());
        // Idle time is not saved up as a burst.
        clock.advance(Duration.ofSeconds(5));
        assertEquals(Duration.ZERO, b.tryAcquire());
        assertEquals(Duration.ofMillis(100), b.tryAcquire());
    }

    @Test
    void reserveQueuesBehindTakenSlotsAndTryAcquireRespectsReservations() {
        DescribeBudget b = new DescribeBudget(4, clock);
        assertEquals(Duration.ZERO, b.reserve());
        assertEquals(Duration.ofMillis(250), b.reserve());
        assertEquals(Duration.ofMillis(500), b.reserve());
        clock.advance(Duration.ofMillis(300));
        assertEquals(Duration.ofMillis(450), b.tryAcquire(), "reserved slots are not handed out again");
    }

    @Test
    void neverMoreThanTheRateInAnyOneSecondWindow() {
        double rate = 7;
        DescribeBudget b = new DescribeBudget(rate, clock);
        List<Instant> granted = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            if (i % 3 == 0) {
                clock.advance(b.reserve());
                granted.add(clock.instant());
            } else {
                Duration wait = b.tryAcquire();
                if (wait.isZero()) {
                    granted.add(clock.instant());
                }
                clock.advance(Duration.ofMillis(i % 7 == 0 ? 1 : 37));
            }
        }
        assertTrue(granted.size() > 1_000);
        for (int i = 0; i + 7 < granted.size(); i++) {
            assertTrue(Duration.between(granted.get(i), granted.get(i + 7)).compareTo(Duration.ofSeconds(1)) >= 0,
                    "8 calls within one second at " + granted.get(i));
        }
    }

    @Test
    void resourceExhaustedHalvesTheRateOncePerSecondDownToAFloorThenRecoversGradually() {
        DescribeBudget b = new DescribeBudget(16, clock);
        b.onResourceExhausted();
        b.onResourceExhausted(); // same burst: counted, not cut again
        assertEquals(8, b.effectivePerSecond());
        assertEquals(2, b.exhaustedCount());
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(1));
            b.onResourceExhausted();
        }
        assertEquals(1, b.effectivePerSecond(), "never below 1/16 of the configured rate");

        // Held for 30 s after the last rejection, then +1/4 of the configured rate every 10 s.
        clock.advance(Duration.ofSeconds(29));
        assertEquals(1, b.effectivePerSecond());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(5, b.effectivePerSecond());
        clock.advance(Duration.ofSeconds(10));
        assertEquals(9, b.effectivePerSecond());
        clock.advance(Duration.ofSeconds(25));
        assertEquals(16, b.effectivePerSecond(), "back to, and not above, the configured rate");
        assertEquals(16, b.configuredPerSecond());
    }

    @Test
    void theSlowdownAppliesToTheVeryNextCall() {
        DescribeBudget b = new DescribeBudget(10, clock);
        assertEquals(Duration.ZERO, b.tryAcquire());
        b.onResourceExhausted();
        assertEquals(Duration.ofMillis(200), b.tryAcquire());
    }

    @Test
    void rejectsNonsenseRates() {
        assertThrows(IllegalArgumentException.class, () -> new DescribeBudget(0, clock));
        assertThrows(IllegalArgumentException.class, () -> new DescribeBudget(Double.NaN, clock));
        assertThrows(IllegalArgumentException.class, () -> new DescribeBudget(Double.POSITIVE_INFINITY, clock));
    }
}
