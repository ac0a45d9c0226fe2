package dev.wci.server.lease;

import dev.wci.core.lease.LeaseListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With HA, how far this replica reads each deployment it holds, and the order in which a deployment taken on is
 * read: its routing and versions first (a standby reads nothing of it, and what it read when it last held the lease
 * may be long out of date), then the scaler's groups are registered, then its worker census is read afresh (the
 * ledgers start from the workers the previous owner started), and only then are its stats polled (so a backlog the
 * previous owner's workers already serve is not taken for demand nobody serves). A lease given up or lost stops every
 * read of the deployment at once. Without HA every deployment is read in full.
 *
 * <p>The reads themselves are the {@link Steps} the service hands in; this class owns only their order and the gates
 * the sources ask ({@link #managesGroups}, {@link #readsCensus}, {@link #pollsStats}).
 */
public final class DeploymentReads implements LeaseListener {

    private static final Logger log = LoggerFactory.getLogger(DeploymentReads.class);

    /** The service's reads and syncs, run in the order above. */
    public interface Steps {
        /**
         * Reads a deployment's routing and versions from Temporal now.
         *
         * @return false when the read failed (the deployment is then decided on what was last read of it)
         */
        boolean readRegistry(String deployment) throws InterruptedException;

        /** Registers and drops the scaler's groups to match the registry and these gates; completes when done. */
        CompletableFuture<?> syncGroups();

        /**
         * Reads a deployment's worker census afresh.
         *
         * @return the number of versions read
         */
        int readCensus(String deployment) throws InterruptedException;

        /** Wakes the stats polls, so a deployment now polled is polled at once. */
        void wakeStats();
    }

    /** How far a held deployment is read. */
    private enum Reading {
        /** Its routing and versions were read afresh: its groups may be registered. */
        REGISTRY,
        /** Its groups are registered and its census is being read afresh: no stats yet. */
        CENSUS,
        /** Census and stats. */
        ALL
    }

    private final boolean ha;
    private final Predicate<String> holds;
    private final Steps steps;
    private final ScheduledExecutorService scheduler;
    private final Duration lostGrace;
    private final Map<String, Reading> reading = new ConcurrentHashMap<>();

    /**
     * @param ha        whether leases are on; without them every deployment is read in full and nothing here runs
     * @param holds     whether this replica holds a deployment's lease now
     * @param steps     the reads, run on {@code scheduler}
     * @param scheduler runs the takeovers and the group syncs after a lease change (a rejected task: shutting down)
     * @param lostGrace how long a lost deployment's groups are kept, in case its lease is back (a late renewal)
     */
    public DeploymentReads(boolean ha, Predicate<String> holds, Steps steps, ScheduledExecutorService scheduler,
                           Duration lostGrace) {
        this.ha = ha;
        this.holds = holds;
        this.steps = steps;
        this.scheduler = scheduler;
        this.lostGrace = lostGrace;
    }

    /** Whether this process may invoke for (and read) a deployment now: always without HA, else while it holds it. */
    public boolean mayInvoke(String deployment) {
        return !ha || holds.test(deployment);
    }

    /**
     * Whether the scaler may have groups for a deployment: always without HA; with HA while this replica holds its
     * lease and has read its routing and versions since taking it.
     */
    public boolean managesGroups(String deployment) {
        return mayInvoke(deployment) && (!ha || reading.containsKey(deployment));
    }

    /**
     * Whether a deployment's census is read: always without HA; with HA while this replica holds its lease and its
     * groups are registered (a snapshot for groups not there yet would be lost).
     */
    public boolean readsCensus(String deployment) {
        Reading r = reading.get(deployment);
        return mayInvoke(deployment) && (!ha || r == Reading.CENSUS || r == Reading.ALL);
    }

    /**
     * Whether a deployment's stats are polled: always without HA; with HA while this replica holds its lease, and
     * only once its census was read afresh after taking it on.
     */
    public boolean pollsStats(String deployment) {
        return mayInvoke(deployment) && (!ha || reading.get(deployment) == Reading.ALL);
    }

    @Override
    public void acquired(String deployment, String previousOwner) {
        // Read nothing of it until the takeover (a lease back after a short lapse too: it may have been dropped
        // meanwhile). The census and stats reads follow the groups' sync however it ended: the reads must start.
        reading.remove(deployment);
        run("lease takeover", () -> {
            readRegistry(deployment);
            steps.syncGroups().handle((ok, failure) -> null)
                    .thenRunAsync(guarded("lease takeover", () -> readCensusThenStats(deployment)), scheduler);
        });
    }

    @Override
    public void released(String deployment) {
        stopReading(deployment);
        run("lease sync", steps::syncGroups);
    }

    @Override
    public void lost(String deployment, LostReason reason) {
        stopReading(deployment);
        // Invokes are refused already (mayInvoke). The groups go one grace period later, unless the lease is back by
        // then (a renewal that came late on a slow host), so a short gap keeps their ledgers.
        try {
            scheduler.schedule(guarded("lease sync", steps::syncGroups), lostGrace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    private void readRegistry(String deployment) {
        if (!mayInvoke(deployment)) {
            return;
        }
        try {
            if (!steps.readRegistry(deployment)) {
                log.warn("deployment {} taken on: reading it from Temporal failed; deciding on what was last read of "
                        + "it until the next registry sync", deployment);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutting down
            return;
        }
        if (mayInvoke(deployment)) {
            reading.putIfAbsent(deployment, Reading.REGISTRY);
        }
    }

    private void readCensusThenStats(String deployment) {
        if (!reading.containsKey(deployment)) {
            return; // given up or lost meanwhile (or never read): a later takeover starts over
        }
        int read = 0;
        try {
            if (mayInvoke(deployment)) {
                reading.put(deployment, Reading.CENSUS);
                read = steps.readCensus(deployment);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutting down
        } finally {
            // A failed census read still lets the stats start: the ledger model decides until the next census read.
            if (mayInvoke(deployment) && reading.containsKey(deployment)) {
                reading.put(deployment, Reading.ALL);
                log.info("deployment {} taken on: worker census read afresh for {} version(s); its stats are polled "
                        + "from now", deployment, read);
                steps.wakeStats();
            }
        }
    }

    private void stopReading(String deployment) {
        if (reading.remove(deployment) != null) {
            log.info("deployment {}: lease gone, its registry, stats and worker census are no longer read here",
                    deployment);
        }
    }

    private void run(String what, Runnable task) {
        try {
            scheduler.execute(guarded(what, task));
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    private static Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // One failed sync must not stop the next lease change's.
                log.warn("{} failed: {}", what, e.toString(), e);
            }
        };
    }
}
