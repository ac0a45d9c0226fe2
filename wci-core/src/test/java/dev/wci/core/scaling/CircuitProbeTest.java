package dev.wci.core.scaling;

import static dev.wci.core.testing.Fixtures.FACTS;
import static dev.wci.core.testing.Fixtures.V1;
import static dev.wci.core.testing.Fixtures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.limits.LimitKind;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.ScalingGroupId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * After trouble a target re-opens through one probe invocation and a ramp, never a full batch: an open circuit whose
 * validation passes while Invoke is denied, a backoff that expires, a throttle asking for a day.
 */
class CircuitProbeTest {

    private static final ComputeFailure DENIED = ComputeFailure.of(FailureClass.ACCESS_DENIED,
            "Lambda was unable to decrypt the environment variables because KMS access was denied");
    private static final ComputeFailure UNAVAILABLE = ComputeFailure.of(FailureClass.UNAVAILABLE, "HTTP 500");

    private final TestClock clock = new TestClock();
    private final DecisionAudit audit = new DecisionAudit(1000);
    private final ScalingPolicy policy = Fixtures.policy().backoffJitter(0).build();
    private final ReactiveScaler scaler = Fixtures.scaler(policy, clock, audit, V1);
    private final ScalingGroupId id = Fixtures.group(V1).id();

    private void answer(ScaleDecision d, ComputeFailure failure) {
        scaler.onInvocationResults(d, d.invocationIds().stream().<InvocationResult>map(i -> failure == null
                ? new InvocationResult.Accepted(i, clock.instant()) : new InvocationResult.Failed(i, failure)).toList());
    }

    /** The invoking decisions of a round of demand: a signal and a tick. */
    private List<ScaleDecision> round() {
        List<ScaleDecision> out = new ArrayList<>();
        scaler.onSignal(failure(V1, 100_000, clock)).ifPresent(out::add);
        out.addAll(scaler.tick());
        return out;
    }

    private void validates() {
        scaler.onValidation(id, new TargetValidation.Valid(FACTS, List.of(), clock.instant()));
    }

    private String circuit() {
        return scaler.status().get(0).circuit();
    }

    private static List<LimitKind> kinds(ScaleDecision d) {
        return d.trims().stream().map(t -> t.limit()).toList();
    }

    @Test
    void aValidationThatCannotSeeTheDenialAllowsOneProbeNotABatch() {
        ScaleDecision first = round().get(0);
        assertTrue(first.count() > 1, "a batch at first: " + first.count());
        answer(first, DENIED);
        assertEquals("OPEN", circuit());

        // 70 s of demand; validation (GetFunction*) passes every 30 s while every Invoke is denied.
        List<Integer> counts = new ArrayList<>();
        for (int t = 250; t <= 70_000; t += 250) {
            clock.advanceMillis(250);
            if (t % 30_000 == 0) {
                validates();
            }
            for (ScaleDecision d : round()) {
                counts.add(d.count());
                assertEquals(List.of(LimitKind.CIRCUIT_HALF_OPEN), kinds(d), "the audit says it is a probe");
                answer(d, DENIED);
            }
        }
        assertEquals(List.of(1, 1), counts, "one probe per passing validation");
        assertEquals("OPEN", circuit());
        assertNotNull(scaler.status().get(0).circuitOpenedBy());
    }

    @Test
    void probesOfADeniedTargetWaitLongerEachTimeEvenIfValidationAlwaysPasses() {
        answer(round().get(0), DENIED);
        List<Long> probesAt = new ArrayList<>();
        for (int t = 250; t <= 600_000; t += 250) {
            clock.advanceMillis(250);
            validates();
            for (ScaleDecision d : round()) {
                assertEquals(1, d.count());
                probesAt.add((long) t);
                answer(d, DENIED);
            }
        }
        // Waits of 1, 2, 4, ... s after each failed probe, capped at the 60 s maximum backoff.
        for (int i = 1; i < probesAt.size(); i++) {
            long gap = probesAt.get(i) - probesAt.get(i - 1);
            long expected = Math.min(60_000, 1000L << (i - 1));
            assertTrue(gap >= expected && gap <= expected + 250, "gap " + i + " was " + gap + " ms: " + probesAt);
        }
        assertTrue(probesAt.size() <= 15, probesAt.size() + " denied invokes in 10 min");
    }

    @Test
    void anAcceptedProbeRampsBackDoublingPerAcceptedRequest() {
        ReactiveScaler s = Fixtures.scaler(Fixtures.policy().backoffJitter(0).invokeBurstPerTarget(16)
                .invokeRatePerTarget(1000).maxWorkersPerVersion(10_000).maxWorkersTotal(10_000).build(), clock, audit, V1);
        ScaleDecision first = s.onSignal(failure(V1, 100_000, clock)).orElseThrow();
        s.onInvocationResults(first, first.invocationIds().stream()
                .<InvocationResult>map(i -> new InvocationResult.Failed(i, DENIED)).toList());
        s.onValidation(id, new TargetValidation.Valid(FACTS, List.of(), clock.instant()));

        List<Integer> counts = new ArrayList<>();
        List<String> states = new ArrayList<>();
        for (int step = 0; step < 6; step++) {
            clock.advanceMillis(100);
            ScaleDecision d = s.onSignal(failure(V1, 100_000, clock)).orElseThrow();
            counts.add(d.count());
            clock.advanceMillis(10);
            if (step < 4) {
                assertTrue(s.tick().isEmpty(), "nothing more while a probe or ramp step is in flight");
            }
            s.onInvocationResults(d, d.invocationIds().stream()
                    .<InvocationResult>map(i -> new InvocationResult.Accepted(i, clock.instant())).toList());
            states.add(s.status().get(0).circuit());
        }
        assertEquals(List.of(1, 2, 4, 8, 16, 16), counts, "probe, ramp 2-4-8, then the burst");
        assertEquals(List.of("RAMPING", "RAMPING", "RAMPING", "CLOSED", "CLOSED", "CLOSED"), states);
    }

