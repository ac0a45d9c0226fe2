package dev.wci.core.scaling;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The invocations of one scaling group that may still be running. WCI never sees Lambda's own count
 * of environments, so this is its model of the fleet: an entry is live from the decision that
 * reserved it until its effective end (poll end, reported exit, or the group's idle-exit prediction).
 * Failed invocations leave at once. Not thread-safe: the scaler confines it.
 */
public final class Ledger {

    private final ArrayList<LedgerEntry> entries = new ArrayList<>();

    public void reserve(LedgerEntry entry) {
        entries.add(entry);
    }

    /** Removes an invocation (it failed); returns it, or null if unknown. */
    public LedgerEntry remove(String invocationId) {
        int i = indexOf(invocationId);
        return i < 0 ? null : entries.remove(i);
    }

    /** A worker reported it polls; returns the updated entry (null if unknown). */
    public LedgerEntry ready(String invocationId, long atMillis) {
        return update(invocationId, e -> e.ready(atMillis));
    }

    /** A worker reported its exit; returns the updated entry (null if unknown). */
    public LedgerEntry ended(String invocationId, long atMillis) {
        return update(invocationId, e -> e.ended(atMillis));
    }

    /**
     * Counts live workers at {@code now}.
     *
     * @param lastDemandAt   last time the group had work (for the idle-exit prediction)
     * @param idleExitMillis how long workers stay without work; 0 if they never exit idle
     * @param expiringUntil a worker whose poll end falls before this instant counts as expiring
     */
    public LiveWorkers count(long now, long lastDemandAt, long idleExitMillis, long expiringUntil) {
        int starting = 0;
        int ready = 0;
        int expiring = 0;
        for (int i = 0, n = entries.size(); i < n; i++) {
            LedgerEntry e = entries.get(i);
            if (now >= e.effectiveEnd(lastDemandAt, idleExitMillis)) {
                continue;
            }
            if (now < e.readyAt()) {
                starting++;
            } else {
                ready++;
            }
            if (e.pollEnd() < expiringUntil) {
                expiring++;
            }
        }
        if (starting == 0 && ready == 0) {
            return LiveWorkers.NONE;
        }
        return new LiveWorkers(starting, ready, expiring);
    }

    /** Drops entries that ended before {@code now}, handing each to {@code onEnded} (for budget refunds). */
    public void prune(long now, long lastDemandAt, long idleExitMillis, Consumer<LedgerEntry> onEnded) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            LedgerEntry e = entries.get(i);
            if (now >= e.effectiveEnd(lastDemandAt, idleExitMillis)) {
                entries.remove(i);
                onEnded.accept(e);
            }
        }
    }

    /**
     * Ends up to {@code count} workers that are live at {@code now} and were ready by {@code readyBy}, the
     * longest-ready first; returns how many.
     */
    public int endReady(int count, long now, long readyBy, long lastDemandAt, long idleExitMillis) {
        int ended = 0;
        long readyNoLaterThan = Math.min(now, readyBy);
        while (ended < count) {
            int oldest = -1;
            for (int i = 0, n = entries.size(); i < n; i++) {
                LedgerEntry e = entries.get(i);
                if (e.readyAt() <= readyNoLaterThan && now < e.effectiveEnd(lastDemandAt, idleExitMillis)
                        && (oldest < 0 || e.readyAt() < entries.get(oldest).readyAt())) {
                    oldest = i;
                }
            }
            if (oldest < 0) {
                break;
            }
            entries.set(oldest, entries.get(oldest).ended(now));
            ended++;
        }
        return ended;
    }

    /** Worker-seconds of readiness within {@code [from, to]}, summed over all workers. */
    public double readySeconds(long from, long to, long lastDemandAt, long idleExitMillis) {
        long total = 0;
        for (int i = 0, size = entries.size(); i < size; i++) {
            LedgerEntry e = entries.get(i);
            long start = Math.max(from, e.readyAt());
            long end = Math.min(to, e.effectiveEnd(lastDemandAt, idleExitMillis));
            if (end > start) {
                total += end - start;
            }
        }
        return total / 1000.0;
    }

    public int size() {
        return entries.size();
    }

    /** A copy of the entries, for status and tests. */
    public List<LedgerEntry> entries() {
        return List.copyOf(entries);
    }

    private int indexOf(String invocationId) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).invocationId().equals(invocationId)) {
                return i;
            }
        }
        return -1;
    }

    private LedgerEntry update(String invocationId, java.util.function.UnaryOperator<LedgerEntry> change) {
        int i = indexOf(invocationId);
        if (i < 0) {
            return null;
        }
        LedgerEntry e = change.apply(entries.get(i));
        entries.set(i, e);
        return e;
    }
}
