package dev.wci.server.lease;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.lease.LeaseListener.LostReason;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The order of a takeover's reads, and what a lease given up or lost stops, on a scheduler run by hand. */
class DeploymentReadsTest {

    private static final String D = "orders";
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final Set<String> held = new HashSet<>();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final List<String> calls = new ArrayList<>();
    private boolean registryReadFails;
    private Consumer<String> duringRegistryRead = d -> { };
    private Consumer<String> duringCensusRead = d -> { };
    private DeploymentReads reads;

    private DeploymentReads reads(boolean ha) {
        reads = new DeploymentReads(ha, held::contains, new DeploymentReads.Steps() {
            @Override
            public boolean readRegistry(String deployment) {
                calls.add("registry " + gates(deployment));
                duringRegistryRead.accept(deployment);
                return !registryReadFails;
            }

            @Override
            public CompletableFuture<?> syncGroups() {
                calls.add("groups " + gates(D));
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public int readCensus(String deployment) {
                calls.add("census " + gates(deployment));
                duringCensusRead.accept(deployment);
                return 1;
            }

            @Override
            public void wakeStats() {
                calls.add("stats " + gates(D));
            }
        }, scheduler, GRACE);
        return reads;
    }

    /** Which gates are open for a deployment: m(anages groups), c(ensus read), s(tats polled). */
    private String gates(String deployment) {
        return (reads.managesGroups(deployment) ? "m" : "-") + (reads.readsCensus(deployment) ? "c" : "-")
                + (reads.pollsStats(deployment) ? "s" : "-");
    }

    @Test
    void aDeploymentTakenOnIsReadRegistryFirstThenGroupsThenCensusThenStats() {
        reads(true);
        held.add(D);
        reads.acquired(D, "r2");
        assertEquals("---", gates(D), "nothing is read before the takeover runs");

        scheduler.runAll();

        assertEquals(List.of("registry ---", "groups m--", "census mc-", "stats mcs"), calls);
        assertEquals("mcs", gates(D));
    }

    @Test
    void aFailedRegistryReadStillLetsTheTakeoverGoOnOnWhatWasLastRead() {
        reads(true);
        held.add(D);
        registryReadFails = true;
        reads.acquired(D, null);
        scheduler.runAll();

        assertEquals(List.of("registry ---", "groups m--", "census mc-", "stats mcs"), calls);
    }

    @Test
    void aLeaseLostDuringTheRegistryReadRegistersNoGroupsAndReadsNoCensusOrStats() {
        reads(true);
        held.add(D);
        duringRegistryRead = d -> {
            held.remove(d);
            reads.lost(d, LostReason.LAPSED);
        };
        reads.acquired(D, null);
        scheduler.runAll();

        assertEquals(List.of("registry ---", "groups ---", "groups ---"), calls);
        assertEquals(List.of(GRACE), scheduler.delays);
        assertEquals("---", gates(D));
    }

    @Test
    void aLeaseLostWhileTheCensusIsReadStartsNoStats() {
        reads(true);
        held.add(D);
        duringCensusRead = d -> {
            held.remove(d);
            reads.lost(d, LostReason.TAKEN);
        };
        reads.acquired(D, null);
        scheduler.runAll();

        assertEquals(List.of("registry ---", "groups m--", "census mc-", "groups ---"), calls);
        assertEquals("---", gates(D));
    }

    @Test
    void aLeaseLostAndRetakenWhileTheCensusIsReadWaitsForItsOwnTakeover() {
        reads(true);
        held.add(D);
        duringCensusRead = d -> {
            reads.lost(d, LostReason.LAPSED);
            reads.acquired(d, null); // a late renewal: held throughout, but read afresh
            duringCensusRead = x -> { };
        };
        reads.acquired(D, null);
        scheduler.runNext(); // the first takeover's registry read and group sync
        scheduler.runNext(); // its census read, during which the lease lapses and comes back

        assertEquals("---", gates(D), "the stats wait for the new takeover's census read");
        scheduler.runAll();
        assertEquals(List.of("registry ---", "groups m--", "census mc-", "stats mcs"), calls.subList(calls.size() - 4, calls.size()));
    }

    @Test
    void aFailedCensusReadStillStartsTheStats() {
        reads(true);
        held.add(D);
        duringCensusRead = d -> {
            throw new IllegalStateException("ListWorkers: UNAVAILABLE");
        };
        reads.acquired(D, null);
        scheduler.runAll();

        assertEquals(List.of("registry ---", "groups m--", "census mc-", "stats mcs"), calls);
    }

    @Test
    void aReleasedDeploymentStopsBeingReadAtOnceAndItsGroupsAreSynced() {
        reads(true);
        held.add(D);
        reads.acquired(D, null);
        scheduler.runAll();
        calls.clear();

        held.remove(D);
        reads.released(D);
        assertEquals("---", gates(D));
        scheduler.runAll();
        assertEquals(List.of("groups ---"), calls);
        assertEquals(List.of(), scheduler.delays);
    }

    @Test
    void aLostDeploymentKeepsItsGroupsForTheGraceThenSyncsThem() {
        reads(true);
        held.add(D);
        reads.acquired(D, null);
        scheduler.runAll();
        calls.clear();

        reads.lost(D, LostReason.LAPSED);
        assertEquals(List.of(), calls);
        assertEquals(List.of(GRACE), scheduler.delays);
        assertFalse(reads.pollsStats(D));
    }

    @Test
    void withoutHaEveryDeploymentIsReadInFullWithoutALease() {
        reads(false);
        assertEquals("mcs", gates(D));
        assertTrue(reads.mayInvoke(D));
    }

    @Test
    void leaseChangesWhileShuttingDownAreDroppedQuietly() {
        reads(true);
        held.add(D);
        scheduler.shutdown();
        assertDoesNotThrow(() -> {
            reads.acquired(D, null);
            reads.released(D);
            reads.lost(D, LostReason.TAKEN);
        });
        assertEquals(List.of(), calls);
    }

    /** Queues what is executed or scheduled; the test runs it by hand, on its own thread. */
    private static final class ManualScheduler extends ScheduledThreadPoolExecutor {
        final Queue<Runnable> queue = new ArrayDeque<>();
        final List<Duration> delays = new ArrayList<>();

        ManualScheduler() {
            super(0);
        }

        @Override
        public void execute(Runnable command) {
            if (isShutdown()) {
                throw new RejectedExecutionException("shut down");
            }
            queue.add(command);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            if (isShutdown()) {
                throw new RejectedExecutionException("shut down");
            }
            delays.add(Duration.ofMillis(unit.toMillis(delay)));
            queue.add(command); // run at once when the test runs the queue: the delay is asserted, not waited
            return null;
        }

        void runNext() {
            queue.remove().run();
        }

        void runAll() {
            while (!queue.isEmpty()) {
                runNext();
            }
        }
    }
}
