package dev.wci.core.signal.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.MatchingSignal;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsSignalsTest {

    private static final DeploymentVersion V = new DeploymentVersion("orders", "v1");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final StatsSignals signals = new StatsSignals(V);
    private final List<MatchingSignal> out = new ArrayList<>();

    private static QueueStats stats(String q, long backlog, double addRate, boolean rateLimited) {
        return new QueueStats(q, TaskQueueType.ACTIVITY, backlog, Duration.ofSeconds(2), addRate, 1, rateLimited);
    }

    private List<SyncMatchFailure> failures() {
        return out.stream().filter(SyncMatchFailure.class::isInstance).map(SyncMatchFailure.class::cast).toList();
    }

    @Test
    void everyQueueGivesAnObservationStampedWithTheAssumedStaleness() {
        assertTrue(signals.accept(List.of(stats("a", 0, 3, false), stats("b", 0, 0, false)), T0, out::add));
        assertEquals(2, out.size());
        BacklogObservation o = (BacklogObservation) out.get(0);
        assertEquals(V, o.version());
        assertEquals("a", o.taskQueue());
        assertEquals(3, o.addRate(), 1e-9);
        assertEquals(T0, o.observedAt());
        assertEquals(StatsSignals.STALENESS, o.staleness());
    }

    @Test
    void aBacklogFirstSeenCountsWholeThenOnlyItsGrowthAtTheAsOfTime() {
        signals.accept(List.of(stats("a", 7, 1, false)), T0, out::add);
        assertEquals(List.of(new SyncMatchFailure(V, "a", TaskQueueType.ACTIVITY, 7, 0, T0.minusSeconds(5),
                Origin.STATS_GROWTH)),
                failures());
        out.clear();
        signals.accept(List.of(stats("a", 10, 1, false)), T0.plusSeconds(1), out::add);
        assertEquals(3, failures().get(0).notMatchedCount());
        assertEquals(T0.plusSeconds(1).minus(StatsSignals.STALENESS), failures().get(0).observedAt());
        out.clear();
        // Flat (the server's cache repeats values) and shrinking backlogs emit no failure.
        signals.accept(List.of(stats("a", 10, 1, false)), T0.plusSeconds(2), out::add);
        signals.accept(List.of(stats("a", 4, 1, false)), T0.plusSeconds(3), out::add);
        assertEquals(List.of(), failures());
    }

    @Test
    void growthUnderTheQueuesOwnRateLimitIsReportedAsRateLimited() {
        signals.accept(List.of(stats("a", 5, 1, true)), T0, out::add);
        SyncMatchFailure f = failures().get(0);
        assertEquals(0, f.notMatchedCount());
        assertEquals(5, f.rateLimitedCount());
    }

    @Test
    void aQueueThatLeftTheAnswerCountsWholeWhenItComesBack() {
        signals.accept(List.of(stats("a", 5, 1, false)), T0, out::add);
        signals.accept(List.of(), T0.plusSeconds(1), out::add);
        out.clear();
        signals.accept(List.of(stats("a", 5, 1, false)), T0.plusSeconds(2), out::add);
        assertEquals(5, failures().get(0).notMatchedCount());
    }

    @Test
    void busyMeansBacklogOrArrivalsAndNegativeValuesReadAsZero() {
        assertFalse(signals.accept(List.of(stats("a", 0, 0, false)), T0, out::add));
        QueueStats odd = new QueueStats("a", TaskQueueType.ACTIVITY, -3, Duration.ofSeconds(-1), -2, -1, false);
        assertEquals(0, odd.backlog());
        assertEquals(Duration.ZERO, odd.backlogAge());
        assertEquals(0, odd.addRate(), 0);
        assertFalse(signals.accept(List.of(odd), T0.plusSeconds(1), out::add));
        assertTrue(signals.accept(List.of(stats("a", 1, 0, false)), T0.plusSeconds(2), out::add));
    }
}
