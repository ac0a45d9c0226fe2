package dev.wci.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.invoke.InvokeExecutor;
import dev.wci.core.invoke.InvokeObserver;
import dev.wci.core.limits.LimitKind;
import dev.wci.core.limits.LimitTrim;
import dev.wci.core.scaling.DecisionReason;
import dev.wci.core.scaling.GroupStatus;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroupId;
import dev.wci.core.version.TaskQueueType;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TargetRegistrationsTest {

    private static final DeploymentVersion V1 = new DeploymentVersion("orders", "v1");
    private static final DeploymentVersion V2 = new DeploymentVersion("orders", "v2");
    private static final Duration REVALIDATE_EVERY = Duration.ofMinutes(5);

    private final TestClock clock = new TestClock();
    private final FakeComputeProvider provider = new FakeComputeProvider(clock);
    private final DecisionAudit audit = new DecisionAudit(100);
    private final ScalingPolicy policy = ScalingPolicy.defaults();
    private final ReactiveScaler scaler = Fixtures.scaler(policy, clock, audit);
    private final InvokeExecutor executor = new InvokeExecutor(Map.of(FakeComputeProvider.TYPE, provider), scaler,
            InvokeObserver.NONE, clock, 4);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final TargetRegistrations targets = new TargetRegistrations(scaler, Map.of(FakeComputeProvider.TYPE, provider),
            clock, REVALIDATE_EVERY, meters);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(TargetRegistrations.class);

    @BeforeEach
    void captureLogs() {
        logs.start();
        logger.addAppender(logs);
        logger.setLevel(Level.INFO);
    }

    @AfterEach
    void releaseLogs() {
        logger.detachAppender(logs);
        logger.setLevel(null);
    }

    @Test
    void validTargetRegistersTheVersionsGroupWithItsTaskQueueTypes() {
        ManagedVersion m = new ManagedVersion(V1, FakeComputeProvider.target("fn:v1:1"),
                EnumSet.of(TaskQueueType.ACTIVITY), policy);

        CompletableFuture<Void> done = targets.sync(List.of(m));

        assertTrue(done.isDone());
        assertTrue(targets.isRegistered(V1));
        assertEquals(1, provider.validations().size());
        assertEquals(V1, provider.validations().get(0).version());
        GroupStatus g = single(scaler.status());
        assertEquals(ScalingGroupId.defaultFor(V1), g.group());
        assertEquals(m.target(), g.target());
        TargetRegistrations.TargetState s = state(V1);
        assertInstanceOf(TargetValidation.Valid.class, s.validation().orElseThrow());
        assertTrue(s.registered());
        assertEquals(1.0, valid(V1));
        // The group serves only the types its workers poll: a workflow-queue signal is not its business.
        assertTrue(scaler.onSignal(backlog(V1, TaskQueueType.WORKFLOW, 10)).isEmpty());
        assertEquals(1, scaler.ignoredSignals());
    }

    @Test
    void invalidTargetIsNotRegisteredAndItsReasonIsKept() {
        provider.answerInvalid(FailureClass.NOT_FOUND, "function fn:v1:1 does not exist");

        targets.sync(List.of(managed(V1, "fn:v1:1"))).join();

        assertFalse(targets.isRegistered(V1));
        assertTrue(scaler.status().isEmpty(), "no group for an invalid target");
        assertTrue(scaler.bootstrap(ScalingGroupId.defaultFor(V1)).isEmpty());
        TargetRegistrations.TargetState s = state(V1);
        assertFalse(s.registered());
        TargetValidation.Invalid invalid = assertInstanceOf(TargetValidation.Invalid.class, s.validation().orElseThrow());
        assertEquals(FailureClass.NOT_FOUND, invalid.failure().failureClass());
        assertEquals("function fn:v1:1 does not exist", invalid.failure().message());
        assertEquals(0.0, valid(V1));
        assertTrue(logs.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
                && e.getFormattedMessage().contains("function fn:v1:1 does not exist")));
    }

    @Test
    void invalidTargetIsRetriedOnEveryPassAndRegistersOnceValid() {
        provider.answerInvalid(FailureClass.ACCESS_DENIED, "not allowed to read fn:v1:1");
        targets.sync(List.of(managed(V1, "fn:v1:1"))).join();
        clock.advance(Duration.ofSeconds(2));
        targets.revalidateDue(Set.of()).join();
        assertEquals(2, provider.validations().size(), "an invalid target does not wait for the re-validation interval");
        assertFalse(targets.isRegistered(V1));
        long errors = logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).count();
        assertEquals(1, errors, "the same failure is logged once, not on every retry");

        provider.answerValid();
        clock.advance(Duration.ofSeconds(2));
        targets.revalidateDue(Set.of()).join();

        assertTrue(targets.isRegistered(V1));
        assertEquals(1, scaler.status().size());
        assertInstanceOf(TargetValidation.Valid.class, state(V1).validation().orElseThrow());
        assertEquals(clock.instant(), state(V1).checkedAt());
        assertEquals(1.0, valid(V1));
    }

    @Test
    void validTargetIsRevalidatedOnlyOnceTheIntervalHasPassed() {
        targets.sync(List.of(managed(V1, "fn:v1:1"))).join();

        clock.advance(REVALIDATE_EVERY.minusSeconds(1));
        targets.revalidateDue(Set.of()).join();
        assertEquals(1, provider.validations().size());

        clock.advance(Duration.ofSeconds(1));
        targets.revalidateDue(Set.of()).join();
        assertEquals(2, provider.validations().size());
        assertEquals(clock.instant(), state(V1).checkedAt());
    }

    @Test
    void aThrottledOrUnreachableControlPlaneKeepsTheLastValidResult() {
        targets.sync(List.of(managed(V1, "fn:v1:1"))).join();
        for (FailureClass transientClass : List.of(FailureClass.THROTTLED, FailureClass.UNAVAILABLE)) {
            provider.answerInvalid(transientClass, "Rate exceeded");
            clock.advance(REVALIDATE_EVERY);

            targets.revalidateDue(Set.of()).join();

            assertNull(single(scaler.status()).circuitOpenedBy(), transientClass + " must not stop invokes");
            assertTrue(state(V1).validation().orElseThrow().isValid(), "the last valid result is kept");
            assertEquals(1.0, valid(V1));
            targets.revalidateDue(Set.of()).join();
            assertEquals(transientClass == FailureClass.THROTTLED ? 3 : 5, provider.validations().size(),
                    "a check that could not complete is due again on the next pass");
        }
        assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("keeping the last valid result")));

        provider.answerInvalid(FailureClass.NOT_FOUND, "function version 1 was deleted");
        targets.revalidateDue(Set.of()).join();
        assertEquals(FailureClass.NOT_FOUND, single(scaler.status()).circuitOpenedBy().failureClass(),
                "a failure about the target itself still opens the circuit");
    }

    @Test
    void thePublishedVersionOfAMutableFlaggedTargetIsNotCountedMutable() {
        ComputeTarget flagged = new ComputeTarget(FakeComputeProvider.TYPE, "fn:v1:1", true, Map.of());
        provider.answer(t -> new TargetValidation.Valid(new TargetFacts(FakeComputeProvider.TIMEOUT, 512, false),
                List.of(), clock.instant()));
        targets.sync(List.of(new ManagedVersion(V1, flagged, EnumSet.allOf(TaskQueueType.class), policy))).join();
        assertNull(meters.find("wci.target.mutable").tags("build_id", "v1").gauge());
    }

    @Test
    void invalidResultForARegisteredTargetOpensItsCircuit() {
        targets.sync(List.of(managed(V1, "fn:v1:1"))).join();
        provider.answerInvalid(FailureClass.NOT_FOUND, "function version 1 was deleted");
        clock.advance(REVALIDATE_EVERY);

        targets.revalidateDue(Set.of()).join();

        assertTrue(targets.isRegistered(V1), "the group stays: its ledger still counts live workers");
        GroupStatus g = single(scaler.status());
        assertNotNull(g.circuitOpenedBy());
        assertEquals("function version 1 was deleted", g.circuitOpenedBy().message());
        assertEquals(0.0, valid(V1));
        assertTrue(scaler.bootstrap(ScalingGroupId.defaultFor(V1)).isEmpty(), "nothing invoked while invalid");
        ScaleDecision hold = audit.recent().get(audit.recent().size() - 1);
        assertEquals(DecisionReason.LIMITED, hold.reason());
        assertEquals(List.of(new LimitTrim(LimitKind.CIRCUIT_OPEN, 1, 0)), hold.trims());
    }

    @Test
    void cachedValidResultDoesNotCloseACircuitAnInvokeFailureOpened() {
        targets.sync(List.of(managed(V1, "fn:v1:1"))).join();
        Instant firstCheck = clock.instant();
        clock.advance(Duration.ofMinutes(1));
        openCircuitByInvokeFailure(V1);
        assertNotNull(single(scaler.status()).circuitOpenedBy());

        // The provider still serves its result from before the failure.
        provider.answerValidCheckedAt(firstCheck);
        clock.advance(Duration.ofSeconds(2));
        targets.revalidateDue(openCircuits()).join();
        clock.advance(Duration.ofSeconds(2));
        targets.revalidateDue(openCircuits()).join();

        assertEquals(3, provider.validations().size(), "an open circuit is re-validated on every pass");
        GroupStatus g = single(scaler.status());
        assertNotNull(g.circuitOpenedBy(), "a pre-failure result must not close the circuit");
        assertEquals(FailureClass.NOT_FOUND, g.circuitOpenedBy().failureClass());
        int invokedBefore = provider.invocations().size();
        assertTrue(scaler.bootstrap(ScalingGroupId.defaultFor(V1)).isEmpty());
        assertEquals(invokedBefore, provider.invocations().size());
    }

    @Test
    void validResultCheckedAfterTheCircuitWasSeenOpenAllowsOneProbe() {
        targets.sync(List.of(managed(V1, "fn:v1:1"))).join();
        Instant firstCheck = clock.instant();
        clock.advance(Duration.ofMinutes(1));
        openCircuitByInvokeFailure(V1);
        provider.answerValidCheckedAt(firstCheck);
        clock.advance(Duration.ofSeconds(2));
        targets.revalidateDue(openCircuits()).join();
        assertNotNull(single(scaler.status()).circuitOpenedBy());

        provider.answerValid();
        clock.advance(Duration.ofSeconds(2));
        targets.revalidateDue(openCircuits()).join();

        // Validation reads the control plane, which may pass while Invoke is still denied: it allows one probe.
        assertNotNull(single(scaler.status()).circuitOpenedBy(), "a passing validation alone does not close it");
        assertEquals(clock.instant(), state(V1).checkedAt());
        provider.acceptInvokes();
        Optional<ScaleDecision> probe = scaler.bootstrap(ScalingGroupId.defaultFor(V1));
        assertTrue(probe.isPresent(), "the target may be probed again");
        assertEquals(List.of(new LimitTrim(LimitKind.CIRCUIT_HALF_OPEN, 1, 1)), probe.get().trims());
        assertNull(single(scaler.status()).circuitOpenedBy());
        assertEquals("HALF_OPEN", single(scaler.status()).circuit());
    }

    @Test
    void versionNoLongerManagedIsUnregisteredAndLosesItsGauges() {
        ComputeTarget mutable = new ComputeTarget(FakeComputeProvider.TYPE, "fn:v1:$LATEST", true, Map.of());
        targets.sync(List.of(new ManagedVersion(V1, mutable, EnumSet.allOf(TaskQueueType.class), policy))).join();
        assertTrue(targets.isRegistered(V1));
        assertEquals(1.0, valid(V1));
        assertEquals(1.0, mutable(V1));

        targets.sync(List.of()).join();

        assertFalse(targets.isRegistered(V1));
        assertTrue(scaler.status().isEmpty());
        assertTrue(targets.snapshot().isEmpty());
        assertNull(meters.find("wci.target.valid").tags("build_id", "v1").gauge(),
                "a version that is no longer managed has no validity series (an old 0 would keep alerting)");
        assertNull(meters.find("wci.target.mutable").tags("build_id", "v1").gauge());
        assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("no longer managed")));
    }

    @Test
    void changedTargetIsValidatedAndReplacesTheGroup() {
        targets.sync(List.of(managed(V1, "fn:v1:1"))).join();

        targets.sync(List.of(managed(V1, "fn:v1:2"))).join();

        assertEquals(List.of("fn:v1:1", "fn:v1:2"),
                provider.validations().stream().map(c -> c.target().address()).toList());
        assertEquals("fn:v1:2", single(scaler.status()).target().address());
        assertEquals("fn:v1:2", state(V1).managed().target().address());
    }

    @Test
    void resultForATargetReplacedMeanwhileIsIgnored() {
        provider.holdValidations(true);
        CompletableFuture<Void> first = targets.sync(List.of(managed(V1, "fn:v1:1")));
        CompletableFuture<Void> second = targets.sync(List.of(managed(V1, "fn:v1:2")));
        assertFalse(first.isDone(), "sync returns when the validations it started finished");

        List<FakeComputeProvider.ValidationCall> calls = provider.validations();
        calls.get(0).answer().complete(validNow());
        first.join();
        assertFalse(targets.isRegistered(V1), "the old target's result must not register the version");
        assertTrue(scaler.status().isEmpty());

        calls.get(1).answer().complete(validNow());
        second.join();
        assertTrue(targets.isRegistered(V1));
        assertEquals("fn:v1:2", single(scaler.status()).target().address());
    }

    @Test
    void resultForAVersionNoLongerManagedDoesNotRegisterIt() {
        provider.holdValidations(true);
        CompletableFuture<Void> pending = targets.sync(List.of(managed(V1, "fn:v1:1")));
        targets.sync(List.of()).join();

        provider.validations().get(0).answer().complete(validNow());
        pending.join();

        assertFalse(targets.isRegistered(V1));
        assertTrue(scaler.status().isEmpty());
        assertTrue(targets.snapshot().isEmpty());
    }

    @Test
    void eachDeploymentsPolicyReachesTheScaler() {
        DeploymentVersion capped = new DeploymentVersion("billing", "b1");
        ScalingPolicy onePerVersion = policy.toBuilder().maxWorkersPerVersion(1).build();
        targets.sync(List.of(managed(V1, "fn:v1:1"),
                new ManagedVersion(capped, FakeComputeProvider.target("fn:billing:1"), EnumSet.allOf(TaskQueueType.class),
                        onePerVersion))).join();

        ScaleDecision free = scaler.onSignal(backlog(V1, TaskQueueType.ACTIVITY, 1000)).orElseThrow();
        ScaleDecision limited = scaler.onSignal(backlog(capped, TaskQueueType.ACTIVITY, 1000)).orElseThrow();

        assertTrue(free.count() > 1, "the default policy allows a scale-out, got " + free.count());
        assertEquals(1, limited.count());
        assertEquals(LimitKind.VERSION_CAP, limited.trims().get(0).limit());
        assertEquals(1, limited.trims().get(0).after());
    }

    @Test
    void mutableTargetIsFlaggedAndWarnedAboutOnce() {
        ComputeTarget mutable = new ComputeTarget(FakeComputeProvider.TYPE, "fn:v1:$LATEST", true, Map.of());
        targets.sync(List.of(new ManagedVersion(V1, mutable, EnumSet.allOf(TaskQueueType.class), policy),
                managed(V2, "fn:v2:1"))).join();
        clock.advance(REVALIDATE_EVERY);
        targets.revalidateDue(Set.of()).join();

        assertEquals(1.0, mutable(V1));
        assertNull(meters.find("wci.target.mutable").tags("build_id", "v2").gauge(), "only mutable targets have a series");
        List<String> warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("MUTABLE") && warnings.get(0).contains("orders:v1"), warnings.get(0));
    }

    @Test
    void validationWarningsAreLoggedWhenTheTargetBecomesValid() {
        provider.answerValidWithWarnings("reserved concurrency is 1");
        targets.sync(List.of(managed(V1, "fn:v1:1"))).join();
        clock.advance(REVALIDATE_EVERY);
        targets.revalidateDue(Set.of()).join();

        List<String> warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(List.of("version orders:v1: reserved concurrency is 1"), warnings);
    }

    @Test
    void targetOfAnUnknownProviderIsNeverRegistered() {
        ComputeTarget other = new ComputeTarget("gcp-run", "service-1");

        CompletableFuture<Void> done = targets.sync(List.of(
                new ManagedVersion(V1, other, EnumSet.allOf(TaskQueueType.class), policy)));

        assertTrue(done.isDone());
        assertFalse(targets.isRegistered(V1));
        assertTrue(provider.validations().isEmpty());
        assertTrue(state(V1).validation().isEmpty(), "still pending: status says so");
        assertTrue(logs.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
                && e.getFormattedMessage().contains("no compute provider of type 'gcp-run'")));
    }

    @Test
    void providerThatThrowsOrFailsLeavesTheVersionPendingAndIsRetried() {
        provider.validateThrows(new IllegalStateException("provider bug"));
        CompletableFuture<Void> thrown = targets.sync(List.of(managed(V1, "fn:v1:1")));
        assertTrue(thrown.isDone() && !thrown.isCompletedExceptionally());
        assertFalse(targets.isRegistered(V1));

        provider.validateThrows(null).holdValidations(true);
        clock.advance(Duration.ofSeconds(2));
        CompletableFuture<Void> failed = targets.revalidateDue(Set.of());
        provider.validations().get(0).answer().completeExceptionally(new IllegalStateException("network"));
        failed.join();
        assertFalse(targets.isRegistered(V1));
        assertTrue(state(V1).validation().isEmpty());

        provider.holdValidations(false);
        clock.advance(Duration.ofSeconds(2));
        targets.revalidateDue(Set.of()).join();
        assertTrue(targets.isRegistered(V1), "a pending version is retried on the next pass");
    }

    // --- helpers ------------------------------------------------------------------------------------------

    private ManagedVersion managed(DeploymentVersion v, String address) {
        return new ManagedVersion(v, FakeComputeProvider.target(address), EnumSet.allOf(TaskQueueType.class), policy);
    }

    private TargetValidation validNow() {
        return new TargetValidation.Valid(dev.wci.core.compute.TargetFacts.ofTimeout(FakeComputeProvider.TIMEOUT),
                List.of(), clock.instant());
    }

    /** An invoke of the version's target fails with NOT_FOUND (e.g. the function version was deleted). */
    private void openCircuitByInvokeFailure(DeploymentVersion v) {
        provider.failInvokes(FailureClass.NOT_FOUND, "Function not found");
        ScaleDecision d = scaler.bootstrap(ScalingGroupId.defaultFor(v)).orElseThrow();
        executor.execute(d);
    }

    private Set<DeploymentVersion> openCircuits() {
        return scaler.status().stream().filter(g -> g.circuitOpenedBy() != null).map(g -> g.group().version())
                .collect(Collectors.toSet());
    }

    private TargetRegistrations.TargetState state(DeploymentVersion v) {
        return targets.snapshot().stream().filter(s -> s.managed().version().equals(v)).findFirst().orElseThrow();
    }

    private double valid(DeploymentVersion v) {
        return gauge("wci.target.valid", v).value();
    }

    private double mutable(DeploymentVersion v) {
        return gauge("wci.target.mutable", v).value();
    }

    private Gauge gauge(String name, DeploymentVersion v) {
        Gauge g = meters.find(name).tags("deployment", v.deploymentName(), "build_id", v.buildId()).gauge();
        assertNotNull(g, name + " for " + v);
        return g;
    }

    private BacklogObservation backlog(DeploymentVersion v, TaskQueueType type, long count) {
        return new BacklogObservation(v, "q", type, count, Duration.ofSeconds(5), 10, 0, false, clock.instant(),
                Duration.ZERO);
    }

    private static <T> T single(List<T> list) {
        assertEquals(1, list.size(), list.toString());
        return list.get(0);
    }
}
