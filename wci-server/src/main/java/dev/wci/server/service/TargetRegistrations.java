package dev.wci.server.service;

import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroupId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the scaler's groups in line with the versions WCI manages: a version's group is registered once its
 * target validates (validation reads the function timeout, which bounds worker lifetime), re-validated
 * periodically off the invoke path, and unregistered when the version stops being managed. A valid result
 * closes an open circuit; an invalid one opens it. Thread-safe.
 */
public final class TargetRegistrations {

    /** What is known about one managed version's target, for /status. */
    public record TargetState(ManagedVersion managed, Optional<TargetValidation> validation, boolean registered,
                              Instant checkedAt, Instant circuitOpenSeenAt) {

        TargetState withCircuitOpenSeenAt(Instant at) {
            return new TargetState(managed, validation, registered, checkedAt, at);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(TargetRegistrations.class);

    private final ReactiveScaler scaler;
    private final Map<String, ComputeProvider> providers;
    private final Clock clock;
    private final Duration revalidateEvery;
    private final MultiGauge validGauge;
    private final MultiGauge mutableGauge;
    private final Map<DeploymentVersion, TargetState> states = new HashMap<>();
    private final Set<DeploymentVersion> warnedMutable = new HashSet<>();

    /**
     * @param revalidateEvery how often a registered target is validated again (the provider caches and rate-limits
     *                        its control-plane calls)
     */
    public TargetRegistrations(ReactiveScaler scaler, Map<String, ComputeProvider> providers, Clock clock,
                               Duration revalidateEvery, MeterRegistry meters) {
        this.scaler = scaler;
        this.providers = Map.copyOf(providers);
        this.clock = clock;
        this.revalidateEvery = revalidateEvery;
        this.mutableGauge = MultiGauge.builder("wci.target.mutable")
                .description("1 for a version whose target is mutable (allowMutableTarget)").register(meters);
        this.validGauge = MultiGauge.builder("wci.target.valid")
                .description("1 when the version's target validated, 0 when invalid").register(meters);
    }

    /**
     * Brings the managed set to {@code desired}: new versions are validated (and registered when valid), gone
     * ones unregistered, changed targets re-validated. Returns when every validation started now has finished.
     */
    public CompletableFuture<Void> sync(Collection<ManagedVersion> desired) {
        List<CompletableFuture<?>> pending = new ArrayList<>();
        Map<DeploymentVersion, ManagedVersion> wanted = new HashMap<>();
        desired.forEach(m -> wanted.put(m.version(), m));
        synchronized (this) {
            boolean removed = false;
            for (var it = states.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                ManagedVersion now = wanted.get(e.getKey());
                if (now == null || !now.equals(e.getValue().managed())) {
                    if (e.getValue().registered()) {
                        scaler.unregister(ScalingGroupId.defaultFor(e.getKey()));
                    }
                    it.remove();
                    removed = true;
                    if (now == null) {
                        log.info("version {} is no longer managed", e.getKey());
                    }
                }
            }
            if (removed) {
                refreshGauges(); // a gone version's last value (say, invalid) must not stay exported
            }
            for (ManagedVersion m : wanted.values()) {
                if (!states.containsKey(m.version())) {
                    states.put(m.version(), new TargetState(m, Optional.empty(), false, clock.instant(), null));
                    pending.add(validate(m));
                }
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new));
    }

    /**
     * Validates every target whose last check is older than the re-validation interval, that is invalid, or whose
     * circuit an invoke failure opened ({@code circuitOpen}: e.g. the Lambda version was deleted). For the latter,
     * only a validation made after the circuit was seen open may close it: a cached pre-failure result must not.
     */
    public CompletableFuture<Void> revalidateDue(Set<DeploymentVersion> circuitOpen) {
        Instant now = clock.instant();
        List<ManagedVersion> due = new ArrayList<>();
        synchronized (this) {
            for (var e : states.entrySet()) {
                TargetState s = e.getValue();
                boolean open = circuitOpen.contains(e.getKey());
                if (open && s.circuitOpenSeenAt() == null) {
                    s = s.withCircuitOpenSeenAt(now);
                    e.setValue(s);
                } else if (!open && s.circuitOpenSeenAt() != null) {
                    s = s.withCircuitOpenSeenAt(null);
                    e.setValue(s);
                }
                boolean invalid = s.validation().map(v -> !v.isValid()).orElse(true);
                if (open || invalid || !s.checkedAt().plus(revalidateEvery).isAfter(now)) {
                    due.add(s.managed());
                }
            }
        }
        List<CompletableFuture<?>> pending = new ArrayList<>();
        due.forEach(m -> pending.add(validate(m)));
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new));
    }

