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

    private static Update update(EndpointCounters counters, double startTime, Map<Series, Double> values,
                                 Instant now) {
        EndpointCounters.Page page = counters.page();
        page.startTime(startTime);
        values.forEach(page::add);
        return counters.update(page, now);
    }

    @Test
    void aSmallDipIsIgnoredAndTheBaselineKeptAtTheMaximum() {
        update(Map.of(A, 1_000_000.0), T0);
        Update dip = update(Map.of(A, 999_999.0), T0.plusMillis(500));
        assertEquals(Map.of(), dip.increases());
        assertEquals(0, dip.resets());
        assertEquals(Map.of(EndpointCounters.Oddity.DIP, 1), dip.oddities());
        Update back = update(Map.of(A, 1_000_000.0), T0.plusMillis(1000));
        assertEquals(Map.of(), back.increases(), "the climb back to the maximum is no new task");
        assertEquals(Map.of(A, 2L), update(Map.of(A, 1_000_002.0), T0.plusMillis(1500)).increases());
    }

    @Test
    void aNewProcessStartTimeMakesAnyDropAReset() {
        update(counters, 100, Map.of(A, 1000.0, B, 5.0), T0);
        Update u = update(counters, 200, Map.of(A, 900.0, B, 7.0), T0.plusMillis(500));
        assertTrue(u.restarted());
        assertEquals(Map.of(A, 900L, B, 7L), u.increases(), "every series counted from zero again");
        assertEquals(2, u.resets());
    }

    @Test
    void underTheSameProcessStartTimeEvenABigDropIsADip() {
        update(counters, 100, Map.of(A, 1000.0), T0);
        Update u = update(counters, 100, Map.of(A, 10.0), T0.plusMillis(500));
        assertFalse(u.restarted());
        assertEquals(Map.of(), u.increases());
        assertEquals(Map.of(EndpointCounters.Oddity.DIP, 1), u.oddities());
    }

    @Test
    void anIncreaseIsCutToTheRateTimesTheTimeSinceTheLastReading() {
        EndpointCounters slow = new EndpointCounters(1000, 100);
        update(slow, Map.of(A, 0.0), T0);
        Update u = update(slow, Map.of(A, 1_000_000.0), T0.plusSeconds(2));
        assertEquals(Map.of(A, 200L), u.increases());
        assertEquals(Map.of(EndpointCounters.Oddity.IMPLAUSIBLE_INCREASE, 1), u.oddities());
        // At least one second's worth, however close the readings.
        assertEquals(Map.of(A, 100L), update(slow, Map.of(A, 2_000_000.0), T0.plusMillis(2100)).increases());
        // A new series is bounded by the time since the previous scrape.
        assertEquals(Map.of(B, 300L), update(slow, Map.of(A, 2_000_000.0, B, 5e6), T0.plusMillis(5100)).increases());
    }

    @Test
    void negativeNotFiniteAndHugeValuesAreRejectedAndTheSeriesKeepsItsReading() {
        update(Map.of(A, 10.0), T0);
        for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY, 1e308, 1e16}) {
            Update u = update(Map.of(A, bad), T0.plusMillis(500));
            assertEquals(Map.of(), u.increases(), "value " + bad);
            assertEquals(Map.of(EndpointCounters.Oddity.INVALID_VALUE, 1), u.oddities(), "value " + bad);
        }
        assertEquals(Map.of(A, 2L), update(Map.of(A, 12.0), T0.plusSeconds(1)).increases());
    }

    @Test
    void theCapDropsAPagesFurtherSeriesInPageOrderAndCountsThem() {
        EndpointCounters capped = new EndpointCounters(2, 10_000);
        EndpointCounters.Page page = capped.page();
        assertTrue(page.add(A, 1));
        assertTrue(page.add(B, 1));
        assertTrue(page.add(series("c"), 1));
        assertTrue(page.add(series("d"), 1));
        assertFalse(page.add(A, 2), "a repeated series is refused");
        Update u = capped.update(page, T0);
        assertEquals(2, u.dropped());
        assertEquals(2, capped.size());
    }

    @Test
    void aSeriesAdmittedAfterTheCapLetGoIsABaseline() {
        EndpointCounters capped = new EndpointCounters(1, 10_000);
        EndpointCounters.Page first = capped.page();
        first.add(A, 5);
        first.add(B, 50);
        capped.update(first, T0);
        // A is gone: room for B, which was on the page all along; its value is not news.
        Update u = update(capped, Map.of(B, 60.0), T0.plusMillis(500));
        assertEquals(Map.of(), u.increases());
        assertEquals(Map.of(B, 1L), update(capped, Map.of(B, 61.0), T0.plusMillis(1000)).increases());
    }

    @Test
    void seriesMissingFromThePageArePrunedFirstWhenRoomIsNeeded() {
        EndpointCounters capped = new EndpointCounters(2, 10_000);
        update(capped, Map.of(A, 1.0, B, 1.0), T0);
        Update u = update(capped, Map.of(series("c"), 3.0, series("d"), 4.0), T0.plusMillis(500));
        assertEquals(0, u.dropped());
        assertEquals(2, capped.size());
        assertEquals(Map.of(series("c"), 3L, series("d"), 4L), u.increases());
    }
}
