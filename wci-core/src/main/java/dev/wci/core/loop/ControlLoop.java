package dev.wci.core.loop;

import dev.wci.core.invoke.InvokeExecutor;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.signal.MatchingSignal;
import dev.wci.core.signal.SignalSink;
import java.util.Optional;

/**
 * Joins the scaler to the executor: a signal is decided on at once and any invoke is sent at once
 * (scale-from-zero adds no waiting); {@link #tick()} runs the periodic re-evaluation. Thread-safe.
 */
public final class ControlLoop implements SignalSink {

    private final ReactiveScaler scaler;
    private final InvokeExecutor executor;

    public ControlLoop(ReactiveScaler scaler, InvokeExecutor executor) {
        this.scaler = scaler;
        this.executor = executor;
    }

    @Override
    public void accept(MatchingSignal signal) {
        decide(signal);
    }

    /** Decides on a signal and sends any invoke at once; returns the invoking decision, if any. */
    public Optional<ScaleDecision> decide(MatchingSignal signal) {
        Optional<ScaleDecision> decision = scaler.onSignal(signal);
        decision.ifPresent(executor::execute);
        return decision;
    }

    /** Re-evaluates every group and sends the resulting invokes. */
    public void tick() {
        for (ScaleDecision d : scaler.tick()) {
            executor.execute(d);
        }
    }
}