    /** The current state of every managed version, in no particular order. */
    public synchronized List<TargetState> snapshot() {
        return List.copyOf(states.values());
    }

    /** Whether the version's group is registered in the scaler (its target validated once). */
    public synchronized boolean isRegistered(DeploymentVersion version) {
        TargetState s = states.get(version);
        return s != null && s.registered();
    }

    private CompletableFuture<Void> validate(ManagedVersion m) {
        ComputeProvider provider = providers.get(m.target().provider());
        if (provider == null) {
            log.error("version {}: no compute provider of type '{}'", m.version(), m.target().provider());
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<TargetValidation> check;
        try {
            check = provider.validate(m.target(), m.version()).toCompletableFuture();
        } catch (RuntimeException e) {
            check = CompletableFuture.failedFuture(e);
        }
        return check.handle((v, error) -> {
            if (error != null) {
                log.warn("version {}: validation of {} failed: {}", m.version(), m.target(), error.toString());
                return null;
            }
            apply(m, v);
            return null;
        });
    }

    private void apply(ManagedVersion m, TargetValidation v) {
        ScalingGroupId id = ScalingGroupId.defaultFor(m.version());
        synchronized (this) {
            TargetState before = states.get(m.version());
            if (before == null || !before.managed().equals(m)) {
                return; // no longer managed, or re-mapped meanwhile: a newer validation is on its way
            }
            boolean registered = before.registered();
            boolean wasValid = before.validation().map(TargetValidation::isValid).orElse(false);
            if (v instanceof TargetValidation.Valid && before.circuitOpenSeenAt() != null
                    && v.checkedAt().isBefore(before.circuitOpenSeenAt())) {
                return; // a cached result from before the invoke failure that opened the circuit
            }
            if (wasValid && v instanceof TargetValidation.Invalid transientFailure
                    && !transientFailure.failure().failureClass().opensCircuit()) {
                // The control plane was throttled or unreachable: that says nothing about the target, and its quotas
                // are low. Keep the last valid result (and keep invoking); the check is due again on the next pass,
                // at most once per the provider's cache time for a failed check.
                log.warn("version {}: re-validation of {} could not complete ({}); keeping the last valid result",
                        m.version(), m.target(), transientFailure.failure());
                return;
            }
            if (v instanceof TargetValidation.Valid valid) {
                if (!registered) {
                    scaler.register(m.group(), valid.facts(), m.policy());
                    registered = true;
                    log.info("version {}: target {} is valid (timeout {} s); managing it", m.version(), m.target(),
                            valid.facts().timeout().toSeconds());
                } else if (!wasValid) {
                    log.info("version {}: target {} is valid again", m.version(), m.target());
                }
                scaler.onValidation(id, v);
                if (valid.facts().mutable() && warnedMutable.add(m.version())) {
                    log.warn("version {}: target {} is MUTABLE (allowMutableTarget: true): redeploying the function "
                            + "changes the code of running pinned workflows; use a published version in production",
                            m.version(), m.target());
                }
                if (!wasValid) {
                    valid.warnings().forEach(w -> log.warn("version {}: {}", m.version(), w));
                }
            } else if (v instanceof TargetValidation.Invalid invalid) {
                if (registered) {
                    scaler.onValidation(id, v);
                }
                if (wasValid || before.validation().isEmpty()) {
                    log.error("version {}: target {} is invalid, not invoking it: {}", m.version(), m.target(),
                            invalid.failure());
                }
            }
            states.put(m.version(), new TargetState(m, Optional.of(v), registered, v.checkedAt(),
                    v.isValid() ? null : before.circuitOpenSeenAt()));
            refreshGauges();
        }
    }

    private void refreshGauges() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        List<MultiGauge.Row<?>> mutable = new ArrayList<>();
        for (TargetState s : states.values()) {
            Tags tags = Tags.of("deployment", s.managed().version().deploymentName(),
                    "build_id", s.managed().version().buildId());
            s.validation().ifPresent(v -> rows.add(MultiGauge.Row.of(tags, v.isValid() ? 1 : 0)));
            // What the last valid check found (an allowMutableTarget flag on a published version is not mutable);
            // before any valid check, the flag.
            boolean mutableTarget = s.validation().filter(TargetValidation.Valid.class::isInstance)
                    .map(v -> ((TargetValidation.Valid) v).facts().mutable())
                    .orElse(s.managed().target().mutableAllowed());
            if (mutableTarget) {
                mutable.add(MultiGauge.Row.of(tags, 1));
            }
        }
        validGauge.register(rows, true);
        mutableGauge.register(mutable, true);
    }
}
