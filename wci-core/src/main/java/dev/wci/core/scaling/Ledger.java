package dev.wci.core.scaling;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The invocations of one scaling group that may still be running, and the workers the census showed that this
 * process did not invoke (adopted). An entry is live from the decision that reserved it until its effective end
 * (see {@link LedgerView}): its poll end, an exit reported or seen, or, in the model only, the group's idle-exit
 * prediction. Failed invocations leave at once. Not thread-safe: the scaler confines it.
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

    /** The provider accepted an invocation under {@code requestId}; returns the updated entry (null if unknown). */
    LedgerEntry identified(String invocationId, String requestId) {
        return update(invocationId, e -> e.identified(requestId));
    }

    /** Removes the adopted entry of the worker with this request id; returns it, or null if none. */
    LedgerEntry removeAdopted(String requestId) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            LedgerEntry e = entries.get(i);
            if (e.adopted() && requestId.equals(e.requestId())) {
                return entries.remove(i);
            }
        }
        return null;
    }

    /**
     * Counts live workers at {@code now}.
     *
     * @param expiringUntil a worker whose poll end falls before this instant counts as expiring
     * @param lateBefore    a worker still starting that was invoked before this instant counts as late
     */
    LiveWorkers count(long now, LedgerView view, long expiringUntil, long lateBefore) {
        int starting = 0;
        int ready = 0;
        int expiring = 0;
        int late = 0;
        for (int i = 0, n = entries.size(); i < n; i++) {
            LedgerEntry e = entries.get(i);
            if (now >= e.effectiveEnd(view)) {
                continue;
            }
            if (now < e.readyAt(view)) {
                starting++;
                if (e.invokedAt() < lateBefore) {
                    late++;
                    continue;
                }
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
        return new LiveWorkers(starting, ready, expiring, late);
    }

    /**
     * Workers the census listed that are live at {@code now} and stop taking work before {@code expiringUntil}: the
     * census vouches that they run, so their poll end really frees their slot. An unseen one vouches for nothing.
     */
    int seenExpiring(long now, long expiringUntil) {
        int n = 0;
        for (int i = 0, size = entries.size(); i < size; i++) {
            LedgerEntry e = entries.get(i);
            if (e.seen() && now < Math.min(e.pollEnd(), e.endedAt()) && e.pollEnd() < expiringUntil) {
                n++;
            }
        }
        return n;
    }

    /** Workers the census listed that are live at {@code now} (only those this process did not invoke, if asked). */
    int seenLive(long now, boolean adoptedOnly) {
        int n = 0;
        for (int i = 0, size = entries.size(); i < size; i++) {
            LedgerEntry e = entries.get(i);
            if (e.seen() && now < Math.min(e.pollEnd(), e.endedAt()) && (!adoptedOnly || e.adopted())) {
                n++;
            }
        }
        return n;
    }

    /** Drops entries that ended before {@code now}, handing each to {@code onEnded} (for budget refunds). */
    void prune(long now, LedgerView view, Consumer<LedgerEntry> onEnded) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            LedgerEntry e = entries.get(i);
            if (now >= e.effectiveEnd(view)) {
                entries.remove(i);
                onEnded.accept(e);
            }
        }
    }

    /**
     * Ends up to {@code count} workers that are live at {@code now} and were ready by {@code readyBy}, the
     * longest-ready first; returns how many.
     */
    int endReady(int count, long now, long readyBy, LedgerView view) {
        int ended = 0;
        long readyNoLaterThan = Math.min(now, readyBy);
        while (ended < count) {
            int oldest = -1;
            for (int i = 0, n = entries.size(); i < n; i++) {
                LedgerEntry e = entries.get(i);
                if (e.readyAt(view) <= readyNoLaterThan && now < e.effectiveEnd(view)
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

    /**
     * When the longest-starting worker still starting on time at {@code now} was invoked (one invoked before
     * {@code lateBefore} is late, not on time), or {@link Long#MAX_VALUE} if none is.
     */
    long oldestStarting(long now, LedgerView view, long lateBefore) {
        long oldest = Long.MAX_VALUE;
        for (int i = 0, size = entries.size(); i < size; i++) {
            LedgerEntry e = entries.get(i);
            if (now < e.effectiveEnd(view) && now < e.readyAt(view) && e.invokedAt() >= lateBefore) {
                oldest = Math.min(oldest, e.invokedAt());
            }
        }
        return oldest;
    }

    /** The first moment within {@code [from, to)} at which a worker was ready, or {@link Long#MAX_VALUE} if none. */
    long firstReady(long from, long to, LedgerView view) {
        long first = Long.MAX_VALUE;
        for (int i = 0, size = entries.size(); i < size; i++) {
            LedgerEntry e = entries.get(i);
            long start = Math.max(from, e.readyAt(view));
            if (start < Math.min(to, e.effectiveEnd(view))) {
                first = Math.min(first, start);
            }
        }
        return first;
    }

    /** Worker-seconds of readiness within {@code [from, to]}, summed over all workers. */
    double readySeconds(long from, long to, LedgerView view) {
        long total = 0;
        for (int i = 0, size = entries.size(); i < size; i++) {
            LedgerEntry e = entries.get(i);
            long start = Math.max(from, e.readyAt(view));
            long end = Math.min(to, e.effectiveEnd(view));
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

    /** The entry at {@code index} (0 ≤ index &lt; {@link #size()}), for reconciling with the census. */
    LedgerEntry get(int index) {
        return entries.get(index);
    }

    void set(int index, LedgerEntry entry) {
        entries.set(index, entry);
    }

    private int indexOf(String invocationId) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).invocationId().equals(invocationId)) {
                return i;
            }
        }
        return -1;
    }

    LedgerEntry update(String invocationId, UnaryOperator<LedgerEntry> change) {
        int i = indexOf(invocationId);
        if (i < 0) {
            return null;
        }
        LedgerEntry e = change.apply(entries.get(i));
        entries.set(i, e);
        return e;
    }
}
