package dev.wci.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.registry.RegistryChange.RoutingChanged;
import dev.wci.core.registry.RegistryChange.TargetChanged;
import dev.wci.core.registry.RegistryChange.VersionManaged;
import dev.wci.core.registry.RegistryChange.VersionServerManaged;
import dev.wci.core.registry.RegistryChange.VersionUnmanaged;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.RoutingState;
import dev.wci.core.version.TaskQueueType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class VersionRegistryTest {

    private static final String ORDERS = "orders";
    private static final String BILLING = "billing";
    private static final DeploymentVersion V1 = new DeploymentVersion(ORDERS, "v1");
    private static final DeploymentVersion V2 = new DeploymentVersion(ORDERS, "v2");
    private static final DeploymentVersion V3 = new DeploymentVersion(ORDERS, "v3");
    private static final DeploymentVersion B1 = new DeploymentVersion(BILLING, "b1");
    private static final DeploymentVersion B2 = new DeploymentVersion(BILLING, "b2");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final List<RegisteredTaskQueue> QUEUES = List.of(
            new RegisteredTaskQueue("orders-q", TaskQueueType.WORKFLOW),
            new RegisteredTaskQueue("orders-q", TaskQueueType.ACTIVITY));

    private static ComputeTarget arn(String name, int version) {
        return new ComputeTarget("aws-lambda", "arn:aws:lambda:us-east-1:123456789012:function:" + name + ":" + version);
    }

    /** orders: v1, v2 in the file; billing: b1 in the file, targets from metadata. */
    private static VersionRegistry registry() {
        return new VersionRegistry(List.of(
                new ConfiguredDeployment(ORDERS, false, List.of(
                        new ConfiguredVersion("v1", arn("orders", 1)),
                        new ConfiguredVersion("v2", arn("orders", 2), EnumSet.of(TaskQueueType.ACTIVITY)))),
                new ConfiguredDeployment(BILLING, true, List.of(new ConfiguredVersion("b1", arn("billing", 1))))));
    }

    private static VersionObservation seen(String buildId) {
        return VersionObservation.of(buildId, DrainageStatus.NONE, QUEUES);
    }

    private static VersionObservation withMetadata(String buildId, ComputeTarget target) {
        return new VersionObservation(buildId, DrainageStatus.NONE, QUEUES, false, Optional.of(target),
                Optional.empty());
    }

    private static DeploymentObservation orders(Routing routing, Instant at, VersionObservation... versions) {
        return new DeploymentObservation(ORDERS, true, routing, List.of(versions), at);
    }

    private static DeploymentObservation billing(Instant at, VersionObservation... versions) {
        return new DeploymentObservation(BILLING, true, Routing.NONE, List.of(versions), at);
    }

    private static List<RegistryChange> recorder(VersionRegistry r) {
        List<RegistryChange> changes = new ArrayList<>();
        r.addListener(changes::add);
        return changes;
    }

    @Test
    void beforeTheFirstSyncFileVersionsAreNotInTemporalAndNothingIsManaged() {
        VersionRegistry r = registry();
        VersionEntry v1 = r.version(V1).orElseThrow();
        assertEquals(ManagementState.NOT_IN_TEMPORAL, v1.state());
        assertEquals(TemporalFacts.UNKNOWN, v1.temporal());
        assertEquals(Optional.of(TargetSource.YAML), v1.targetSource());
        assertFalse(r.isManaged(V1));
        assertTrue(r.snapshot().managed().isEmpty());
        assertTrue(r.snapshot().deployments().get(ORDERS).syncedAt().isEmpty());
        assertEquals(List.of(ORDERS, BILLING), r.deploymentNames());
        assertEquals(Map.of(), r.attributeUnpinned(ORDERS, 5));
    }

    @Test
    void aSyncedFileVersionIsManagedWithItsTargetAndListenersHearIt() {
        VersionRegistry r = registry();
        List<RegistryChange> changes = recorder(r);
        List<RegistryChange> returned = r.update(orders(Routing.current(V1), T0, seen("v1"), seen("v2"), seen("v9")));

        assertEquals(changes, returned);
        assertEquals(List.of(
                new RoutingChanged(ORDERS, Routing.NONE, Routing.current(V1)),
                new VersionManaged(r.version(V1).orElseThrow()),
                new VersionManaged(r.version(V2).orElseThrow())), changes);
        VersionEntry v1 = r.version(V1).orElseThrow();
        assertEquals(ManagementState.MANAGED, v1.state());
        assertEquals(RoutingState.CURRENT, v1.routing());
        assertEquals(Optional.of(arn("orders", 1)), v1.target());
        assertEquals(QUEUES.stream().sorted().toList(), v1.temporal().taskQueues());
        assertEquals(Optional.of(T0), v1.temporal().observedAt());
        assertEquals(Set.of(TaskQueueType.ACTIVITY), r.version(V2).orElseThrow().taskQueueTypes());
        assertEquals(RoutingState.INACTIVE, r.version(V2).orElseThrow().routing());
        // In Temporal, not in the file, deployment does not read metadata: unmapped and not managed.
        VersionEntry v9 = r.version(new DeploymentVersion(ORDERS, "v9")).orElseThrow();
        assertEquals(ManagementState.UNMAPPED, v9.state());
        assertTrue(v9.target().isEmpty());
        assertTrue(r.snapshot().deployments().get(ORDERS).existsInTemporal());

        // The same observation again changes nothing.
        changes.clear();
        assertEquals(List.of(), r.update(orders(Routing.current(V1), T0.plusSeconds(10), seen("v1"), seen("v2"),
                seen("v9"))));
        assertEquals(List.of(), changes);
    }

    @Test
    void aFileVersionTemporalDoesNotListIsNotInTemporal() {
        VersionRegistry r = registry();
        r.update(orders(Routing.current(V1), T0, seen("v1")));
        VersionEntry v2 = r.version(V2).orElseThrow();
        assertEquals(ManagementState.NOT_IN_TEMPORAL, v2.state());
        assertFalse(v2.temporal().exists());
        assertEquals(Optional.of(T0), v2.temporal().observedAt());

        r.update(DeploymentObservation.absent(ORDERS, T0.plusSeconds(1)));
        assertEquals(ManagementState.NOT_IN_TEMPORAL, r.version(V1).orElseThrow().state());
        assertFalse(r.snapshot().deployments().get(ORDERS).existsInTemporal());
    }

    @Test
    void routingGivesCurrentRampingDrainingAndInactiveAndDrainingVersionsStayManaged() {
        VersionRegistry r = new VersionRegistry(List.of(new ConfiguredDeployment(ORDERS, false, List.of(
                new ConfiguredVersion("v1", arn("orders", 1)), new ConfiguredVersion("v2", arn("orders", 2)),
                new ConfiguredVersion("v3", arn("orders", 3))))));
        r.update(orders(Routing.current(V1), T0, seen("v1"), seen("v2"), seen("v3")));
        List<RegistryChange> changes = recorder(r);
        Routing ramp = new Routing(Optional.of(V2), Optional.of(V3), 25);
        r.update(orders(ramp, T0.plusSeconds(10),
                VersionObservation.of("v1", DrainageStatus.DRAINING, QUEUES), seen("v2"), seen("v3")));

        assertEquals(List.of(new RoutingChanged(ORDERS, Routing.current(V1), ramp)), changes);
        assertEquals(RoutingState.DRAINING, r.version(V1).orElseThrow().routing());
        assertTrue(r.isManaged(V1), "pinned work still arrives on a draining version");
        assertEquals(RoutingState.CURRENT, r.version(V2).orElseThrow().routing());
        assertEquals(new RoutingState.Ramping(25), r.version(V3).orElseThrow().routing());

        r.update(orders(Routing.current(V2), T0.plusSeconds(20),
                VersionObservation.of("v1", DrainageStatus.DRAINED, QUEUES), seen("v2"), seen("v3")));
        assertEquals(RoutingState.INACTIVE, r.version(V1).orElseThrow().routing());
        assertTrue(r.isManaged(V1), "pinned overrides can still send work to a drained version");
    }

    @Test
    void aVersionRunByTheServersOwnControllerIsServerManagedAndNotInvoked() {
        VersionRegistry r = registry();
        r.update(orders(Routing.current(V1), T0, seen("v1")));
        List<RegistryChange> changes = recorder(r);
        VersionObservation serverRun = new VersionObservation("v1", DrainageStatus.NONE, QUEUES, true,
                Optional.empty(), Optional.empty());
        r.update(orders(Routing.current(V1), T0.plusSeconds(10), serverRun, withServerConfig("v7")));

        VersionEntry v1 = r.version(V1).orElseThrow();
        assertEquals(ManagementState.SERVER_MANAGED, v1.state());
        assertFalse(r.isManaged(V1));
        assertEquals(Conflict.Kind.SERVER_MANAGED, v1.conflicts().get(0).kind());
        assertEquals(2, changes.size());
        VersionServerManaged first = assertInstanceOf(VersionServerManaged.class, changes.get(0));
        assertTrue(first.wasManaged());
        assertEquals(v1, first.after());
        VersionServerManaged second = assertInstanceOf(VersionServerManaged.class, changes.get(1));
        assertFalse(second.wasManaged());
        assertTrue(second.after().conflicts().isEmpty(), "an unmapped server-run version is no conflict");
        assertEquals(Map.of(), r.attributeUnpinned(ORDERS, 3));

        // Reported once, not on every sync; and when the server lets go, WCI takes over again.
        changes.clear();
        r.update(orders(Routing.current(V1), T0.plusSeconds(20), serverRun, withServerConfig("v7")));
        assertEquals(List.of(), changes);
        r.update(orders(Routing.current(V1), T0.plusSeconds(30), seen("v1")));
        assertEquals(List.of(new VersionManaged(r.version(V1).orElseThrow())), changes.subList(0, 1));
    }

    private static VersionObservation withServerConfig(String buildId) {
        return new VersionObservation(buildId, DrainageStatus.NONE, QUEUES, true, Optional.empty(), Optional.empty());
    }

    @Test
    void metadataTargetsMapVersionsButTheFileWinsAndConflictsAreReported() {
        VersionRegistry r = registry();
        List<RegistryChange> changes = recorder(r);
        r.update(billing(T0, withMetadata("b1", arn("billing", 7)), withMetadata("b2", arn("billing", 2)),
                new VersionObservation("b3", DrainageStatus.NONE, QUEUES, false, Optional.empty(),
                        Optional.of("metadata wci.lambda.target is not a qualified ARN"))));

        VersionEntry b1 = r.version(B1).orElseThrow();
        assertEquals(Optional.of(arn("billing", 1)), b1.target(), "the file wins");
        assertEquals(Optional.of(TargetSource.YAML), b1.targetSource());
        assertEquals(List.of(Conflict.Kind.METADATA_TARGET_DIFFERS),
                b1.conflicts().stream().map(Conflict::kind).toList());
        assertTrue(b1.conflicts().get(0).message().contains("billing:7"));

        VersionEntry b2 = r.version(B2).orElseThrow();
        assertEquals(ManagementState.MANAGED, b2.state());
        assertEquals(Optional.of(TargetSource.METADATA), b2.targetSource());
        assertEquals(EnumSet.allOf(TaskQueueType.class), b2.taskQueueTypes());

        VersionEntry b3 = r.version(new DeploymentVersion(BILLING, "b3")).orElseThrow();
        assertEquals(ManagementState.UNMAPPED, b3.state());
        assertEquals(Conflict.Kind.METADATA_TARGET_INVALID, b3.conflicts().get(0).kind());
        assertEquals(2, r.snapshot().conflicts().size());
        assertEquals(List.of(new VersionManaged(b1), new VersionManaged(b2)), changes);

        // The metadata target changes: the service must switch targets.
        changes.clear();
        r.update(billing(T0.plusSeconds(10), withMetadata("b1", arn("billing", 1)),
                withMetadata("b2", arn("billing", 3))));
        assertEquals(List.of(new TargetChanged(b2, r.version(B2).orElseThrow())), changes);
        assertTrue(r.version(B1).orElseThrow().conflicts().isEmpty(), "same target as the file: no conflict");

        // The metadata entry is removed: no target any more.
        changes.clear();
        r.update(billing(T0.plusSeconds(20), seen("b1"), seen("b2")));
        VersionUnmanaged gone = assertInstanceOf(VersionUnmanaged.class, changes.get(0));
        assertEquals(ManagementState.UNMAPPED, gone.after().orElseThrow().state());
    }

    @Test
    void metadataIsIgnoredForDeploymentsThatDoNotReadIt() {
        VersionRegistry r = registry();
        r.update(orders(Routing.current(V1), T0, withMetadata("v1", arn("orders", 9)),
                withMetadata("v5", arn("orders", 5))));
        assertTrue(r.version(V1).orElseThrow().conflicts().isEmpty());
        assertEquals(ManagementState.UNMAPPED, r.version(new DeploymentVersion(ORDERS, "v5")).orElseThrow().state());
    }

    @Test
    void aMetadataTargetAnotherVersionUsesIsRefused() {
        VersionRegistry r = registry();
        // b2 claims orders:v1's file target, b3 and b4 claim the same new one: the first build ID keeps it.
        r.update(billing(T0, seen("b1"), withMetadata("b2", arn("orders", 1)), withMetadata("b3", arn("billing", 5)),
                withMetadata("b4", arn("billing", 5))));
        VersionEntry b2 = r.version(B2).orElseThrow();
        assertEquals(ManagementState.UNMAPPED, b2.state());
        assertEquals(Conflict.Kind.DUPLICATE_TARGET, b2.conflicts().get(0).kind());
        assertTrue(b2.conflicts().get(0).message().contains("orders:v1"));
        assertEquals(ManagementState.MANAGED, r.version(new DeploymentVersion(BILLING, "b3")).orElseThrow().state());
        assertEquals(ManagementState.UNMAPPED, r.version(new DeploymentVersion(BILLING, "b4")).orElseThrow().state());
    }

    @Test
    void aMetadataVersionDeletedInTemporalDisappearsAndIsReportedUnmanaged() {
        VersionRegistry r = registry();
        r.update(billing(T0, withMetadata("b2", arn("billing", 2))));
        List<RegistryChange> changes = recorder(r);
        r.update(billing(T0.plusSeconds(10)));
        VersionUnmanaged u = assertInstanceOf(VersionUnmanaged.class, changes.get(0));
        assertEquals(B2, u.before().version());
        assertTrue(u.after().isEmpty());
        assertTrue(r.version(B2).isEmpty());
    }

    @Test
    void anOlderObservationDoesNotOverwriteANewerOne() {
        VersionRegistry r = registry();
        r.update(orders(Routing.current(V2), T0.plusSeconds(10), seen("v1"), seen("v2")));
        assertEquals(List.of(), r.update(orders(Routing.current(V1), T0, seen("v1"))));
        assertEquals(RoutingState.CURRENT, r.version(V2).orElseThrow().routing());
        assertThrows(IllegalArgumentException.class, () -> r.update(DeploymentObservation.absent("nope", T0)));
    }

    @Test
    void taskQueueListingsFromLaterDescribesShowWhetherAVersionNeedsABootstrap() {
        VersionRegistry r = registry();
        r.update(orders(Routing.NONE, T0, VersionObservation.of("v1", DrainageStatus.NONE, List.of())));
        assertTrue(r.version(V1).orElseThrow().needsBootstrap());
        List<RegistryChange> changes = recorder(r);

        r.updateTaskQueues(V1, QUEUES, T0.plusSeconds(1));
        VersionEntry v1 = r.version(V1).orElseThrow();
        assertFalse(v1.needsBootstrap());
        assertEquals(Optional.of(T0.plusSeconds(1)), v1.temporal().observedAt());
        assertEquals(List.of(), changes, "task queues are facts, not management changes");

        // An older listing, or one for a version Temporal does not know, is ignored.
        r.updateTaskQueues(V1, List.of(), T0.plusMillis(500));
        assertFalse(r.version(V1).orElseThrow().needsBootstrap());
        r.updateTaskQueues(V2, QUEUES, T0.plusSeconds(2));
        assertTrue(r.version(V2).orElseThrow().temporal().taskQueues().isEmpty());

        // A newer sync supersedes the listing.
        r.update(orders(Routing.NONE, T0.plusSeconds(5), VersionObservation.of("v1", DrainageStatus.NONE, List.of())));
        assertTrue(r.version(V1).orElseThrow().needsBootstrap());
    }

    @Test
    void aFailingListenerDoesNotUndoTheUpdateOrSilenceOthers() {
        VersionRegistry r = registry();
        List<RegistryChange> heard = new ArrayList<>();
        r.addListener(c -> {
            throw new IllegalStateException("boom on " + c.getClass().getSimpleName());
        });
        r.addListener(heard::add);
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> r.update(orders(Routing.current(V1), T0, seen("v1"))));
        assertEquals("boom on RoutingChanged", thrown.getMessage());
        assertEquals(1, thrown.getSuppressed().length, "the second change's failure is attached");
        assertEquals(2, heard.size());
        assertTrue(r.isManaged(V1));
    }

    // --- attribution of unpinned work -----------------------------------------------------------------------

    @Test
    void unpinnedWorkGoesToCurrentWhenNothingRamps() {
        VersionRegistry r = registry();
        r.update(orders(Routing.current(V1), T0, seen("v1"), seen("v2")));
        assertEquals(Map.of(V1, 7L), r.attributeUnpinned(ORDERS, 7));
        assertEquals(Map.of(V1, 1L), r.attributeUnpinned(ORDERS, 1));
        assertEquals(Map.of(), r.attributeUnpinned(ORDERS, 0));
        assertEquals(Map.of(), r.attributeUnpinned("unknown", 3));
        assertThrows(IllegalArgumentException.class, () -> r.attributeUnpinned(ORDERS, -1));
    }

    @Test
    void singleTasksAtATenPercentRampSendEveryTenthToTheRamp() {
        VersionRegistry r = registry();
        r.update(orders(new Routing(Optional.of(V1), Optional.of(V2), 10), T0, seen("v1"), seen("v2")));
        long toCurrent = 0;
        long toRamp = 0;
        for (int i = 1; i <= 100; i++) {
            Map<DeploymentVersion, Long> split = r.attributeUnpinned(ORDERS, 1);
            assertEquals(1, split.values().stream().mapToLong(Long::longValue).sum(), "one task, once");
            toCurrent += split.getOrDefault(V1, 0L);
            toRamp += split.getOrDefault(V2, 0L);
            if (i % 10 == 0) {
                assertEquals(i / 10, toRamp, "after " + i + " tasks");
            }
        }
        assertEquals(90, toCurrent);
    }

    @Test
    void aBatchIsSplitByPercentageWithTheRemainderCarried() {
        VersionRegistry r = registry();
        r.update(orders(new Routing(Optional.of(V1), Optional.of(V2), 30), T0, seen("v1"), seen("v2")));
        assertEquals(Map.of(V1, 5L, V2, 2L), r.attributeUnpinned(ORDERS, 7)); // 2.1 to the ramp, 0.1 carried
        assertEquals(Map.of(V1, 5L, V2, 2L), r.attributeUnpinned(ORDERS, 7)); // 2.2
        assertEquals(Map.of(V1, 4L, V2, 2L), r.attributeUnpinned(ORDERS, 6)); // 1.8 + 0.2 = 2.0

        // A new routing starts from a clean carry.
        r.update(orders(new Routing(Optional.of(V1), Optional.of(V2), 50), T0.plusSeconds(1), seen("v1"), seen("v2")));
        assertEquals(Map.of(V1, 1L), r.attributeUnpinned(ORDERS, 1));
        assertEquals(Map.of(V2, 1L), r.attributeUnpinned(ORDERS, 1));
    }

    @Test
    void aShareForAnUnmanagedOrUnversionedReceiverIsLeftOut() {
        VersionRegistry r = registry();
        DeploymentVersion v9 = new DeploymentVersion(ORDERS, "v9");
        // Ramping version not mapped: its share is dropped, not given to Current.
        r.update(orders(new Routing(Optional.of(V1), Optional.of(v9), 100), T0, seen("v1"), seen("v9")));
        assertEquals(Map.of(), r.attributeUnpinned(ORDERS, 4));
        // Ramping from unversioned workers (no Current) to v1 at 50 %.
        r.update(orders(new Routing(Optional.empty(), Optional.of(V1), 50), T0.plusSeconds(1), seen("v1")));
        assertEquals(Map.of(V1, 2L), r.attributeUnpinned(ORDERS, 4));
        // Ramping from v1 to unversioned workers.
        r.update(orders(new Routing(Optional.of(V1), Optional.empty(), 75), T0.plusSeconds(2), seen("v1")));
        assertEquals(Map.of(V1, 1L), r.attributeUnpinned(ORDERS, 4));
    }

    @Property(tries = 300)
    void partsAlwaysAddUpToTheCount(@ForAll @DoubleRange(min = 0, max = 100) double percentage,
                                    @ForAll @Size(min = 1, max = 30) List<@IntRange(min = 0, max = 100_000) Integer> batches) {
        VersionRegistry r = registry();
        r.update(orders(new Routing(Optional.of(V1), Optional.of(V2), percentage), T0, seen("v1"), seen("v2")));
        long total = 0;
        long toRamp = 0;
        for (int count : batches) {
            Map<DeploymentVersion, Long> split = r.attributeUnpinned(ORDERS, count);
            assertEquals(count, split.values().stream().mapToLong(Long::longValue).sum());
            total += count;
            toRamp += split.getOrDefault(V2, 0L);
        }
        // The carry keeps the ramp's total within one task of its exact share.
        assertTrue(Math.abs(toRamp - total * percentage / 100) < 1 + 1e-6,
                "ramp got " + toRamp + " of " + total + " at " + percentage + "%");
    }

    @Test
    void concurrentCallersShareOneCarry() throws Exception {
        VersionRegistry r = registry();
        r.update(orders(new Routing(Optional.of(V1), Optional.of(V2), 10), T0, seen("v1"), seen("v2")));
        AtomicLong toRamp = new AtomicLong();
        AtomicLong total = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 2_500; i++) {
                        Map<DeploymentVersion, Long> split = r.attributeUnpinned(ORDERS, 1);
                        toRamp.addAndGet(split.getOrDefault(V2, 0L));
                        total.addAndGet(split.values().stream().mapToLong(Long::longValue).sum());
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(10_000, total.get());
        assertEquals(1_000, toRamp.get());
    }
}
