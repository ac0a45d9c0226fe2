package dev.wci.server.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.testing.FixedVersionLookup;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import dev.wci.server.scrape.Attribution.Counts;
import dev.wci.server.scrape.Attribution.Outcome;
import dev.wci.server.scrape.Attribution.QueueSeries;
import dev.wci.server.scrape.Attribution.Unattributed;
import dev.wci.server.scrape.TaskAddSeries.Omitted;
import dev.wci.server.scrape.TaskAddSeries.Unversioned;
import dev.wci.server.scrape.TaskAddSeries.Versioned;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AttributionTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final DeploymentVersion PIN = new DeploymentVersion("scrape-pin2", "b.3");
    private static final DeploymentVersion AUTO = new DeploymentVersion("scrape-auto", "build-1.0");
    private static final DeploymentVersion AUTO_NEXT = new DeploymentVersion("scrape-auto", "build-2.0");
    private static final List<VersionTaskQueue> KNOWN = List.of(
            new VersionTaskQueue(PIN, "scrape-q-pin2"),
            new VersionTaskQueue(AUTO, "scrape-q.auto"),
            new VersionTaskQueue(AUTO_NEXT, "scrape-q.auto"));

    private static Map<QueueSeries, Counts> demand(Object... seriesAndCounts) {
        Map<QueueSeries, Counts> m = new LinkedHashMap<>();
        for (int i = 0; i < seriesAndCounts.length; i += 2) {
            m.put((QueueSeries) seriesAndCounts[i], (Counts) seriesAndCounts[i + 1]);
        }
        return m;
    }

    private static QueueSeries unversioned(String queueLabel, TaskQueueType type) {
        return new QueueSeries(queueLabel, type, new Unversioned(), false);
    }

    @Test
    void aVersionsQueueGoesToThatVersionWithItsRealNames() {
        // Labels as Temporal 1.32 exports them for scrape-pin2:b.3 on scrape-q-pin2.
        QueueSeries pinned = new QueueSeries("scrape_q_pin2", TaskQueueType.ACTIVITY,
                new Versioned("scrape_pin2", "b_3", "scrape_pin2_b_3"), false);
        Outcome out = new Attribution(FixedVersionLookup.current(PIN))
                .attribute(demand(pinned, new Counts(4, 1)), KNOWN, NOW);
        assertEquals(List.of(new SyncMatchFailure(PIN, "scrape-q-pin2", TaskQueueType.ACTIVITY, 4, 1, NOW,
                Origin.PUSH)),
                out.signals());
        assertEquals(Map.of(), out.unattributed());
    }

    @Test
    void onlyTheWorkerVersionLabelIsEnoughWhenTheDirectoryKnowsTheVersion() {
        QueueSeries pinned = new QueueSeries("scrape_q_pin2", TaskQueueType.WORKFLOW,
                new Versioned("", "", "scrape_pin2_b_3"), false);
        Outcome out = new Attribution(FixedVersionLookup.current(PIN)).attribute(demand(pinned, new Counts(2, 0)),
                KNOWN, NOW);
        assertEquals(List.of(new SyncMatchFailure(PIN, "scrape-q-pin2", TaskQueueType.WORKFLOW, 2, 0, NOW,
                Origin.PUSH)),
                out.signals());
    }

    @Test
    void unsanitizedLabelsOfAnUnknownQueueAreTakenAsTheyAre() {
        DeploymentVersion v = new DeploymentVersion("billing", "v7");
        QueueSeries series = new QueueSeries("billing-q", TaskQueueType.WORKFLOW,
                new Versioned("billing", "v7", "billing:v7"), false);
        Outcome out = new Attribution(FixedVersionLookup.current(v)).attribute(demand(series, new Counts(1, 0)),
                KNOWN, NOW);
        assertEquals(List.of(new SyncMatchFailure(v, "billing-q", TaskQueueType.WORKFLOW, 1, 0, NOW, Origin.PUSH)),
                out.signals());
    }

    @Test
    void aVersionWciDoesNotManageGetsNoSignal() {
        QueueSeries pinned = new QueueSeries("scrape_q_pin2", TaskQueueType.ACTIVITY,
                new Versioned("scrape_pin2", "b_3", "scrape_pin2_b_3"), false);
        Outcome out = new Attribution(FixedVersionLookup.current(AUTO)).attribute(demand(pinned, new Counts(3, 0)),
                KNOWN, NOW);
        assertEquals(List.of(), out.signals());
        assertEquals(Map.of(), out.unattributed(), "WCI may learn it manages the version at its next sync");
        assertEquals(Map.of(Unattributed.UNMANAGED_VERSION, 3L), unresolved(out));
    }

    @Test
    void theUnversionedQueueIsSplitBetweenTheVersionsReceivingUnpinnedTasks() {
        FixedVersionLookup ramping = new FixedVersionLookup(Set.of(AUTO, AUTO_NEXT),
                Map.of("scrape-auto", Map.of(AUTO, 80, AUTO_NEXT, 20)));
        Outcome out = new Attribution(ramping).attribute(demand(
                unversioned("scrape_q_auto", TaskQueueType.WORKFLOW), new Counts(10, 5)), KNOWN, NOW);
        assertEquals(Set.of(
                        new SyncMatchFailure(AUTO, "scrape-q.auto", TaskQueueType.WORKFLOW, 8, 4, NOW, Origin.PUSH),
                        new SyncMatchFailure(AUTO_NEXT, "scrape-q.auto", TaskQueueType.WORKFLOW, 2, 1, NOW,
                                Origin.PUSH)),
                Set.copyOf(out.signals()));
    }

    @Test
    void tasksOfTheSameVersionQueueAndTypeMakeOneSignal() {
        QueueSeries pinned = new QueueSeries("scrape_q_auto", TaskQueueType.WORKFLOW,
                new Versioned("scrape_auto", "build_1_0", "scrape_auto_build_1_0"), false);
        Outcome out = new Attribution(FixedVersionLookup.current(AUTO)).attribute(demand(
                pinned, new Counts(1, 0),
                unversioned("scrape_q_auto", TaskQueueType.WORKFLOW), new Counts(2, 1)), KNOWN, NOW);
        assertEquals(List.of(new SyncMatchFailure(AUTO, "scrape-q.auto", TaskQueueType.WORKFLOW, 3, 1, NOW,
                Origin.PUSH)),
                out.signals());
    }

    @Test
    void saysWhyTasksLedToNoSignal() {
        DeploymentVersion a = new DeploymentVersion("dep-a", "1");
        DeploymentVersion b = new DeploymentVersion("dep-b", "1");
        DeploymentVersion idle = new DeploymentVersion("idle", "1");
        List<VersionTaskQueue> known = List.of(
                new VersionTaskQueue(a, "orders-v1"),
                new VersionTaskQueue(b, "orders.v1"),
                new VersionTaskQueue(idle, "idle-q"));
        // idle is managed but not Current: nothing receives its unpinned tasks.
        FixedVersionLookup versions = new FixedVersionLookup(Set.of(a, b, idle), Map.of());
        Outcome out = new Attribution(versions).attribute(demand(
                unversioned("unknown_q", TaskQueueType.WORKFLOW), new Counts(1, 0),
                unversioned("orders_v1", TaskQueueType.WORKFLOW), new Counts(2, 0),
                unversioned("idle_q", TaskQueueType.ACTIVITY), new Counts(3, 0),
                new QueueSeries("idle_q", TaskQueueType.WORKFLOW, new Omitted(), false), new Counts(4, 0),
                new QueueSeries("idle_q", TaskQueueType.WORKFLOW, new Unversioned(), true), new Counts(5, 0),
                unversioned("idle_q", TaskQueueType.NEXUS), new Counts(0, 0)), known, NOW);
        assertEquals(List.of(), out.signals());
        assertEquals(Map.of(
                Unattributed.AMBIGUOUS, 2L,
                Unattributed.OMITTED, 4L,
                Unattributed.STICKY, 5L), out.unattributed());
        // These may resolve once the registry reads Temporal again: the source retries them.
        assertEquals(Map.of(Unattributed.UNKNOWN_TASK_QUEUE, 1L, Unattributed.NO_RECEIVER, 3L), unresolved(out));
    }

    private static Map<Unattributed, Long> unresolved(Outcome out) {
        Map<Unattributed, Long> byReason = new java.util.EnumMap<>(Unattributed.class);
        out.unresolved().values().forEach(u -> byReason.merge(u.reason(), u.counts().total(), Long::sum));
        return byReason;
    }
}
