package dev.wci.core.audit;

import dev.wci.core.scaling.ScaleDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The most recent decisions, in a bounded ring, for {@code /status} and for tests. Thread-safe.
 */
public final class DecisionAudit {

    private final ScaleDecision[] ring;
    private final Consumer<ScaleDecision> listener;
    private long written;

    public DecisionAudit(int capacity) {
        this(capacity, d -> { });
    }

    /** @param listener hears every recorded decision (e.g. to count them), outside the ring's lock */
    public DecisionAudit(int capacity, Consumer<ScaleDecision> listener) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        ring = new ScaleDecision[capacity];
        this.listener = listener;
    }

    public void record(ScaleDecision decision) {
        synchronized (this) {
            ring[(int) (written % ring.length)] = decision;
            written++;
        }
        listener.accept(decision);
    }

    /** Decisions recorded so far, including those the ring has dropped. */
    public synchronized long totalRecorded() {
        return written;
    }

    /** The retained decisions, oldest first. */
    public synchronized List<ScaleDecision> recent() {
        int n = (int) Math.min(written, ring.length);
        List<ScaleDecision> out = new ArrayList<>(n);
        for (long i = written - n; i < written; i++) {
            out.add(ring[(int) (i % ring.length)]);
        }
        return out;
    }
}
