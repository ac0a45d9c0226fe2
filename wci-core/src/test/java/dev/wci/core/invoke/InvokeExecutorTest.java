package dev.wci.core.invoke;

import static dev.wci.core.testing.Fixtures.V1;
import static dev.wci.core.testing.Fixtures.V2;
import static dev.wci.core.testing.Fixtures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.loop.ControlLoop;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class InvokeExecutorTest {

    private final TestClock clock = new TestClock();

    /** A provider whose calls complete when the test says so. */
    static class ManualProvider implements ComputeProvider {
        final List<InvocationRequest> requests = new ArrayList<>();
        final List<CompletableFuture<List<InvocationResult>>> pending = new ArrayList<>();

        @Override
        public String type() {
            return "test";
        }

        @Override
        public CompletionStage<TargetValidation> validate(ComputeTarget target, DeploymentVersion version) {
            throw new UnsupportedOperationException("not on the invoke path");
        }

        @Override
        public CompletionStage<List<InvocationResult>> invoke(InvocationRequest request) {
            requests.add(request);
            CompletableFuture<List<InvocationResult>> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        void acceptAll(int i, TestClock clock) {
            pending.get(i).complete(requests.get(i).invocationIds().stream()
                    .<InvocationResult>map(id -> new InvocationResult.Accepted(id, clock.instant())).toList());
        }

        void failAll(int i, ComputeFailure f) {
            pending.get(i).complete(requests.get(i).invocationIds().stream()
                    .<InvocationResult>map(id -> new InvocationResult.Failed(id, f)).toList());
        }
    }

    private final List<String> observed = new CopyOnWriteArrayList<>();
    private final InvokeObserver observer = new InvokeObserver() {
        @Override
        public void sent(ScaleDecision decision) {
            observed.add("sent " + decision.count());
        }

        @Override
        public void result(ScaleDecision decision, InvocationResult result, Duration latency) {
            observed.add(result.getClass().getSimpleName() + " " + latency.toMillis());
        }
    };

    @Test
    void sendsTheDecisionsWorkersAndFeedsResultsBack() {
        ManualProvider p = new ManualProvider();
        ReactiveScaler scaler = Fixtures.scaler(Fixtures.POLICY, clock, new DecisionAudit(10), V1);
        ControlLoop loop = new ControlLoop(scaler, new InvokeExecutor(Map.of("test", p), scaler, observer, clock, 4));
        loop.accept(failure(V1, 1000, clock));
        assertEquals(1, p.requests.size());
        InvocationRequest r = p.requests.get(0);
        assertEquals(10, r.count());
        assertEquals("SCALE_FROM_ZERO", r.reason());
        assertEquals(Fixtures.target(V1), r.target());
        clock.advanceMillis(25);
        p.acceptAll(0, clock);
        assertEquals(11, observed.size());
        assertEquals("Accepted 25", observed.get(1));
        assertEquals(10, scaler.status().get(0).ledgerSize());
    }

    @Test
    void boundsRequestsInFlightAndSendsWaitingOnesInOrder() {
        ManualProvider p = new ManualProvider();
        ReactiveScaler scaler = Fixtures.scaler(Fixtures.POLICY, clock, new DecisionAudit(10), V1, V2);
        InvokeExecutor ex = new InvokeExecutor(Map.of("test", p), scaler, InvokeObserver.NONE, clock, 1);
        ControlLoop loop = new ControlLoop(scaler, ex);
        loop.accept(failure(V1, 1, clock));
        loop.accept(failure(V2, 1, clock));
        assertEquals(1, p.requests.size());
        assertEquals(1, ex.inFlight());
        assertEquals(1, ex.waiting());
        p.acceptAll(0, clock);
        assertEquals(2, p.requests.size());
        assertEquals(V2, p.requests.get(1).group().version());
        p.acceptAll(1, clock);
        assertEquals(0, ex.inFlight());
        assertEquals(0, ex.waiting());
    }

    @Test
    void awaitIdleWaitsForInFlightAndWaitingCallsWithinItsBound() throws Exception {
        ManualProvider p = new ManualProvider();
        ReactiveScaler scaler = Fixtures.scaler(Fixtures.POLICY, clock, new DecisionAudit(10), V1, V2);
        InvokeExecutor ex = new InvokeExecutor(Map.of("test", p), scaler, InvokeObserver.NONE, clock, 1);
        ControlLoop loop = new ControlLoop(scaler, ex);
        assertTrue(ex.awaitIdle(Duration.ZERO), "idle from the start");
        loop.accept(failure(V1, 1, clock));
        loop.accept(failure(V2, 1, clock));
        assertFalse(ex.awaitIdle(Duration.ofMillis(20)), "a call in flight and one waiting");
        p.acceptAll(0, clock);
        assertFalse(ex.awaitIdle(Duration.ofMillis(20)), "the waiting one is in flight now");
        CompletableFuture<Boolean> idle = CompletableFuture.supplyAsync(() -> {
            try {
                return ex.awaitIdle(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        p.acceptAll(1, clock);
        assertTrue(idle.get(30, TimeUnit.SECONDS), "woken when the last call completed");
    }

    @Test
    void failuresLeaveTheLedgerAndNotFoundOpensTheCircuit() {
        ManualProvider p = new ManualProvider();
        ReactiveScaler scaler = Fixtures.scaler(Fixtures.POLICY, clock, new DecisionAudit(10), V1);
        ControlLoop loop = new ControlLoop(scaler, new InvokeExecutor(Map.of("test", p), scaler, observer, clock, 4));
        loop.accept(failure(V1, 200, clock));
        p.failAll(0, ComputeFailure.of(FailureClass.NOT_FOUND, "Function not found: ...:v1"));
        assertEquals(0, scaler.status().get(0).ledgerSize());
        assertEquals(FailureClass.NOT_FOUND, scaler.status().get(0).circuitOpenedBy().failureClass());
        loop.accept(failure(V1, 200, clock));
        loop.tick();
        assertEquals(1, p.requests.size(), "no invoke while the target is invalid");
    }

    @Test
    void aThrowingOrFailingProviderIsAnInternalFailureNotACrash() {
        ComputeProvider throwing = new ManualProvider() {
            @Override
            public CompletionStage<List<InvocationResult>> invoke(InvocationRequest request) {
                throw new IllegalStateException("bug");
            }
        };
        ReactiveScaler scaler = Fixtures.scaler(Fixtures.POLICY, clock, new DecisionAudit(10), V1);
        new ControlLoop(scaler, new InvokeExecutor(Map.of("test", throwing), scaler, observer, clock, 4))
                .accept(failure(V1, 1, clock));
        assertEquals(List.of("sent 1", "Failed 0"), observed);
        assertEquals(0, scaler.status().get(0).ledgerSize());

        ComputeProvider failing = new ManualProvider() {
            @Override
            public CompletionStage<List<InvocationResult>> invoke(InvocationRequest request) {
                return CompletableFuture.failedFuture(new RuntimeException("async bug"));
            }
        };
        ReactiveScaler s2 = Fixtures.scaler(Fixtures.POLICY, clock, new DecisionAudit(10), V1);
        InvokeExecutor ex = new InvokeExecutor(Map.of("test", failing), s2, InvokeObserver.NONE, clock, 4);
        new ControlLoop(s2, ex).accept(failure(V1, 1, clock));
        assertEquals(0, s2.status().get(0).ledgerSize());
        assertEquals(0, ex.inFlight());
    }

    @Test
    void aMissingProviderTypeRejectsAndOpensTheCircuit() {
        ReactiveScaler scaler = Fixtures.scaler(Fixtures.POLICY, clock, new DecisionAudit(10), V1);
        new ControlLoop(scaler, new InvokeExecutor(Map.of(), scaler, InvokeObserver.NONE, clock, 4))
                .accept(failure(V1, 1, clock));
        var opened = scaler.status().get(0).circuitOpenedBy();
        assertEquals(FailureClass.REJECTED, opened.failureClass());
        assertTrue(opened.message().contains("no compute provider of type 'test'"), opened.message());
    }

    @Test
    void aRetryAfterBeyondTheMaximumBackoffIsReportedOncePerRequestWithWhatWciWaits() {
        ManualProvider p = new ManualProvider();
        ScalingPolicy policy = Fixtures.policy().backoffJitter(0).build();
        ReactiveScaler scaler = Fixtures.scaler(policy, clock, new DecisionAudit(10), V1);
        List<String> capped = new CopyOnWriteArrayList<>();
        InvokeObserver capObserver = new InvokeObserver() {
            @Override
            public void retryAfterCapped(ScaleDecision decision, Duration asked, Duration waited) {
                capped.add(asked.toSeconds() + "s->" + waited.toSeconds() + "s");
            }
        };
        ControlLoop loop = new ControlLoop(scaler, new InvokeExecutor(Map.of("test", p), scaler, capObserver, clock, 4));
        loop.accept(failure(V1, 1000, clock));
        assertTrue(p.requests.get(0).count() > 1);
        p.failAll(0, ComputeFailure.throttled("ReservedFunctionConcurrentInvocationLimitExceeded",
                Duration.ofSeconds(86_400), "Rate Exceeded."));
        assertEquals(List.of("86400s->60s"), capped, "once for the request, not per invocation");
        assertEquals(clock.instant().plusSeconds(60), scaler.status().get(0).backoffUntil());

        clock.advance(Duration.ofSeconds(60));
        loop.accept(failure(V1, 1000, clock));
        assertEquals(1, p.requests.get(1).count(), "a probe after the capped wait");
        p.failAll(1, ComputeFailure.throttled("r", Duration.ofSeconds(30), "Rate Exceeded."));
        assertEquals(1, capped.size(), "a retry-after within the maximum is simply honoured");
    }

    @Test
    void aProviderThatLosesResultsFailsTheMissingOnes() {
        ManualProvider p = new ManualProvider();
        ReactiveScaler scaler = Fixtures.scaler(Fixtures.POLICY, clock, new DecisionAudit(10), V1);
        new ControlLoop(scaler, new InvokeExecutor(Map.of("test", p), scaler, InvokeObserver.NONE, clock, 4))
                .accept(failure(V1, 300, clock));
        String first = p.requests.get(0).invocationIds().get(0);
        p.pending.get(0).complete(List.of(new InvocationResult.Accepted(first, clock.instant())));
        assertEquals(1, scaler.status().get(0).ledgerSize());
    }
}
