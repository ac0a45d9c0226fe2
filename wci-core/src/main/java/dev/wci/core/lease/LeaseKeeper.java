package dev.wci.core.lease;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A replica's leases: which deployments it may invoke for, proven through a {@link LeaseStore}.
 *
 * <p><b>Fencing.</b> A lease is trusted until {@code sentAt + ttl − margin}, where {@code sentAt} is when the
 * last granted claim was <em>sent</em>. The store starts its TTL when it processes the claim, which is later, so
 * the local expiry is never later than the store's: another replica can be granted the lease only after this one
 * stopped trusting it. {@link #holds} reads only the clock, so a store that stops answering (or a round that
 * hangs) fences the replica by itself.
 *
 * <p><b>Rounds.</b> {@link #round} (every {@link LeaseSettings#renewEvery()}) reports this replica alive, renews
 * what it holds, releases extras and claims what it lacks, aiming at {@link Spread#target()} leases: below it, it
 * claims every lease it does not hold; at it, it claims only leases whose holder is not a live replica, up to
 * {@link Spread#cap()}; above it, it releases one lease per round while another live replica holds fewer than the
 * target (and always above the cap). Claims of leases whose holder is gone come first, and after the first claim
 * claiming stops half a renew interval after the renewals, so rounds keep their rhythm and renewals are never late. A release is graceful: fenced locally first, then released in the store so
 * the other replica can claim it at its next round, without waiting for the TTL.
 *
 * <p>Thread-safe: rounds run on one thread; {@link #holds} and {@link #status} may be called from any.
 */
public final class LeaseKeeper {

    /** Lease changes kept for {@link #history()}. */
    public static final int HISTORY = 100;

    private final LeaseSettings settings;
    private final List<String> order;
    private final LeaseStore store;
    private final Clock clock;
    private final LeaseListener listener;
    private final Executor renewals;

    // Guarded by this.
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private List<LeaseStore.Member> members = List.of();
    private final ArrayDeque<LeaseEvent> history = new ArrayDeque<>();
    private String membershipError;

    private static final class Entry {
        boolean held;
        Instant validUntil = Instant.MIN;
        Instant acquiredAt = Instant.MIN;
        String owner;
        Instant since;
        String lastError;
    }

    /**
     * @param deployments the deployments to share (every replica must be given the same set)
     */
    public LeaseKeeper(LeaseSettings settings, List<String> deployments, LeaseStore store, Clock clock,
                       LeaseListener listener) {
        this(settings, deployments, store, clock, listener, Runnable::run);
    }

    /**
     * @param renewals runs the renewals of one round side by side (a slow store call then delays no other lease);
     *                 {@code Runnable::run} renews one after the other
     */
    public LeaseKeeper(LeaseSettings settings, List<String> deployments, LeaseStore store, Clock clock,
                       LeaseListener listener, Executor renewals) {
        this.renewals = renewals;
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        this.listener = listener;
        List<String> sorted = deployments.stream().distinct().sorted().toList();
        // Each replica starts its claims at a different deployment, so replicas starting together collide less.
        int start = sorted.isEmpty() ? 0 : Math.floorMod(settings.identity().hashCode(), sorted.size());
        List<String> rotated = new ArrayList<>(sorted.subList(start, sorted.size()));
        rotated.addAll(sorted.subList(0, start));
        this.order = List.copyOf(rotated);
        for (String d : order) {
            entries.put(d, new Entry());
        }
    }

    public LeaseSettings settings() {
        return settings;
    }

    /** Whether this replica may invoke for {@code deployment} now: it holds the lease and its renewal is recent. */
    public synchronized boolean holds(String deployment) {
        Entry e = entries.get(deployment);
        return e != null && e.held && clock.instant().isBefore(e.validUntil);
    }

    /** Deployments this replica may invoke for now. */
    public synchronized List<String> held() {
        Instant now = clock.instant();
        return order.stream().filter(d -> {
            Entry e = entries.get(d);
            return e.held && now.isBefore(e.validUntil);
        }).toList();
    }

    /** Live replicas as of the last heartbeat (at least this one). */
    public synchronized int replicas() {
        return Math.max(1, members.size() + (isMember(settings.identity()) ? 0 : 1));
    }

    /**
     * One round: expire, renew (side by side) while reporting alive, release extras, claim. Blocks on the store's
     * calls.
     */
    public void round() {
        List<Consumer<LeaseListener>> events = Collections.synchronizedList(new ArrayList<>());
        expire(events);
        List<CompletableFuture<Void>> renewing = new ArrayList<>();
        for (String d : order) {
            if (isHeld(d)) {
                renewing.add(CompletableFuture.runAsync(() -> claim(d, events), renewals));
            }
        }
        heartbeat();
        renewing.forEach(CompletableFuture::join);
        Spread spread;
        boolean othersShort;
        synchronized (this) {
            expireLocked(clock.instant(), events);
            spread = Spread.of(order.size(), replicas());
            othersShort = members.stream().anyMatch(m -> !m.identity().equals(settings.identity())
                    && m.held() < spread.target());
        }
        int held = held().size();
        if (held > spread.cap() || (held > spread.target() && othersShort)) {
            newestHeld().ifPresent(d -> release(d, events));
            held--;
        }
        // Orphans first (their deployments wait for an owner). After the first claim, claiming stops half a renew
        // interval after the renewals: a round that overran its interval would renew late and let this replica's own
        // leases lapse, and one claim per round keeps a slow store from starving a replica that needs leases.
        Instant claimsUntil = clock.instant().plus(settings.renewEvery().dividedBy(2));
        List<String> candidates = new ArrayList<>(order);
        candidates.sort(Comparator.comparing((String d) -> !orphaned(d)));
        boolean claimed = false;
        for (String d : candidates) {
            if (held >= spread.cap() || (held >= spread.target() && othersShort)
                    || (claimed && !clock.instant().isBefore(claimsUntil))) {
                break;
            }
            if (!isHeld(d) && (held < spread.target() || orphaned(d))) {
                claimed = true;
                if (claim(d, events)) {
                    held++;
                }
            }
        }
        List.copyOf(events).forEach(e -> e.accept(listener));
    }

    /** Graceful stop: every lease is fenced, then released, and the replica leaves the membership. */
    public void releaseAll() {
        List<Consumer<LeaseListener>> events = new ArrayList<>();
        for (String d : held()) {
            release(d, events);
        }
        try {
            store.leave(settings.identity());
        } catch (RuntimeException e) {
            // Its heartbeat lapses by itself.
        }
        events.forEach(e -> e.accept(listener));
    }

    /** Every deployment's lease as this replica knows it. */
    public synchronized List<LeaseStatus> status() {
        Instant now = clock.instant();
        List<LeaseStatus> out = new ArrayList<>();
        for (String d : order) {
            Entry e = entries.get(d);
            boolean held = e.held && now.isBefore(e.validUntil);
            out.add(new LeaseStatus(d, Optional.ofNullable(e.owner), Optional.ofNullable(e.since), held,
                    held ? Optional.of(e.validUntil) : Optional.empty(), e.lastError));
        }
        return out;
    }

    /** This replica's last {@link #HISTORY} lease changes, oldest first. */
    public synchronized List<LeaseEvent> history() {
        return List.copyOf(history);
    }

    private void record(String deployment, LeaseEvent.Kind kind, Instant at, String other) {
        if (history.size() == HISTORY) {
            history.removeFirst();
        }
        history.addLast(new LeaseEvent(deployment, kind, at, other));
    }

    /** Live replicas as of the last heartbeat, and the heartbeat's last error (null when it succeeded). */
    public synchronized List<LeaseStore.Member> members() {
        return members;
    }

    public synchronized String membershipError() {
        return membershipError;
    }

    private void heartbeat() {
        int held = held().size();
        try {
            List<LeaseStore.Member> live = store.heartbeat(settings.identity(), held, settings.ttl());
            synchronized (this) {
                members = List.copyOf(live);
                membershipError = null;
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                membershipError = e.toString(); // the last list stands; leases are fenced on their own
            }
        }
    }

    /** Claims or renews; true when granted. */
    private boolean claim(String d, List<Consumer<LeaseListener>> events) {
        Instant sentAt = clock.instant();
        LeaseStore.Claim answer;
        try {
            answer = store.claim(d, settings.identity(), settings.ttl());
        } catch (RuntimeException e) {
            synchronized (this) {
                entries.get(d).lastError = e.toString();
            }
            return false;
        }
        synchronized (this) {
            Instant now = clock.instant();
            expireLocked(now, events); // a lapse that went unnoticed is recorded as such, not bridged
            Entry e = entries.get(d);
            e.lastError = null;
            if (answer instanceof LeaseStore.Granted g) {
                Instant validUntil = sentAt.plus(settings.ttl()).minus(settings.margin());
                boolean wasHeld = e.held && now.isBefore(e.validUntil);
                e.owner = settings.identity();
                e.since = g.since();
                if (!now.isBefore(validUntil)) {
                    // Granted, but the answer came too late to prove anything: trust it from the next renewal.
                    if (wasHeld) {
                        e.held = false;
                        record(d, LeaseEvent.Kind.LAPSED, e.validUntil, null);
                        events.add(l -> l.lost(d, LeaseListener.LostReason.LAPSED));
                    }
                    return false;
                }
                e.held = true;
                e.validUntil = validUntil;
                if (!wasHeld) {
                    e.acquiredAt = now;
                    String previous = g.previousOwner();
                    record(d, previous == null ? LeaseEvent.Kind.ACQUIRED : LeaseEvent.Kind.TAKEN_OVER, now, previous);
                    events.add(l -> l.acquired(d, previous));
                }
                return true;
            }
            LeaseStore.Refused r = (LeaseStore.Refused) answer;
            boolean wasHeld = e.held;
            e.held = false;
            e.owner = r.holder();
            e.since = r.since();
            if (wasHeld) {
                record(d, LeaseEvent.Kind.TAKEN, now, r.holder());
                events.add(l -> l.lost(d, LeaseListener.LostReason.TAKEN));
            }
            return false;
        }
    }

    private void release(String d, List<Consumer<LeaseListener>> events) {
        synchronized (this) {
            Entry e = entries.get(d);
            e.held = false; // fenced before the store hears of it
            e.owner = null;
            e.since = null;
            record(d, LeaseEvent.Kind.RELEASED, clock.instant(), null);
        }
        events.add(l -> l.released(d));
        try {
            store.release(d, settings.identity());
        } catch (RuntimeException ex) {
            synchronized (this) {
                entries.get(d).lastError = ex.toString(); // it lapses at the store's TTL instead
            }
        }
    }

    private void expire(List<Consumer<LeaseListener>> events) {
        synchronized (this) {
            expireLocked(clock.instant(), events);
        }
    }

    private void expireLocked(Instant now, List<Consumer<LeaseListener>> events) {
        for (Map.Entry<String, Entry> me : entries.entrySet()) {
            Entry e = me.getValue();
            if (e.held && !now.isBefore(e.validUntil)) {
                e.held = false;
                String d = me.getKey();
                record(d, LeaseEvent.Kind.LAPSED, e.validUntil, null);
                events.add(l -> l.lost(d, LeaseListener.LostReason.LAPSED));
            }
        }
    }

    private synchronized boolean isHeld(String d) {
        return entries.get(d).held;
    }

    /** Nobody known holds it, or its holder is not a live replica. */
    private synchronized boolean orphaned(String d) {
        Entry e = entries.get(d);
        return e.owner == null || e.owner.equals(settings.identity()) || !isMember(e.owner);
    }

    private boolean isMember(String identity) {
        for (LeaseStore.Member m : members) {
            if (m.identity().equals(identity)) {
                return true;
            }
        }
        return false;
    }

    private synchronized Optional<String> newestHeld() {
        return order.stream().filter(d -> entries.get(d).held)
                .max(Comparator.comparing((String d) -> entries.get(d).acquiredAt));
    }
}
