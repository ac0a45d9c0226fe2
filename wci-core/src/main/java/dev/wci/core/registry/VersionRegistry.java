package dev.wci.core.registry;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.RoutingState;
import dev.wci.core.version.TaskQueueType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The managed deployments and their versions: which target each version runs on, where Temporal routes work,
 * and whether WCI scales it. Built from the configuration and kept current by observations of Temporal
 * ({@link #update}) and task queue listings ({@link #updateTaskQueues}).
 *
 * <p>Thread-safe. Readers get an immutable {@link RegistrySnapshot}; updates are serialized and replace the
 * snapshot as a whole, then tell the {@link RegistryListener}s what changed.
 *
 * <p>How a version's state is decided, in order:
 * <ol>
 *   <li>{@code compute_config} set in Temporal: {@link ManagementState#SERVER_MANAGED}, whatever the mapping;</li>
 *   <li>not known to Temporal (or not synced yet): {@link ManagementState#NOT_IN_TEMPORAL};</li>
 *   <li>no target (not in the file; for {@code targetsFromMetadata} deployments, no usable metadata target):
 *       {@link ManagementState#UNMAPPED};</li>
 *   <li>otherwise {@link ManagementState#MANAGED}, whatever its routing: Draining and Inactive versions still get
 *       pinned tasks (and pinned-override workflows).</li>
 * </ol>
 * The file's target always wins over a metadata target; a different metadata target is reported as a
 * {@link Conflict}. A metadata target already used by another version (file or metadata, any deployment) is
 * refused: one Lambda version never serves two Temporal versions.
 */
public final class VersionRegistry implements VersionLookup {

    // Rounding guard: 0.1 added ten times is 0.9999999999999999, which must count as one whole task.
    private static final double EPSILON = 1e-9;

    private final List<ConfiguredDeployment> configured;
    private final Map<String, ConfiguredDeployment> byName = new LinkedHashMap<>();
    private final Map<String, RampCarry> carries = new HashMap<>();
    private final List<RegistryListener> listeners = new CopyOnWriteArrayList<>();

    private final Object updateLock = new Object();
    // Raw inputs, guarded by updateLock; the snapshot is rebuilt from them.
    private final Map<String, DeploymentObservation> observations = new HashMap<>();
    private final Map<DeploymentVersion, QueueListing> listings = new HashMap<>();
    private volatile RegistrySnapshot snapshot;

    private record QueueListing(List<RegisteredTaskQueue> queues, Instant at) {
    }

    /** The fractional ramp share carried between calls of {@link #attributeUnpinned}. */
    private static final class RampCarry {
        Routing routing = Routing.NONE;
        double carry;
    }

    public VersionRegistry(List<ConfiguredDeployment> deployments) {
        this.configured = List.copyOf(deployments);
        for (ConfiguredDeployment d : configured) {
            if (byName.put(d.name(), d) != null) {
                throw new IllegalArgumentException("deployment '" + d.name() + "' is configured twice");
            }
            carries.put(d.name(), new RampCarry());
        }
        this.snapshot = build();
    }

    public RegistrySnapshot snapshot() {
        return snapshot;
    }

    /** The configured deployment names, in configuration order. */
    public List<String> deploymentNames() {
        return List.copyOf(byName.keySet());
    }

    public ConfiguredDeployment configured(String deploymentName) {
        ConfiguredDeployment d = byName.get(deploymentName);
        if (d == null) {
            throw new IllegalArgumentException("deployment '" + deploymentName + "' is not managed");
        }
        return d;
    }

    public Optional<VersionEntry> version(DeploymentVersion version) {
        return snapshot.version(version);
    }

    public void addListener(RegistryListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(RegistryListener listener) {
        listeners.remove(listener);
    }

    /**
     * Replaces what is known about a deployment with a fresh observation, and reports the changes. An
     * observation older than the one held is ignored.
     *
     * @return the changes reported to listeners, in order
     * @throws IllegalArgumentException if the deployment is not configured
     * @throws RuntimeException         the first exception a listener threw (after the update and every listener)
     */
    public List<RegistryChange> update(DeploymentObservation observation) {
        configured(observation.deploymentName());
        synchronized (updateLock) {
            DeploymentObservation held = observations.get(observation.deploymentName());
            if (held != null && held.observedAt().isAfter(observation.observedAt())) {
                return List.of();
            }
            observations.put(observation.deploymentName(), observation);
            // Listings older than the observation are superseded by it.
            listings.entrySet().removeIf(e -> e.getKey().deploymentName().equals(observation.deploymentName())
                    && !e.getValue().at().isAfter(observation.observedAt()));
            return publish(build());
        }
    }

    /**
     * Records the task queues Temporal lists for a version, as seen by a later describe than the last sync (the
     * stats source sees them on every poll). A version with no queue needs a bootstrap invocation
     * ({@link VersionEntry#needsBootstrap()}). Ignored for versions the registry does not hold.
     */
    public void updateTaskQueues(DeploymentVersion version, List<RegisteredTaskQueue> queues, Instant observedAt) {
        Objects.requireNonNull(observedAt, "observedAt");
        List<RegisteredTaskQueue> sorted = queues.stream().distinct().sorted().toList();
        synchronized (updateLock) {
            Optional<VersionEntry> entry = snapshot.version(version);
            if (entry.isEmpty() || !entry.get().temporal().exists()) {
                return;
            }
            QueueListing held = listings.get(version);
            if (held != null && held.at().isAfter(observedAt)) {
                return;
            }
            listings.put(version, new QueueListing(sorted, observedAt));
            if (!entry.get().temporal().taskQueues().equals(sorted)) {
                publish(build());
            }
        }
    }

    @Override
    public boolean isManaged(DeploymentVersion version) {
        return snapshot.version(version).map(VersionEntry::isManaged).orElse(false);
    }

    /**
     * Splits {@code count} unpinned tasks between the deployment's Current version and its ramp.
     *
     * <p>Rounding: the ramp gets {@code floor(count × percentage / 100 + carry)} and Current the rest, so the parts
     * always add up to {@code count}: no task is lost or counted twice. The fraction left over is carried to the
     * next call for the same deployment (reset when the routing changes), so a stream of single tasks at a
     * 10 % ramp sends every tenth one to the ramp instead of none. A share whose receiver is not managed (or is
     * unversioned workers) is left out of the result.
     */
    @Override
    public Map<DeploymentVersion, Long> attributeUnpinned(String deploymentName, long count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + count);
        }
        RegistrySnapshot s = snapshot;
        DeploymentEntry d = s.deployments().get(deploymentName);
        if (d == null || count == 0) {
            return Map.of();
        }
        Routing routing = d.routing();
        long toRamp;
        RampCarry carry = carries.get(deploymentName);
        synchronized (carry) {
            if (!carry.routing.equals(routing)) {
                carry.routing = routing;
                carry.carry = 0;
            }
            double exact = count * (routing.rampingPercentage() / 100.0) + carry.carry;
            toRamp = Math.min(count, (long) Math.floor(exact + EPSILON));
            carry.carry = Math.max(0, exact - toRamp);
        }
        long toCurrent = count - toRamp;
        Map<DeploymentVersion, Long> out = new LinkedHashMap<>();
        routing.current().filter(v -> toCurrent > 0 && isManaged(s, v)).ifPresent(v -> out.put(v, toCurrent));
        long ramp = toRamp;
        routing.ramping().filter(v -> ramp > 0 && isManaged(s, v)).ifPresent(v -> out.put(v, ramp));
        return Map.copyOf(out);
    }

    private static boolean isManaged(RegistrySnapshot s, DeploymentVersion v) {
        return s.version(v).map(VersionEntry::isManaged).orElse(false);
    }

    // --- building -----------------------------------------------------------------------------------------

    private RegistrySnapshot build() {
        // Every file target is taken up front, so a metadata target can never steal one.
        Map<String, DeploymentVersion> usedTargets = new HashMap<>();
        for (ConfiguredDeployment d : configured) {
            for (ConfiguredVersion v : d.versions()) {
                usedTargets.putIfAbsent(targetKey(v.target()), new DeploymentVersion(d.name(), v.buildId()));
            }
        }
        Map<String, DeploymentEntry> deployments = new LinkedHashMap<>();
        for (ConfiguredDeployment d : configured) {
            deployments.put(d.name(), buildDeployment(d, observations.get(d.name()), usedTargets));
        }
        return new RegistrySnapshot(deployments);
    }

    private DeploymentEntry buildDeployment(ConfiguredDeployment d, DeploymentObservation obs,
                                            Map<String, DeploymentVersion> usedTargets) {
        Map<String, ConfiguredVersion> yaml = new HashMap<>();
        d.versions().forEach(v -> yaml.put(v.buildId(), v));
        Map<String, VersionObservation> seen = new HashMap<>();
        if (obs != null) {
            obs.versions().forEach(v -> seen.put(v.buildId(), v));
        }
        TreeSet<String> buildIds = new TreeSet<>(yaml.keySet());
        buildIds.addAll(seen.keySet());
        Routing routing = obs == null ? Routing.NONE : obs.routing();
        Map<String, VersionEntry> versions = new LinkedHashMap<>();
        for (String buildId : buildIds) {
            versions.put(buildId, buildVersion(d, new DeploymentVersion(d.name(), buildId), yaml.get(buildId),
                    obs, seen.get(buildId), routing, usedTargets));
        }
        return new DeploymentEntry(d.name(), d.targetsFromMetadata(), obs != null && obs.exists(), routing, versions,
                obs == null ? Optional.empty() : Optional.of(obs.observedAt()));
    }

    private VersionEntry buildVersion(ConfiguredDeployment d, DeploymentVersion version, ConfiguredVersion yaml,
                                      DeploymentObservation deploymentObs, VersionObservation obs, Routing routing,
                                      Map<String, DeploymentVersion> usedTargets) {
        TemporalFacts facts = facts(version, deploymentObs, obs);
        List<Conflict> conflicts = new ArrayList<>();
        Optional<ComputeTarget> target = Optional.empty();
        Optional<TargetSource> source = Optional.empty();
        java.util.Set<TaskQueueType> types = EnumSet.allOf(TaskQueueType.class);
        Optional<ComputeTarget> metadata = d.targetsFromMetadata() && obs != null
                ? obs.metadataTarget() : Optional.empty();
        if (yaml != null) {
            target = Optional.of(yaml.target());
            source = Optional.of(TargetSource.YAML);
            types = yaml.taskQueueTypes();
            metadata.filter(m -> !targetKey(m).equals(targetKey(yaml.target()))).ifPresent(m ->
                    conflicts.add(new Conflict(version, Conflict.Kind.METADATA_TARGET_DIFFERS,
                            "metadata names target " + m.address() + " but the configuration file maps "
                                    + yaml.target().address() + ": the file wins")));
        } else if (metadata.isPresent()) {
            ComputeTarget m = metadata.get();
            DeploymentVersion owner = usedTargets.putIfAbsent(targetKey(m), version);
            if (owner != null && !owner.equals(version)) {
                conflicts.add(new Conflict(version, Conflict.Kind.DUPLICATE_TARGET,
                        "metadata names target " + m.address() + ", which version " + owner
                                + " already uses: ignored, one function version serves one Temporal version"));
            } else {
                target = metadata;
                source = Optional.of(TargetSource.METADATA);
            }
        }
        if (d.targetsFromMetadata() && obs != null) {
            obs.metadataProblem().ifPresent(p -> conflicts.add(
                    new Conflict(version, Conflict.Kind.METADATA_TARGET_INVALID, p)));
        }
        ManagementState state;
        if (obs != null && obs.computeConfigSet()) {
            state = ManagementState.SERVER_MANAGED;
            if (target.isPresent()) {
                conflicts.add(new Conflict(version, Conflict.Kind.SERVER_MANAGED,
                        "mapped to " + target.get().address() + ", but Temporal's own worker controller manages "
                                + "this version (compute_config is set): WCI does not invoke it"));
            }
        } else if (obs == null) {
            state = ManagementState.NOT_IN_TEMPORAL;
        } else if (target.isEmpty()) {
            state = ManagementState.UNMAPPED;
        } else {
            state = ManagementState.MANAGED;
        }
        return new VersionEntry(version, routingState(version, routing, facts), state, target, source, types, facts,
                conflicts);
    }

    private TemporalFacts facts(DeploymentVersion version, DeploymentObservation deploymentObs,
                                VersionObservation obs) {
        if (deploymentObs == null) {
            return TemporalFacts.UNKNOWN;
        }
        if (obs == null) {
            return new TemporalFacts(false, DrainageStatus.NONE, List.of(), false,
                    Optional.of(deploymentObs.observedAt()));
        }
        TemporalFacts facts = new TemporalFacts(true, obs.drainage(), obs.taskQueues(), obs.computeConfigSet(),
                Optional.of(deploymentObs.observedAt()));
        QueueListing listing = listings.get(version);
        if (listing != null && listing.at().isAfter(deploymentObs.observedAt())) {
            facts = facts.withTaskQueues(listing.queues(), listing.at());
        }
        return facts;
    }

    private static RoutingState routingState(DeploymentVersion version, Routing routing, TemporalFacts facts) {
        if (routing.current().filter(version::equals).isPresent()) {
            return RoutingState.CURRENT;
        }
        if (routing.ramping().filter(version::equals).isPresent()) {
            return new RoutingState.Ramping(routing.rampingPercentage());
        }
        return facts.drainage() == DrainageStatus.DRAINING ? RoutingState.DRAINING : RoutingState.INACTIVE;
    }

    private static String targetKey(ComputeTarget t) {
        return t.provider() + "\u0000" + t.address();
    }

    // --- publishing ---------------------------------------------------------------------------------------

    private List<RegistryChange> publish(RegistrySnapshot next) {
        RegistrySnapshot previous = snapshot;
        snapshot = next;
        List<RegistryChange> changes = diff(previous, next);
        RuntimeException failure = null;
        for (RegistryChange change : changes) {
            for (RegistryListener l : listeners) {
                try {
                    l.changed(change);
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else if (e != failure) {
                        failure.addSuppressed(e);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return changes;
    }

    private static List<RegistryChange> diff(RegistrySnapshot before, RegistrySnapshot after) {
        List<RegistryChange> out = new ArrayList<>();
        for (DeploymentEntry d : after.deployments().values()) {
            DeploymentEntry old = before.deployments().get(d.name());
            Routing oldRouting = old == null ? Routing.NONE : old.routing();
            if (!oldRouting.equals(d.routing())) {
                out.add(new RegistryChange.RoutingChanged(d.name(), oldRouting, d.routing()));
            }
            TreeSet<String> buildIds = new TreeSet<>(d.versions().keySet());
            if (old != null) {
                buildIds.addAll(old.versions().keySet());
            }
            for (String buildId : buildIds) {
                VersionEntry was = old == null ? null : old.versions().get(buildId);
                VersionEntry is = d.versions().get(buildId);
                boolean wasManaged = was != null && was.isManaged();
                boolean isManaged = is != null && is.isManaged();
                if (is != null && is.state() == ManagementState.SERVER_MANAGED
                        && (was == null || was.state() != ManagementState.SERVER_MANAGED)) {
                    out.add(new RegistryChange.VersionServerManaged(Optional.ofNullable(was), is));
                } else if (!wasManaged && isManaged) {
                    out.add(new RegistryChange.VersionManaged(is));
                } else if (wasManaged && !isManaged) {
                    out.add(new RegistryChange.VersionUnmanaged(was, Optional.ofNullable(is)));
                } else if (wasManaged && (!was.target().equals(is.target())
                        || !was.taskQueueTypes().equals(is.taskQueueTypes()))) {
                    out.add(new RegistryChange.TargetChanged(was, is));
                }
            }
        }
        return out;
    }
}
