package dev.wci.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventQueueTest {

    @Test
    void runsByTimeThenInsertionOrder() {
        SimClock clock = new SimClock();
        EventQueue q = new EventQueue(clock);
        List<String> order = new ArrayList<>();
        q.at(200, () -> order.add("c"));
        q.at(100, () -> order.add("a"));
        q.at(200, () -> order.add("d"));
        q.at(100, () -> order.add("b"));
        q.at(100, () -> q.after(0, () -> order.add("b2"))); // same instant, queued last: after b, before c
        q.run(Long.MAX_VALUE, () -> false);
        assertEquals(List.of("a", "b", "b2", "c", "d"), order);
        assertEquals(200, clock.nanos());
    }

    @Test
    void stopsAtHorizonAndOnStopCondition() {
        SimClock clock = new SimClock();
        EventQueue q = new EventQueue(clock);
        List<Long> seen = new ArrayList<>();
        for (long t = 1; t <= 10; t++) {
            long at = t;
            q.at(t, () -> seen.add(at));
        }
        q.run(5, () -> false);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seen);
        q.run(100, () -> seen.size() == 7);
        assertEquals(7, seen.size());
    }

    @Test
    void clockIsUtcSimulatedTimeAndNeverGoesBack() {
        SimClock clock = new SimClock();
        assertEquals(SimClock.EPOCH, clock.instant());
        assertEquals(ZoneOffset.UTC, clock.getZone());
        clock.setNanos(1_500_000_000L);
        assertEquals(Instant.parse("2025-01-01T00:00:01.500Z"), clock.instant());
        assertEquals(SimClock.EPOCH.toEpochMilli() + 1500, clock.millis());
        assertThrows(IllegalArgumentException.class, () -> clock.setNanos(1));
    }
}
