package dev.wci.server.lease;

import dev.wci.core.lease.LeaseEvent;
import dev.wci.core.lease.LeaseKeeper;
import dev.wci.core.lease.LeaseListener;
import dev.wci.core.lease.LeaseSettings;
import dev.wci.core.lease.LeaseStatus;
import dev.wci.core.lease.LeaseStore;
import dev.wci.server.config.HaConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's side of the leases: a Temporal worker that runs the lease and membership workflows (any live
 * replica answers any lease), the {@link LeaseKeeper} rounds every renew interval, metrics and the /status view.
 * It has its own Temporal stubs with short timeouts, so a call to an unreachable server gives up within a TTL (the
 * fencing does not depend on it: {@link #holds} reads only the clock).
 */
public final class LeaseService implements AutoCloseable {

    /** A dead replica's workflow tasks wait this long on its sticky queue before any replica may take them. */
    static final Duration STICKY_TIMEOUT = Duration.ofSeconds(1);
    /** Renewals of one round run side by side on at most this many threads. */
    static final int MAX_RENEWAL_THREADS = 8;

    /** Lease changes shown in /status. */
    static final int RECENT = 20;

    private static final Logger log = LoggerFactory.getLogger(LeaseService.class);

    private final HaConfig config;
    private final WorkflowServiceStubs stubs;
    private final WorkerFactory workers;
    private final LeaseKeeper keeper;
    private final ScheduledExecutorService rounds;
    private final ExecutorService renewals;
    private volatile boolean stopped;
    /** Set by the rounds' thread once the lease worker runs; a factory never started has nothing to stop. */
    private volatile boolean workersStarted;

    /** The {@code ha} part of /status. */
    public record Status(String identity, String role, Duration leaseTtl, Duration renewInterval, int replicas,
                         List<MemberView> members, String membershipError, List<LeaseView> leases,
                         List<LeaseEvent> recent) {
    }

    public record MemberView(String identity, int held) {
    }

    /**
     * One deployment's lease as this replica knows it.
     *
     * @param owner      the holder (null when unknown or free)
     * @param since      when the holder's hold began (Temporal's time), null when unknown
     * @param validUntil when this replica stops invoking for it unless renewed (only when held)
     */
    public record LeaseView(String deployment, String owner, Instant since, boolean held, Instant validUntil,
                            String lastError) {
    }

    /**
     * Starts the lease worker and the rounds.
     *
     * @param stubsOptions the Temporal connection's options (target, TLS, API key); timeouts are shortened here
     * @param listener     hears every lease change, after the metrics
     */
    public static LeaseService start(HaConfig config, String namespace, List<String> deployments,
                                     WorkflowServiceStubsOptions stubsOptions, MeterRegistry meters, Clock clock,
                                     LeaseListener listener) {
        Duration ttl = config.leaseTtl();
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions
                .newBuilder(stubsOptions)
                .setRpcTimeout(ttl.dividedBy(2))
                .setRpcRetryOptions(RpcRetryOptions.newBuilder().setInitialInterval(Duration.ofMillis(100))
                        .setMaximumInterval(Duration.ofSeconds(1)).setExpiration(ttl.dividedBy(2)).build())
                .build());
        WorkflowClient client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
                .setNamespace(namespace).setIdentity(config.identity()).build());
        return new LeaseService(config, stubs, client, deployments, meters, clock, listener);
    }

    private LeaseService(HaConfig config, WorkflowServiceStubs stubs, WorkflowClient client, List<String> deployments,
                         MeterRegistry meters, Clock clock, LeaseListener listener) {
        this.config = config;
        this.stubs = stubs;
        this.workers = WorkerFactory.newInstance(client);
        workers.newWorker(TemporalLeaseStore.TASK_QUEUE, WorkerOptions.newBuilder()
                        .setStickyQueueScheduleToStartTimeout(STICKY_TIMEOUT).build())
                .registerWorkflowImplementationTypes(LeaseWorkflowImpl.class, MembersWorkflowImpl.class);
        LeaseSettings settings = LeaseSettings.of(config.identity(), config.leaseTtl(), config.renewInterval());
        // Half a renew interval: a task lost with a killed replica delays renewals by less than their slack. At least
        // the sticky timeout: shorter would time out tasks that are merely slow.
        Duration half = config.renewInterval().dividedBy(2);
        LeaseStore store = new TemporalLeaseStore(client, half.compareTo(STICKY_TIMEOUT) < 0 ? STICKY_TIMEOUT : half);
        this.renewals = Executors.newFixedThreadPool(Math.max(1, Math.min(deployments.size(), MAX_RENEWAL_THREADS)),
                r -> {
                    Thread t = new Thread(r, "wci-lease-renew");
                    t.setDaemon(true);
                    return t;
                });
        this.keeper = new LeaseKeeper(settings, deployments, store, clock, metered(meters, listener), renewals);
        Gauge.builder("wci.leases.held", keeper, k -> k.held().size())
                .description("Deployments whose lease this replica holds (it invokes only for these)")
                .register(meters);
        Gauge.builder("wci.ha.replicas", keeper, LeaseKeeper::replicas)
                .description("Live replicas as of the last membership heartbeat").register(meters);
        this.rounds = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wci-leases");
            t.setDaemon(true);
            return t;
        });
        rounds.scheduleAtFixedRate(this::round, 0, config.renewInterval().toMillis(), TimeUnit.MILLISECONDS);
        log.info("HA on: replica {} shares {} deployment(s) through leases in Temporal (TTL {} ms, renewed every {} ms)",
                config.identity(), deployments.size(), config.leaseTtl().toMillis(), config.renewInterval().toMillis());
    }

    private LeaseListener metered(MeterRegistry meters, LeaseListener next) {
        Counter acquisitions = Counter.builder("wci.lease.acquisitions")
                .description("Leases this replica acquired (takeovers included)").register(meters);
        Counter takeovers = Counter.builder("wci.lease.takeovers")
                .description("Leases this replica took over from a replica whose lease lapsed").register(meters);
        Counter releases = Counter.builder("wci.lease.releases")
                .description("Leases this replica gave up on purpose (spread, stop)").register(meters);
        Counter lapsed = lost(meters, LeaseListener.LostReason.LAPSED);
        Counter taken = lost(meters, LeaseListener.LostReason.TAKEN);
        return new LeaseListener() {
            @Override
            public void acquired(String deployment, String previousOwner) {
                acquisitions.increment();
                if (previousOwner != null) {
                    takeovers.increment();
                    log.info("replica {}: lease of deployment {} taken over from {} (its lease lapsed)", config.identity(),
                            deployment, previousOwner);
                } else {
                    log.info("replica {}: lease of deployment {} acquired", config.identity(), deployment);
                }
                next.acquired(deployment, previousOwner);
            }

            @Override
            public void released(String deployment) {
                releases.increment();
                log.info("replica {}: lease of deployment {} released", config.identity(), deployment);
                next.released(deployment);
            }

            @Override
            public void lost(String deployment, LostReason reason) {
                (reason == LostReason.LAPSED ? lapsed : taken).increment();
                log.warn("replica {}: lease of deployment {} lost ({}): no more invokes for it from this replica",
                        config.identity(), deployment, reason == LostReason.LAPSED
                                ? "no renewal confirmed within the TTL" : "another replica holds it");
                next.lost(deployment, reason);
            }
        };
    }

    private static Counter lost(MeterRegistry meters, LeaseListener.LostReason reason) {
        return Counter.builder("wci.leases.lost")
                .description("Leases this replica lost without releasing them (lapsed: not renewed in time; taken)")
                .tag("reason", reason.name().toLowerCase(Locale.ROOT)).register(meters);
    }

    private void round() {
        if (stopped) {
            return;
        }
        if (!workersStarted) {
            // Started here, not in the constructor: a slow or unreachable Temporal at start (a replica restarting on a
            // busy host) must not stop the service; the others' workers answer the leases meanwhile.
            try {
                workers.start();
                workersStarted = true;
            } catch (RuntimeException e) {
                log.warn("replica {}: lease worker not started yet, retrying next round: {}", config.identity(),
                        e.toString());
            }
        }
        try {
            keeper.round();
        } catch (RuntimeException e) {
            // A thrown round would stop the schedule; the leases fence themselves meanwhile.
            log.warn("lease round failed: {}", e.toString(), e);
        }
    }

    /** Whether this replica may invoke for {@code deployment} now. */
    public boolean holds(String deployment) {
        return !stopped && keeper.holds(deployment);
    }

    /** This replica's last lease changes (see {@link LeaseKeeper#history()}). */
    public List<LeaseEvent> history() {
        return keeper.history();
    }

    public String identity() {
        return config.identity();
    }

    public Status status() {
        List<LeaseView> leases = keeper.status().stream().map(LeaseService::view).toList();
        List<MemberView> members = keeper.members().stream().map(m -> new MemberView(m.identity(), m.held())).toList();
        String role = leases.stream().anyMatch(LeaseView::held) ? "active" : "standby";
        List<LeaseEvent> history = keeper.history();
        return new Status(config.identity(), role, config.leaseTtl(), config.renewInterval(), keeper.replicas(),
                members, keeper.membershipError(), leases,
                history.subList(Math.max(0, history.size() - RECENT), history.size()));
    }

    private static LeaseView view(LeaseStatus s) {
        return new LeaseView(s.deployment(), s.owner().orElse(null), s.since().orElse(null), s.held(),
                s.validUntil().orElse(null), s.lastError());
    }

    /**
     * Stops as a killed process would: no release, no goodbye; other replicas take the leases over once their TTL
     * passes. For failover tests and drills.
     */
    public void abandon() {
        stopped = true;
        rounds.shutdownNow();
        renewals.shutdownNow();
        stubs.shutdownNow();
        if (workersStarted) {
            workers.shutdownNow();
        }
    }

    /** Graceful stop: every lease is released (fenced first) so other replicas take over at once. */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        rounds.shutdownNow();
        try {
            rounds.awaitTermination(config.leaseTtl().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopped = true;
        renewals.shutdownNow();
        keeper.releaseAll();
        if (workersStarted) {
            workers.shutdown();
            try {
                workers.awaitTermination(2, TimeUnit.SECONDS);
            } catch (RuntimeException e) {
                // shutting down anyway
            }
        }
        stubs.shutdownNow();
    }
}
