package dev.wci.core.scaling;

import static dev.wci.core.testing.Fixtures.V1;
import static dev.wci.core.testing.Fixtures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One request's results count once for the target's backoff, however many invocations it carried. */
class InvocationResultsTest {

    private final TestClock clock = new TestClock();
    private final ReactiveScaler scaler = Fixtures.scaler(Fixtures.policy().backoffJitter(0).build(), clock,
            new DecisionAudit(10), V1);

    private List<InvocationResult> all(ScaleDecision d, InvocationResult.Failed template) {
        return d.invocationIds().stream().<InvocationResult>map(id -> new InvocationResult.Failed(id, template.failure()))
                .toList();
    }

    private Instant backoffUntil() {
        return scaler.status().get(0).backoffUntil();
    }

    @Test
    void aRequestWhoseInvocationsAreAllThrottledIsOneThrottle() {
        ScaleDecision d = scaler.onSignal(failure(V1, 1000, clock)).orElseThrow();
        assertTrue(d.count() >= 5, "several invocations in one request: " + d.count());
        scaler.onInvocationResults(d, all(d, new InvocationResult.Failed("x",
                ComputeFailure.throttled("ConcurrentInvocationLimitExceeded", null, "Rate Exceeded."))));
        // The first backoff step (1 s, no jitter), not one step per throttled invocation.
        assertEquals(clock.instant().plusSeconds(1), backoffUntil());
        assertEquals(0, scaler.totalLive(), "throttled invocations left the ledger");
    }

    @Test
    void theLongestRetryAfterOfARequestIsHonoured() {
        ScaleDecision d = scaler.onSignal(failure(V1, 1000, clock)).orElseThrow();
        List<String> ids = d.invocationIds();
        scaler.onInvocationResults(d, List.of(
                new InvocationResult.Failed(ids.get(0), ComputeFailure.throttled("r", Duration.ofSeconds(3), "m")),
                new InvocationResult.Failed(ids.get(1), ComputeFailure.throttled("r", Duration.ofSeconds(7), "m")),
                new InvocationResult.Accepted(ids.get(2), clock.instant())));
        assertEquals(clock.instant().plusSeconds(7), backoffUntil());
    }

    @Test
    void anInvalidTargetOpensTheCircuitOnceAndAnAcceptedRequestResetsTheBackoff() {
        ScaleDecision d = scaler.onSignal(failure(V1, 1000, clock)).orElseThrow();
        scaler.onInvocationResults(d, all(d, new InvocationResult.Failed("x",
                ComputeFailure.of(FailureClass.UNAVAILABLE, "503"))));
        clock.advance(Duration.ofSeconds(2));
        ScaleDecision again = scaler.onSignal(failure(V1, 1000, clock)).orElseThrow();
        scaler.onInvocationResults(again, again.invocationIds().stream()
                .<InvocationResult>map(id -> new InvocationResult.Accepted(id, clock.instant())).toList());
        assertEquals(null, backoffUntil());

        clock.advance(Duration.ofSeconds(2));
        ScaleDecision third = scaler.onSignal(failure(V1, 100_000, clock)).orElseThrow();
        scaler.onInvocationResults(third, all(third, new InvocationResult.Failed("x",
                ComputeFailure.of(FailureClass.NOT_FOUND, "Function not found"))));
        assertEquals(FailureClass.NOT_FOUND, scaler.status().get(0).circuitOpenedBy().failureClass());
    }
}
