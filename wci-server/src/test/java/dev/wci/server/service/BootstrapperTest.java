package dev.wci.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.invoke.InvokeExecutor;
import dev.wci.core.invoke.InvokeObserver;
import dev.wci.core.registry.ConfiguredDeployment;
import dev.wci.core.registry.ConfiguredVersion;
import dev.wci.core.registry.DeploymentObservation;
import dev.wci.core.registry.DrainageStatus;
import dev.wci.core.registry.ManagementState;
import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.registry.Routing;
import dev.wci.core.registry.VersionObservation;
import dev.wci.core.registry.VersionRegistry;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import dev.wci.core.version.ScalingGroupId;
import dev.wci.core.version.TaskQueueType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BootstrapperTest {

    private static final DeploymentVersion V1 = new DeploymentVersion("orders", "v1");
    private static final ComputeTarget TARGET = FakeComputeProvider.target("fn:orders:1");

    private final TestClock clock = new TestClock();
    private final FakeComputeProvider provider = new FakeComputeProvider(clock);
    private final ScalingPolicy policy = ScalingPolicy.defaults();
    private final DecisionAudit audit = new DecisionAudit(100);
    private final ReactiveScaler scaler = Fixtures.scaler(policy, clock, audit);
    private final InvokeExecutor executor = new InvokeExecutor(Map.of(FakeComputeProvider.TYPE, provider), scaler,
            InvokeObserver.NONE, clock, 4);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final TargetRegistrations targets = new TargetRegistrations(scaler, Map.of(FakeComputeProvider.TYPE, provider),
            clock, Duration.ofMinutes(5), meters);
    private final Bootstrapper bootstrapper = new Bootstrapper(scaler, executor, clock, meters);
    private final VersionRegistry registry = new VersionRegistry(List.of(new ConfiguredDeployment("orders", false,
            List.of(new ConfiguredVersion("v1", TARGET)))));

    @Test
    void invokesOneWorkerThenRetriesAfterABackoffThatDoublesUpToTenMinutes() {
        observe(versionWithQueues(false));
        assertEquals(ManagementState.MANAGED, registry.snapshot().version(V1).orElseThrow().state());
        registerValidTarget();

        bootstrapper.check(registry.snapshot(), targets::isRegistered);

        InvocationRequest first = single(provider.invocations());
        assertEquals(ScalingGroupId.defaultFor(V1), first.group());
        assertEquals(1, first.count());
        assertEquals("BOOTSTRAP", first.reason());
        Bootstrapper.BootstrapState s = single(bootstrapper.status());
        assertEquals(1, s.attempts());
        assertEquals(clock.instant(), s.lastAttemptAt());
        assertEquals(clock.instant().plusSeconds(30), s.nextAttemptAt());
        assertTrue(s.lastOutcome().startsWith("invoked"), s.lastOutcome());
        assertEquals(1.0, bootstraps());

        List<Long> waits = new ArrayList<>();
        for (int attempt = 2; attempt <= 8; attempt++) {
            Bootstrapper.BootstrapState before = single(bootstrapper.status());
            long wait = Duration.between(before.lastAttemptAt(), before.nextAttemptAt()).toSeconds();
            waits.add(wait);
            clock.advance(Duration.ofSeconds(wait - 1));
            bootstrapper.check(registry.snapshot(), targets::isRegistered);
            assertEquals(attempt - 1, provider.invocations().size(), "not before the backoff has passed");
            clock.advance(Duration.ofSeconds(1));
            bootstrapper.check(registry.snapshot(), targets::isRegistered);
            assertEquals(attempt, provider.invocations().size(), "attempt " + attempt + " once the backoff passed");
            assertEquals(attempt, single(bootstrapper.status()).attempts());
        }
        assertEquals(List.of(30L, 60L, 120L, 240L, 480L, 600L, 600L), waits);
        assertEquals(8.0, bootstraps());
    }

    @Test
    void stopsOnceTheTaskQueuesAppear() {
        observe(versionWithQueues(false));
        registerValidTarget();
        bootstrapper.check(registry.snapshot(), targets::isRegistered);
        assertEquals(1, provider.invocations().size());

        clock.advance(Duration.ofSeconds(5));
        observe(versionWithQueues(true));
        clock.advance(Duration.ofMinutes(30));
        bootstrapper.check(registry.snapshot(), targets::isRegistered);

        assertEquals(1, provider.invocations().size());
        assertTrue(bootstrapper.status().isEmpty(), "a version with queues has no bootstrap state");
    }

    @Test
    void neverBootstrapsAServerManagedVersion() {
        observe(new VersionObservation("v1", DrainageStatus.NONE, List.of(), true, Optional.empty(), Optional.empty()));
        assertEquals(ManagementState.SERVER_MANAGED, registry.snapshot().version(V1).orElseThrow().state());
        registerGroupDirectly(); // even a group the scaler knows must not be invoked

        bootstrapper.check(registry.snapshot(), v -> true);

        assertTrue(provider.invocations().isEmpty());
        assertTrue(bootstrapper.status().isEmpty());
    }

    @Test
    void waitsForTheFirstSyncThenBootstrapsAVersionTemporalDoesNotKnow() {
        registerGroupDirectly();
        assertEquals(ManagementState.NOT_IN_TEMPORAL, registry.snapshot().version(V1).orElseThrow().state());

        bootstrapper.check(registry.snapshot(), v -> true);
        assertTrue(provider.invocations().isEmpty(), "Temporal not read yet: its queues may well exist");

        registry.update(DeploymentObservation.absent("orders", clock.instant()));
        assertEquals(ManagementState.NOT_IN_TEMPORAL, registry.snapshot().version(V1).orElseThrow().state());
        bootstrapper.check(registry.snapshot(), v -> true);

        assertEquals(1, provider.invocations().size());
    }

    @Test
    void ignoresAVersionWhoseTargetHasNotValidated() {
        observe(versionWithQueues(false));
        provider.answerInvalid(FailureClass.NOT_FOUND, "no such function version");
        targets.sync(List.of(managed())).join();

        bootstrapper.check(registry.snapshot(), targets::isRegistered);

        assertTrue(provider.invocations().isEmpty());
        assertTrue(bootstrapper.status().isEmpty());
        assertEquals(0.0, bootstraps());
    }

    @Test
    void ignoresAnUnmappedVersion() {
        DeploymentVersion unmapped = new DeploymentVersion("orders", "v9");
        registry.update(new DeploymentObservation("orders", true, Routing.NONE,
                List.of(VersionObservation.of("v1", DrainageStatus.NONE, queues()),
                        VersionObservation.of("v9", DrainageStatus.NONE, List.of())), clock.instant()));
        assertEquals(ManagementState.UNMAPPED, registry.snapshot().version(unmapped).orElseThrow().state());

        bootstrapper.check(registry.snapshot(), v -> true);

        assertTrue(provider.invocations().isEmpty());
        assertTrue(bootstrapper.status().isEmpty());
    }

    @Test
    void limitThatRefusesIsRetriedLaterWithoutCountingAnAttempt() {
        observe(versionWithQueues(false));
        registerValidTarget();
        scaler.onValidation(ScalingGroupId.defaultFor(V1), new TargetValidation.Invalid(
                ComputeFailure.of(FailureClass.ACCESS_DENIED, "denied"), clock.instant()));

        bootstrapper.check(registry.snapshot(), targets::isRegistered);

        assertTrue(provider.invocations().isEmpty());
        Bootstrapper.BootstrapState s = single(bootstrapper.status());
        assertEquals(0, s.attempts());
        assertTrue(s.lastOutcome().startsWith("waiting"), s.lastOutcome());
        assertEquals(clock.instant().plusSeconds(30), s.nextAttemptAt());
        assertEquals(0.0, bootstraps());

        scaler.onValidation(ScalingGroupId.defaultFor(V1), new TargetValidation.Valid(
                TargetFacts.ofTimeout(FakeComputeProvider.TIMEOUT), List.of(), clock.instant()));
        clock.advance(Duration.ofSeconds(30));
        bootstrapper.check(registry.snapshot(), targets::isRegistered);
        assertEquals(1, provider.invocations().size());
        assertEquals(1, single(bootstrapper.status()).attempts());
    }

    // --- helpers ------------------------------------------------------------------------------------------

    private ManagedVersion managed() {
        return new ManagedVersion(V1, TARGET, EnumSet.allOf(TaskQueueType.class), policy);
    }

    private void registerValidTarget() {
        targets.sync(List.of(managed())).join();
        assertTrue(targets.isRegistered(V1));
    }

    private void registerGroupDirectly() {
        scaler.register(ScalingGroup.allTypes(V1, TARGET), TargetFacts.ofTimeout(FakeComputeProvider.TIMEOUT), policy);
    }

    private static List<RegisteredTaskQueue> queues() {
        return List.of(new RegisteredTaskQueue("orders-q", TaskQueueType.WORKFLOW),
                new RegisteredTaskQueue("orders-q", TaskQueueType.ACTIVITY));
    }

    private static VersionObservation versionWithQueues(boolean withQueues) {
        return VersionObservation.of("v1", DrainageStatus.NONE, withQueues ? queues() : List.of());
    }

    private void observe(VersionObservation v) {
        Instant now = clock.instant();
        registry.update(new DeploymentObservation("orders", true, Routing.NONE, List.of(v), now));
    }

    private static <T> T single(List<T> list) {
        assertEquals(1, list.size(), list.toString());
        return list.get(0);
    }

    private double bootstraps() {
        return meters.find("wci.bootstrap.invocations").counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
