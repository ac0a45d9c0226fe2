package dev.wci.core.limits;

import java.time.Duration;
import java.util.Optional;

/**
 * Holds back a target whose invocations start workers that never make progress on the version (an invoke
 * loop: e.g. the function's workers poll another build ID). While suspect, invokes stop; after a backoff one
 * probe invocation is let through, and the backoff doubles up to a maximum. Progress on the version clears it.
 * Not thread-safe.
 */
public final class InvokeLoopGuard {

    /** First wait before a probe. */
    public static final Duration FIRST_BACKOFF = Duration.ofMinutes(1);
    /** Longest wait between probes. */
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(30);

    private String reason;
    private long sinceMillis;
    private long backoffMillis;
    private long probeAtMillis;

    /** Marks the target suspect (again): the next probe waits the current backoff, which then doubles. */
    public void suspect(String why, long nowMillis) {
        if (reason == null) {
            sinceMillis = nowMillis;
            backoffMillis = FIRST_BACKOFF.toMillis();
        }
        reason = why;
        probeAtMillis = nowMillis + backoffMillis;
        backoffMillis = Math.min(MAX_BACKOFF.toMillis(), backoffMillis * 2);
    }

    /** The version made progress: the target is trusted again. */
    public void clear() {
        reason = null;
    }

    public boolean isSuspect() {
        return reason != null;
    }

    /**
     * How many of {@code requested} invokes may go now: all when not suspect, one probe once the backoff
     * passed, else none.
     */
    int allowed(int requested, long nowMillis) {
        if (reason == null) {
            return requested;
        }
        if (nowMillis < probeAtMillis || requested == 0) {
            return 0;
        }
        probeAtMillis = nowMillis + backoffMillis;
        return 1;
    }

    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    /** When the target became suspect (epoch millis); meaningful only while suspect. */
    public long sinceMillis() {
        return sinceMillis;
    }

    /** When the next probe may go (epoch millis); meaningful only while suspect. */
    public long probeAtMillis() {
        return probeAtMillis;
    }
}
