package dev.wci.core.scaling;

import static dev.wci.core.testing.Fixtures.V1;
import static dev.wci.core.testing.Fixtures.failure;
import static dev.wci.core.testing.Fixtures.observation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.limits.InvokeLoopGuard;
import dev.wci.core.limits.LimitKind;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.ScalingGroupId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Bootstrap invocations, and holding back a target whose workers never serve the version (invoke loop). */
class InvokeLoopAndBootstrapTest {

    private final TestClock clock = new TestClock();
    private final DecisionAudit audit = new DecisionAudit(100);
    // No idle exit: the loop's workers stay live in the ledger, as they would for a worker that polls elsewhere.
    private final ReactiveScaler scaler = Fixtures.scaler(Fixtures.policy().workerIdleExit(Duration.ZERO).build(),
            clock, audit, V1);
    private final ScalingGroupId group = ScalingGroupId.defaultFor(V1);

    private void accept(ScaleDecision d) {
        for (String id : d.invocationIds()) {
            scaler.onInvocationResult(d, new InvocationResult.Accepted(id, clock.instant()));
        }
    }

    private String suspect() {
        return scaler.status().get(0).invokeLoopSuspect();
    }

    @Test
    void bootstrapInvokesOneWorkerOnlyWhenNoneIsLive() {
        ScaleDecision d = scaler.bootstrap(group).orElseThrow();
        assertEquals(DecisionReason.BOOTSTRAP, d.reason());
        assertEquals(1, d.count());
        assertEquals("bootstrap", d.inputs().trigger());
        accept(d);
        assertTrue(scaler.bootstrap(group).isEmpty(), "a worker is starting: no second bootstrap");
        assertTrue(scaler.bootstrap(ScalingGroupId.defaultFor(Fixtures.V2)).isEmpty(), "unknown group");
    }

    @Test
    void bootstrapRespectsTheLimits() {
        ScalingPolicy noBudget = Fixtures.policy().budgetPerVersion(10).build();
        ReactiveScaler s = Fixtures.scaler(noBudget, clock, audit, V1);
        assertTrue(s.bootstrap(group).isEmpty(), "one 900 s worker does not fit a 10 worker-second budget");
        ScaleDecision hold = audit.recent().get(audit.recent().size() - 1);
        assertEquals(DecisionReason.LIMITED, hold.reason());
        assertEquals(LimitKind.VERSION_BUDGET, hold.trims().get(0).limit());
    }

    @Test
    void backlogThatNeverMovesAfterAcceptedInvokesMarksTheTargetSuspectAndStopsInvoking() {
        accept(scaler.onSignal(failure(V1, 50, clock)).orElseThrow());
        // Stats keep saying: 50 waiting, nothing dispatched.
        for (int s = 0; s < 30; s += 5) {
            clock.advance(Duration.ofSeconds(5));
            scaler.onSignal(observation(V1, 50, 1, 0, false, clock));
            assertNull(suspect(), "within the grace period at " + s + " s");
        }
        clock.advance(Duration.ofSeconds(5));
        scaler.onSignal(observation(V1, 50, 1, 0, false, clock));
        assertNotNull(suspect());
        assertTrue(suspect().contains("TEMPORAL_WORKER_BUILD_ID"), suspect());
        assertTrue(suspect().contains("orders:v1"), suspect());

        // More demand does not invoke while suspect: no storm.
        clock.advance(Duration.ofSeconds(2));
        assertTrue(scaler.onSignal(failure(V1, 500, clock)).isEmpty());
        ScaleDecision hold = audit.recent().get(audit.recent().size() - 1);
        assertEquals(LimitKind.INVOKE_LOOP_SUSPECT, hold.trims().get(0).limit());
        assertTrue(scaler.tick().isEmpty());
    }

    @Test
    void afterTheBackoffOneProbeGoesAndProgressClearsTheSuspicion() {
        accept(scaler.onSignal(failure(V1, 50, clock)).orElseThrow());
        clock.advance(Duration.ofSeconds(70));
        scaler.onSignal(observation(V1, 500, 10, 0, false, clock));
        assertNotNull(suspect());

        clock.advance(InvokeLoopGuard.FIRST_BACKOFF.plusSeconds(2));
        ScaleDecision probe = scaler.onSignal(failure(V1, 500, clock)).orElseThrow();
        assertEquals(1, probe.count(), "a single probe");
        assertEquals(List.of(LimitKind.INVOKE_LOOP_SUSPECT), probe.trims().stream().map(t -> t.limit()).toList());
        accept(probe);
        clock.advance(Duration.ofSeconds(2));
        assertTrue(scaler.onSignal(failure(V1, 500, clock)).isEmpty(), "one probe per backoff");

        // The probe's worker dispatches tasks: trusted again, and demand scales out.
        clock.advance(Duration.ofSeconds(5));
        Optional<ScaleDecision> after = scaler.onSignal(observation(V1, 480, 10, 4, false, clock));
        assertNull(suspect());
        assertTrue(after.isPresent() && after.get().count() > 1, "scales out again: " + after);
    }

    @Test
    void aProbeWithoutProgressDoublesTheBackoff() {
        accept(scaler.onSignal(failure(V1, 50, clock)).orElseThrow());
        clock.advance(Duration.ofSeconds(70));
        scaler.onSignal(observation(V1, 50, 1, 0, false, clock));
        clock.advance(InvokeLoopGuard.FIRST_BACKOFF);
        accept(scaler.onSignal(failure(V1, 500, clock)).orElseThrow());
        clock.advance(Duration.ofSeconds(70));
        scaler.onSignal(observation(V1, 500, 1, 0, false, clock));
        assertNotNull(suspect());
        // The next probe waits twice as long.
        clock.advance(InvokeLoopGuard.FIRST_BACKOFF.multipliedBy(2).minusSeconds(1));
        assertTrue(scaler.onSignal(failure(V1, 5000, clock)).isEmpty());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, scaler.onSignal(failure(V1, 5000, clock)).orElseThrow().count());
    }

    @Test
    void aShrinkingBacklogOrAWorkerReportIsProgress() {
        accept(scaler.onSignal(failure(V1, 50, clock)).orElseThrow());
        clock.advance(Duration.ofSeconds(20));
        scaler.onSignal(observation(V1, 50, 0, 0, false, clock));
        clock.advance(Duration.ofSeconds(20));
        scaler.onSignal(observation(V1, 49, 0, 0, false, clock));
        assertNull(suspect(), "the backlog shrank");
        clock.advance(Duration.ofSeconds(70));
        scaler.onSignal(observation(V1, 49, 0, 0, false, clock));
        assertNull(suspect(), "no invocation since the progress: nothing to suspect");

        clock.advance(Duration.ofSeconds(2));
        ScaleDecision d = scaler.onSignal(failure(V1, 500, clock)).orElseThrow();
        accept(d);
        scaler.onWorkerReady(group, d.invocationIds().get(0), clock.instant());
        clock.advance(Duration.ofSeconds(70));
        scaler.onSignal(observation(V1, 549, 0, 0, false, clock));
        assertNull(suspect(), "a worker reported it polls");
    }
}
