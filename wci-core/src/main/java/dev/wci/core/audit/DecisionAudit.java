package dev.wci.core.audit;

import dev.wci.core.scaling.ScaleDecision;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent decisions, in a bounded ring, for {@code /status} and for tests. Thread-safe.
 */
public final class DecisionAudit {

    private final ScaleDecision[] ring;
    private long written;

    public DecisionAudit(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        ring = new ScaleDecision[capacity];
    }

    public synchronized void record(ScaleDecision decision) {
        ring[(int) (written % ring.length)] = decision;
        written++;
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
