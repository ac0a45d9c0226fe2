package dev.wci.core.signal.stats;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When one version is read next from Temporal, by its {@link PollRhythm}: the one definition of "when to read a
 * version". The server's stats source and its worker census source each keep one per version (each on its own
 * rhythm), and the simulator runs the same two, so all read on the same rules. Not thread-safe (one reader owns it).
 *
 * <ul>
 *   <li>A new version starts active and due at once: it was just deployed or WCI just started.</li>
 *   <li>After a read ({@link #polled}): busy (backlog or arrivals) or with live workers keeps it active; it turns
 *       idle {@code idleAfter} after the last such read; the next read is one interval of its mode later.</li>
 *   <li>An idle version that gains live workers is read again within one active interval of its last read
 *       ({@link #workersLive}).</li>
 *   <li>A routing change (it becomes Current or Ramping, or starts draining) moves work to or from it: active,
 *       due at once ({@link #workMoved}).</li>
 *   <li>A version that receives new work (Current or Ramping, {@link #receivesNewWork}) never turns idle: a burst
 *       after a quiet spell lands on it, and an idle interval would add up to that interval to its detection.
 *       Only versions that new work does not reach (Draining, Inactive) slow down.</li>
 *   <li>A failed read backs off: the mode's interval doubled per consecutive failure, up to
 *       {@link PollRhythm#MAX_BACKOFF} (or the idle interval if longer) ({@link #failed}).</li>
 * </ul>
 */
public final class VersionPoll {

    private final PollRhythm rhythm;
    private Instant nextDue;
    private Instant lastActiveAt;
    private Instant lastPolledAt;
    private boolean active = true;
    private boolean receivesNewWork;
    private int consecutiveFailures;

    public VersionPoll(PollRhythm rhythm, Instant now) {
        this.rhythm = Objects.requireNonNull(rhythm, "rhythm");
        this.nextDue = Objects.requireNonNull(now, "now");
        this.lastActiveAt = now;
    }

    /** A read succeeded at {@code at}; {@code busy}: backlog, arrivals or live workers. Returns the next due time. */
    public Instant polled(Instant at, boolean busy) {
        if (busy) {
            lastActiveAt = at;
        }
        active = receivesNewWork || Duration.between(lastActiveAt, at).compareTo(rhythm.idleAfter()) < 0;
        nextDue = at.plus(rhythm.interval(active));
        lastPolledAt = at;
        consecutiveFailures = 0;
        return nextDue;
    }

    /**
     * The version turned busy between reads (it has live workers now): an idle one is read within one active
     * interval of its last read; the read itself then says whether it stays active.
     */
    public void workersLive() {
        if (!active && lastPolledAt != null) {
            dueBy(lastPolledAt.plus(rhythm.activeInterval()));
        }
    }

    /**
     * Read no later than {@code at} (e.g. a source that could not read learns that it can now), without changing
     * the mode: the read itself says whether the version is busy.
     */
    public void dueBy(Instant at) {
        if (at.isBefore(nextDue)) {
            nextDue = at;
        }
    }

    /** Routing moved work to or from the version at {@code now}: active, and due at once. */
    public void workMoved(Instant now) {
        lastActiveAt = now;
        active = true;
        dueBy(now);
    }

    /**
     * Whether new work reaches the version (it is Current or Ramping). While it does, the version stays active:
     * polled every active interval however long it has been quiet. An idle one that starts receiving new work is
     * read within one active interval of its last read.
     */
    public void receivesNewWork(boolean receives) {
        receivesNewWork = receives;
        if (receives && !active) {
            workersLive(); // pulls the next read forward, as for live workers
            active = true;
        }
    }

    /** A read failed at {@code at}: back off. Returns the next due time. */
    public Instant failed(Instant at) {
        consecutiveFailures++;
        Duration base = rhythm.interval(active);
        Duration cap = base.compareTo(PollRhythm.MAX_BACKOFF) > 0 ? base : PollRhythm.MAX_BACKOFF;
        Duration wait = base.multipliedBy(1L << Math.min(consecutiveFailures, 16));
        nextDue = at.plus(wait.compareTo(cap) > 0 ? cap : wait);
        return nextDue;
    }

    /** The server pushed back on all reads (its rate limit): this version keeps its interval. */
    public Instant throttled(Instant at) {
        nextDue = at.plus(rhythm.interval(active));
        return nextDue;
    }

    public Instant nextDue() {
        return nextDue;
    }

    public boolean active() {
        return active;
    }

    public Optional<Instant> lastPolledAt() {
        return Optional.ofNullable(lastPolledAt);
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }
}
