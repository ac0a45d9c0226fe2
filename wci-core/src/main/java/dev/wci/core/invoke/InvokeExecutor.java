package dev.wci.core.invoke;

import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScaleDecision;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Turns invoking decisions into provider calls, asynchronously, with at most {@code maxInFlight}
 * requests outstanding (further decisions wait in order). Every outcome goes back to the scaler,
 * which updates the ledger, the backoff and the circuit. Never blocks the caller. Thread-safe.
 */
public final class InvokeExecutor {

    private final Map<String, ComputeProvider> providers;
    private final ReactiveScaler scaler;
    private final InvokeObserver observer;
    private final Clock clock;
    private final int maxInFlight;
    private final ArrayDeque<ScaleDecision> waiting = new ArrayDeque<>();
    private int inFlight;

    /**
     * @param providers providers by {@link ComputeProvider#type()}
     */
    public InvokeExecutor(Map<String, ComputeProvider> providers, ReactiveScaler scaler, InvokeObserver observer,
                          Clock clock, int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1");
        }
        this.providers = Map.copyOf(providers);
        this.scaler = scaler;
        this.observer = observer;
        this.clock = clock;
        this.maxInFlight = maxInFlight;
    }

    /** Executes an invoking decision (holds are ignored). */
    public void execute(ScaleDecision decision) {
        if (!decision.invokes()) {
            return;
        }
        synchronized (this) {
            if (inFlight >= maxInFlight) {
                waiting.add(decision);
                return;
            }
            inFlight++;
        }
        send(decision);
    }

    public synchronized int inFlight() {
        return inFlight;
    }

    public synchronized int waiting() {
        return waiting.size();
    }

    /**
     * Waits until no provider call is in flight or waiting, at most {@code timeout} (for a graceful shutdown).
     *
     * @return whether it became idle in time
     */
    public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight > 0 || !waiting.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(left / 1_000_000, (int) (left % 1_000_000));
        }
        return true;
    }

    private void send(ScaleDecision decision) {
        long sentAt = clock.millis();
        observer.sent(decision);
        ComputeProvider provider = providers.get(decision.target().provider());
        CompletionStage<List<InvocationResult>> stage;
        if (provider == null) {
            stage = CompletableFuture.completedFuture(failAll(decision, FailureClass.REJECTED,
                    "no compute provider of type '" + decision.target().provider() + "' is configured"));
        } else {
            try {
                stage = provider.invoke(new InvocationRequest(decision.group(), decision.target(),
                        decision.invocationIds(), decision.reason().name(), decision.decidedAt()));
            } catch (RuntimeException e) {
                stage = CompletableFuture.completedFuture(failAll(decision, FailureClass.INTERNAL,
                        "provider threw " + e));
            }
        }
        stage.whenComplete((results, error) -> complete(decision, sentAt, results, error));
    }

    private void complete(ScaleDecision decision, long sentAt, List<InvocationResult> results, Throwable error) {
        List<InvocationResult> outcome = error != null
                ? failAll(decision, FailureClass.INTERNAL, "provider failed: " + error)
                : matchIds(decision, results);
        Duration latency = Duration.ofMillis(Math.max(0, clock.millis() - sentAt));
        Optional<Duration> backoff = scaler.onInvocationResults(decision, outcome);
        for (InvocationResult r : outcome) {
            observer.result(decision, r, latency);
        }
        Duration asked = longestRetryAfter(outcome);
        if (backoff.isPresent() && asked != null && asked.compareTo(backoff.get()) > 0) {
            observer.retryAfterCapped(decision, asked, backoff.get());
        }
        ScaleDecision next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null && --inFlight == 0) {
                notifyAll();
            }
        }
        if (next != null) {
            send(next);
        }
    }

    private static Duration longestRetryAfter(List<InvocationResult> outcome) {
        Duration longest = null;
        for (InvocationResult r : outcome) {
            if (r instanceof InvocationResult.Failed f && f.failure().retryAfter() != null
                    && (longest == null || f.failure().retryAfter().compareTo(longest) > 0)) {
                longest = f.failure().retryAfter();
            }
        }
        return longest;
    }

    /** One result per reserved id, whatever the provider returned: a missing one is an internal failure. */
    private static List<InvocationResult> matchIds(ScaleDecision decision, List<InvocationResult> results) {
        List<String> ids = decision.invocationIds();
        if (results != null && results.size() == ids.size()) {
            return results;
        }
        List<InvocationResult> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            InvocationResult found = null;
            if (results != null) {
                for (InvocationResult r : results) {
                    if (r.invocationId().equals(id)) {
                        found = r;
                        break;
                    }
                }
            }
            out.add(found != null ? found : new InvocationResult.Failed(id,
                    ComputeFailure.of(FailureClass.INTERNAL, "provider returned no result for this invocation")));
        }
        return out;
    }

    private static List<InvocationResult> failAll(ScaleDecision decision, FailureClass cls, String message) {
        ComputeFailure failure = ComputeFailure.of(cls, message);
        List<InvocationResult> out = new ArrayList<>(decision.count());
        for (String id : decision.invocationIds()) {
            out.add(new InvocationResult.Failed(id, failure));
        }
        return out;
    }
}