    @Test
    void anExpiredBackoffLetsOneProbeThroughNotTheBatch() {
        ScaleDecision first = round().get(0);
        assertTrue(first.count() >= 10, "a batch at first: " + first.count());
        answer(first, UNAVAILABLE);
        assertEquals("HALF_OPEN", circuit());
        assertNotNull(scaler.status().get(0).backoffUntil());

        clock.advance(Duration.ofMillis(999));
        assertTrue(round().isEmpty(), "backing off");
        clock.advanceMillis(1);
        List<ScaleDecision> probe = round();
        assertEquals(1, probe.size());
        assertEquals(1, probe.get(0).count(), "one probe, not the batch");
        clock.advanceMillis(500);
        assertTrue(round().isEmpty(), "nothing while the probe is in flight");

        answer(probe.get(0), UNAVAILABLE);
        clock.advance(Duration.ofMillis(1999));
        assertTrue(round().isEmpty(), "the second backoff is twice as long");
        clock.advanceMillis(1);
        ScaleDecision second = round().get(0);
        assertEquals(1, second.count());
        answer(second, null);
        assertNull(scaler.status().get(0).backoffUntil());
        assertEquals(2, round().get(0).count(), "then a ramp");
    }

    @Test
    void resultsOfRequestsDecidedBeforeTheProbeDoNotRampIt() {
        ScaleDecision early = scaler.onSignal(failure(V1, 10, clock)).orElseThrow();
        clock.advanceMillis(100);
        ScaleDecision later = scaler.onSignal(failure(V1, 1_000_000, clock)).orElseThrow();
        answer(later, UNAVAILABLE);
        clock.advance(Duration.ofSeconds(1));
        ScaleDecision probe = round().get(0);
        assertEquals(1, probe.count());
        answer(early, null); // a straggler accepted: it was sent before the trouble
        assertEquals("HALF_OPEN", circuit());
        clock.advanceMillis(100);
        assertTrue(round().isEmpty(), "still only the probe in flight");
        answer(probe, null);
        assertEquals("RAMPING", circuit());
    }

    @Test
    void aRetryAfterOfADayIsCappedByTheMaximumBackoff() {
        ScaleDecision d = round().get(0);
        Optional<Duration> backoff = scaler.onInvocationResults(d, d.invocationIds().stream()
                .<InvocationResult>map(i -> new InvocationResult.Failed(i, ComputeFailure.throttled(
                        "ReservedFunctionConcurrentInvocationLimitExceeded", Duration.ofSeconds(86_400), "429")))
                .toList());
        assertEquals(Optional.of(policy.backoffMax()), backoff);
        assertEquals(clock.instant().plus(policy.backoffMax()), scaler.status().get(0).backoffUntil());
        clock.advance(policy.backoffMax().minusMillis(1));
        assertTrue(round().isEmpty());
        clock.advanceMillis(1);
        assertEquals(1, round().get(0).count(), "a probe after the capped wait, not after a day");
    }

    @Test
    void neverMoreInvocationsThanTheRateAllowsWhateverTheFailureMix() {
        int burst = 5;
        double rate = 2;
        ReactiveScaler s = Fixtures.scaler(Fixtures.policy().invokeBurstPerTarget(burst).invokeRatePerTarget(rate)
                .backoffBase(Duration.ofMillis(100)).backoffMax(Duration.ofSeconds(2))
                .maxWorkersPerVersion(100_000).maxWorkersTotal(100_000).build(), clock, audit, V1);
        SplittableRandom random = new SplittableRandom(11);
        long start = clock.millis();
        long invoked = 0;
        for (int step = 0; step < 12_000; step++) {
            clock.advanceMillis(50);
            if (random.nextInt(10) == 0) {
                s.onValidation(id, new TargetValidation.Valid(FACTS, List.of(), clock.instant()));
            }
            List<ScaleDecision> ds = new ArrayList<>();
            s.onSignal(failure(V1, 100_000, clock)).ifPresent(ds::add);
            ds.addAll(s.tick());
            for (ScaleDecision d : ds) {
                invoked += d.count();
                int pick = random.nextInt(5);
                ComputeFailure f = switch (pick) {
                    case 0 -> null;
                    case 1 -> UNAVAILABLE;
                    case 2 -> DENIED;
                    case 3 -> ComputeFailure.throttled("r", Duration.ofSeconds(random.nextInt(100_000)), "429");
                    default -> ComputeFailure.of(FailureClass.INTERNAL, "bug");
                };
                s.onInvocationResults(d, d.invocationIds().stream().<InvocationResult>map(i -> f == null
                        ? new InvocationResult.Accepted(i, clock.instant()) : new InvocationResult.Failed(i, f)).toList());
            }
            double bound = burst + rate * (clock.millis() - start) / 1000.0;
            assertTrue(invoked <= bound, invoked + " invocations by " + (clock.millis() - start) + " ms");
        }
        assertTrue(invoked > 20, "the mix still lets invocations through: " + invoked);
    }
}
