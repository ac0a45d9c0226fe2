package dev.wci.server.service;

import dev.wci.core.invoke.InvokeExecutor;
import dev.wci.core.registry.DeploymentEntry;
import dev.wci.core.registry.ManagementState;
import dev.wci.core.registry.RegistrySnapshot;
import dev.wci.core.registry.VersionEntry;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroupId;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invokes one worker for each mapped version whose task queues Temporal does not list yet (no worker of it has
 * polled: a new version, or one Temporal does not know at all), because no signal can arrive for queues that
 * do not exist. Retried with backoff (30 s doubling to 10 min) until the queues appear; each attempt is logged,
 * counted and shown in /status. Thread-safe.
 */
public final class Bootstrapper {

    /** Bootstrap progress of one version. */
    public record BootstrapState(DeploymentVersion version, int attempts, Instant lastAttemptAt, Instant nextAttemptAt,
                                 String lastOutcome) {
    }

    static final Duration FIRST_RETRY = Duration.ofSeconds(30);
    static final Duration MAX_RETRY = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(Bootstrapper.class);

    private final ReactiveScaler scaler;
    private final InvokeExecutor executor;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Map<DeploymentVersion, BootstrapState> states = new HashMap<>();

    public Bootstrapper(ReactiveScaler scaler, InvokeExecutor executor, Clock clock, MeterRegistry meters) {
        this.scaler = scaler;
        this.executor = executor;
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * Whether a version needs a bootstrap worker: mapped to a target, Temporal read at least once, and no task
     * queue of it registered (Temporal may not know the version at all yet).
     */
    static boolean needsBootstrap(DeploymentEntry deployment, VersionEntry v) {
        boolean synced = deployment.syncedAt().isPresent();
        return synced && v.target().isPresent() && v.temporal().taskQueues().isEmpty()
                && (v.state() == ManagementState.MANAGED || v.state() == ManagementState.NOT_IN_TEMPORAL);
    }

    /**
     * Invokes bootstrap workers that are due.
     *
     * @param registered whether a version's group is registered in the scaler (its target validated)
     */
    public void check(RegistrySnapshot snapshot, Predicate<DeploymentVersion> registered) {
        Instant now = clock.instant();
        Set<DeploymentVersion> needing = new HashSet<>();
        for (DeploymentEntry d : snapshot.deployments().values()) {
            for (VersionEntry v : d.versions().values()) {
                if (needsBootstrap(d, v)) {
                    needing.add(v.version());
                }
            }
        }
        synchronized (this) {
            for (var it = states.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!needing.contains(e.getKey())) {
                    log.info("version {}: task queues registered after {} bootstrap invocation(s)", e.getKey(),
                            e.getValue().attempts());
                    it.remove();
                }
            }
        }
        for (DeploymentVersion v : needing) {
            if (!registered.test(v)) {
                continue; // its target has not validated: nothing may be invoked
            }
            BootstrapState s;
            synchronized (this) {
                s = states.get(v);
                if (s != null && now.isBefore(s.nextAttemptAt())) {
                    continue;
                }
            }
            Optional<ScaleDecision> d = scaler.bootstrap(ScalingGroupId.defaultFor(v));
            int attempts = s == null ? 0 : s.attempts();
            String outcome;
            if (d.isPresent()) {
                attempts++;
                outcome = "invoked one worker to register the version's task queues";
                meters.counter("wci.bootstrap.invocations", "deployment", v.deploymentName(), "build_id", v.buildId())
                        .increment();
                log.info("version {}: no task queue registered in Temporal yet; invoking one worker (attempt {})", v,
                        attempts);
                executor.execute(d.get());
            } else {
                outcome = "waiting: a worker is already starting, or a limit holds (see recent decisions)";
            }
            Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(Math.max(attempts - 1, 0), 10));
            if (wait.compareTo(MAX_RETRY) > 0) {
                wait = MAX_RETRY;
            }
            synchronized (this) {
                states.put(v, new BootstrapState(v, attempts, now, now.plus(wait), outcome));
            }
        }
    }

    public synchronized List<BootstrapState> status() {
        return List.copyOf(states.values());
    }
}
