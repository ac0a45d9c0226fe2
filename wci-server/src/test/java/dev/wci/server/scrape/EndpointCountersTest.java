package dev.wci.server.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.server.scrape.EndpointCounters.Series;
import dev.wci.server.scrape.EndpointCounters.Update;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointCountersTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Series A = series("a");
    private static final Series B = series("b");

    private final EndpointCounters counters = new EndpointCounters(1000, 10_000);

    private static Update update(EndpointCounters counters, Map<Series, Double> values, Instant now) {
        EndpointCounters.Page page = counters.page();
        values.forEach(page::add);
        return counters.update(page, now);
    }

    private Update update(Map<Series, Double> values, Instant now) {
        return update(counters, values, now);
    }

    private static Series series(String queue) {
        return new Series("tasks_added", Map.of("taskqueue", queue, "task_add_result", "backlog"));
    }

    @Test
    void theFirstScrapeIsABaseline() {
        Update first = update(Map.of(A, 40.0, B, 7.0), T0);
        assertTrue(first.baseline());
        assertEquals(Map.of(), first.increases());
        assertEquals(2, counters.size());

        Update second = update(Map.of(A, 43.0, B, 7.0), T0.plusMillis(500));
        assertFalse(second.baseline());
        assertEquals(Map.of(A, 3L), second.increases());
    }

    @Test
    void aSeriesFirstSeenAfterTheBaselineCountsFromZero() {
        update(Map.of(A, 40.0), T0);
        // The server creates a series at its first task add: the first backlogged task on a queue.
        Update u = update(Map.of(A, 40.0, B, 1.0), T0.plusMillis(500));
        assertEquals(Map.of(B, 1L), u.increases());
    }

    @Test
    void aLowerValueIsAResetAndCountsAsNewTasks() {
        update(Map.of(A, 40.0, B, 5.0), T0);
        Update u = update(Map.of(A, 2.0, B, 5.0), T0.plusMillis(500));
        assertEquals(Map.of(A, 2L), u.increases());
        assertEquals(1, u.resets());
        Update after = update(Map.of(A, 3.0, B, 5.0), T0.plusMillis(1000));
        assertEquals(Map.of(A, 1L), after.increases());
        assertEquals(0, after.resets());
    }

    @Test
    void aSeriesMissingForAWhileCountsOnlyWhatItGainedWhenItComesBack() {
        update(Map.of(A, 40.0, B, 5.0), T0);
        update(Map.of(B, 5.0), T0.plusSeconds(60));
        Update back = update(Map.of(A, 42.0, B, 5.0), T0.plusSeconds(120));
        assertEquals(Map.of(A, 2L), back.increases());
    }

    @Test
    void aSeriesMissingLongerThanTheRetentionIsForgotten() {
        update(Map.of(A, 40.0, B, 5.0), T0);
        Instant later = T0.plus(EndpointCounters.RETENTION).plusSeconds(1);
        update(Map.of(B, 6.0), later);
        assertEquals(1, counters.size());
        // Back after so long it can only be a new process: counted from zero.
        Update back = update(Map.of(A, 3.0, B, 6.0), later.plus(Duration.ofMillis(500)));
        assertEquals(Map.of(A, 3L), back.increases());
    }

    @Test
    void roundsFloatingPointCountsAndIgnoresUnchangedSeries() {
        update(Map.of(A, 1.0, B, 2.0), T0);
        Update u = update(Map.of(A, 3.9999999, B, 2.0), T0.plusMillis(500));
        assertEquals(Map.of(A, 3L), u.increases());
    }
}
