package dev.wci.core.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaseKeeperTest {

    static final Duration TTL = Duration.ofSeconds(6);
    static final Duration RENEW = Duration.ofSeconds(2);
    static final List<String> DEPLOYMENTS = List.of("d1", "d2", "d3");

    final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    final MemoryStore store = new MemoryStore(clock);

    @Test
    void aLoneReplicaAcquiresEveryLeaseAndRenewsThem() {
        Recorder events = new Recorder();
        LeaseKeeper a = keeper("a", events);
        a.round();
        assertEquals(DEPLOYMENTS, a.held().stream().sorted().toList());
        assertEquals(List.of("acquired d1 from null", "acquired d2 from null", "acquired d3 from null"),
                events.sorted());
        for (int i = 0; i < 20; i++) { // 40 s: far beyond one TTL, held throughout because renewed
            clock.advance(RENEW);
            a.round();
            assertEquals(3, a.held().size());
        }
        assertEquals(3, events.all.size(), "renewals are no new acquisitions");
        assertEquals(1, a.replicas());
    }

    @Test
    void aReplicaThatCannotRenewStopsTrustingItsLeaseBeforeTheStoreLetsAnotherTakeIt() {
        Recorder events = new Recorder();
        LeaseKeeper a = keeper("a", events);
        store.latency = Duration.ofMillis(300); // the store processes each call this long after it was sent
        a.round();
        Instant lastSent = clock.instant().minus(Duration.ofMillis(300 * 4)); // heartbeat, then d1's claim
        assertTrue(a.holds("d1"));
        store.down = true;
        LeaseKeeper b = keeper("b", new Recorder());
        while (a.holds("d1")) {
            clock.advance(Duration.ofMillis(100));
            a.round();
        }
        Instant fencedAt = clock.instant();
        assertTrue(fencedAt.isBefore(lastSent.plus(TTL)), "fenced within the TTL: " + fencedAt);
        assertTrue(events.all.contains("lost d1 LAPSED"), events.all.toString());
        LeaseEvent lapse = a.history().stream().filter(e -> e.deployment().equals("d1")
                && e.kind() == LeaseEvent.Kind.LAPSED).findFirst().orElseThrow();
        assertTrue(!lapse.at().isAfter(fencedAt) && lapse.at().isAfter(fencedAt.minusMillis(101)),
                "the lapse is dated when trust ended, not when a round noticed it: " + lapse);
        assertFalse(a.holds("d1") || a.holds("d2") || a.holds("d3"));
        // The store still has a's lease until a TTL after it processed the last claim: b cannot have it earlier.
        store.down = false;
        store.latency = Duration.ZERO;
        b.round();
        assertFalse(b.holds("d1"), "the store's TTL outlasts the local one");
        clock.advance(TTL);
        b.round();
        b.round();
        assertTrue(b.holds("d1"));
    }

    @Test
    void aFailedRenewalKeepsTheLeaseUntilItsLocalExpiryOnly() {
        LeaseKeeper a = keeper("a", new Recorder());
        a.round();
        Instant sent = clock.instant();
        store.down = true;
        clock.advance(RENEW);
        a.round();
        assertTrue(a.holds("d2"), "one failed renewal loses nothing");
        clock.advance(TTL.minus(TTL.dividedBy(5)).minus(RENEW).minusMillis(1));
        assertTrue(a.holds("d2"));
        clock.advanceMillis(1);
        assertEquals(sent.plus(TTL).minus(TTL.dividedBy(5)), clock.instant());
        assertFalse(a.holds("d2"), "fenced at sentAt + TTL - margin, without any round running");
        assertTrue(a.status().stream().allMatch(s -> !s.held() && s.lastError() != null));
    }

    @Test
    void theRenewalsOfARoundGoThroughTheRenewalExecutor() {
        List<Runnable> submitted = new ArrayList<>();
        LeaseKeeper a = new LeaseKeeper(LeaseSettings.of("a", TTL, RENEW), DEPLOYMENTS, store, clock,
                new Recorder(), task -> {
                    submitted.add(task);
                    task.run();
                });
        a.round();
        assertEquals(0, submitted.size(), "nothing held yet: claims go one by one");
        clock.advance(RENEW);
        a.round();
        assertEquals(3, submitted.size(), "one renewal task per held lease");
        assertEquals(3, a.held().size());
    }

    @Test
    void claimsStopHalfARenewIntervalAfterTheRenewalsSoRenewalsStayOnTime() {
        LeaseKeeper a = keeper("a", new Recorder());
        store.latency = Duration.ofMillis(400); // claims start after the heartbeat: at +0, +0.4, +0.8 s; none from 1 s
        a.round();
        assertEquals(3, a.held().size(), "three claims fit in half an interval");
        MemoryStore alone = new MemoryStore(clock);
        alone.latency = Duration.ofMillis(400);
        LeaseKeeper b = new LeaseKeeper(LeaseSettings.of("b", TTL, RENEW), List.of("d1", "d2", "d3", "d4", "d5"),
                alone, clock, new Recorder());
        b.round();
        assertEquals(3, b.held().size(), "its target is 5, but no fourth claim after half an interval");
        MemoryStore slow = new MemoryStore(clock);
        slow.latency = Duration.ofSeconds(5); // even a store slower than the interval gets one claim per round
        new LeaseKeeper(LeaseSettings.of("c", TTL, RENEW), DEPLOYMENTS, slow, clock, new Recorder()).round();
        assertEquals(1, slow.leases.values().stream().filter(r -> "c".equals(r.owner)).count());
    }

    @Test
    void aGrantThatArrivesTooLateIsNotTrusted() {
        LeaseKeeper a = keeper("a", new Recorder());
        store.latency = TTL; // the answer comes after the lease it proves is already over locally
        a.round();
        assertTrue(a.held().isEmpty());
    }

    @Test
    void threeReplicasSpreadThreeDeploymentsOneEach() {
        List<LeaseKeeper> keepers = List.of(keeper("a", new Recorder()), keeper("b", new Recorder()),
                keeper("c", new Recorder()));
        runRounds(keepers, 10);
        for (LeaseKeeper k : keepers) {
            assertEquals(1, k.held().size(), k.settings().identity() + " holds " + k.held());
            assertEquals(3, k.replicas());
        }
    }

    @Test
    void twoReplicasSplitThreeDeploymentsTwoAndOne() {
        List<LeaseKeeper> keepers = List.of(keeper("a", new Recorder()), keeper("b", new Recorder()));
        runRounds(keepers, 10);
        List<Integer> counts = keepers.stream().map(k -> k.held().size()).sorted().toList();
        assertEquals(List.of(1, 2), counts);
    }

    @Test
    void aDeadReplicasLeaseIsTakenOverAfterItsTtlAndReportedAsATakeover() {
        Recorder bEvents = new Recorder();
        Recorder cEvents = new Recorder();
        LeaseKeeper a = keeper("a", new Recorder());
        LeaseKeeper b = keeper("b", bEvents);
        LeaseKeeper c = keeper("c", cEvents);
        runRounds(List.of(a, b, c), 10);
        String orphan = a.held().get(0);
        Instant killedAt = clock.instant();
        // a is killed: no more rounds, no release.
        Instant takenAt = null;
        for (int i = 0; i < 40 && takenAt == null; i++) {
            clock.advance(Duration.ofMillis(500));
            if (i % 4 == 3) {
                b.round();
                c.round();
            }
            assertFalse(a.holds(orphan) && (b.holds(orphan) || c.holds(orphan)), "two holders at " + clock.instant());
            if (b.holds(orphan) || c.holds(orphan)) {
                takenAt = clock.instant();
            }
        }
        assertTrue(takenAt != null, "taken over");
        LeaseKeeper taker = b.holds(orphan) ? b : c;
        LeaseEvent last = taker.history().get(taker.history().size() - 1);
        assertEquals(new LeaseEvent(orphan, LeaseEvent.Kind.TAKEN_OVER, takenAt, "a"), last);
        assertTrue(Duration.between(killedAt, takenAt).compareTo(TTL.plus(RENEW).plus(RENEW)) <= 0,
                "within a TTL and two rounds: " + Duration.between(killedAt, takenAt));
        List<String> all = new ArrayList<>(bEvents.all);
        all.addAll(cEvents.all);
        assertTrue(all.contains("acquired " + orphan + " from a"), all.toString());
        runRounds(List.of(b, c), 10);
        assertEquals(List.of(1, 2), List.of(b.held().size(), c.held().size()).stream().sorted().toList());
        assertEquals(2, b.replicas());
    }

    @Test
    void aReturningReplicaGetsItsShareThroughReleasesWithoutOverlapOrLapse() {
        Recorder aEvents = new Recorder();
        LeaseKeeper a = keeper("a", aEvents);
        runRounds(List.of(a), 2);
        assertEquals(3, a.held().size());
        LeaseKeeper b = keeper("b", new Recorder());
        LeaseKeeper c = keeper("c", new Recorder());
        for (int i = 0; i < 10; i++) {
            clock.advance(RENEW);
            for (LeaseKeeper k : List.of(a, b, c)) {
                k.round();
                for (String d : DEPLOYMENTS) {
                    int holders = (a.holds(d) ? 1 : 0) + (b.holds(d) ? 1 : 0) + (c.holds(d) ? 1 : 0);
                    assertTrue(holders <= 1, d + " has " + holders + " holders");
                }
            }
        }
        assertEquals(List.of(1, 1, 1), List.of(a.held().size(), b.held().size(), c.held().size()));
        assertTrue(aEvents.all.contains("released " + aEvents.releasedOne()), aEvents.all.toString());
        assertFalse(aEvents.all.stream().anyMatch(e -> e.startsWith("lost")), "released, never lapsed");
    }

    @Test
    void aReleasedLeaseIsClaimedAtTheNextRoundWithoutWaitingForTheTtl() {
        LeaseKeeper a = keeper("a", new Recorder());
        a.round();
        LeaseKeeper b = keeper("b", new Recorder());
        a.releaseAll();
        assertTrue(a.held().isEmpty());
        b.round();
        assertEquals(3, b.held().size(), "no TTL wait after a release");
        assertEquals(List.of(), store.liveMembers().stream().filter("a"::equals).toList(), "a left");
    }

    @Test
    void aLeaseTheStoreGaveToAnotherIsLostAtOnce() {
        Recorder events = new Recorder();
        LeaseKeeper a = keeper("a", events);
        a.round();
        store.leases.get("d1").owner = "intruder"; // e.g. an operator reset the lease
        store.leases.get("d1").expiresAt = clock.instant().plus(TTL);
        clock.advance(RENEW);
        a.round();
        assertFalse(a.holds("d1"));
        assertTrue(events.all.contains("lost d1 TAKEN"));
        assertEquals("intruder", a.status().stream().filter(s -> s.deployment().equals("d1")).findFirst()
                .orElseThrow().owner().orElseThrow());
    }

    @Test
    void spreadTargetIsTheCeilingAndTheCapOneMore() {
        assertEquals(new Spread(2, 3), Spread.of(3, 2));
        assertEquals(new Spread(1, 2), Spread.of(3, 3));
        assertEquals(new Spread(1, 2), Spread.of(3, 5));
        assertEquals(new Spread(3, 3), Spread.of(3, 1));
        assertEquals(new Spread(0, 0), Spread.of(0, 2));
        assertThrows(IllegalArgumentException.class, () -> Spread.of(3, 0));
    }

    @Test
    void settingsRejectARenewalTooSlowForTheTtl() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LeaseSettings.of("a", Duration.ofSeconds(6), Duration.ofSeconds(3)));
        assertEquals("the renew interval (3000ms) must be above 0 and at most a third of the lease TTL (6000ms)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LeaseSettings.of("a", Duration.ofSeconds(1),
                Duration.ofMillis(100)));
        assertThrows(IllegalArgumentException.class, () -> LeaseSettings.of(" ", TTL, RENEW));
        assertEquals(Duration.ofMillis(1200), LeaseSettings.of("a", TTL, RENEW).margin());
    }

    private void runRounds(List<LeaseKeeper> keepers, int rounds) {
        for (int i = 0; i < rounds; i++) {
            for (LeaseKeeper k : keepers) {
                k.round();
            }
            clock.advance(RENEW);
        }
    }

    private LeaseKeeper keeper(String id, Recorder events) {
        return new LeaseKeeper(LeaseSettings.of(id, TTL, RENEW), DEPLOYMENTS, store, clock, events);
    }

    static final class Recorder implements LeaseListener {
        final List<String> all = new ArrayList<>();

        @Override
        public void acquired(String deployment, String previousOwner) {
            all.add("acquired " + deployment + " from " + previousOwner);
        }

        @Override
        public void released(String deployment) {
            all.add("released " + deployment);
        }

        @Override
        public void lost(String deployment, LostReason reason) {
            all.add("lost " + deployment + " " + reason);
        }

        List<String> sorted() {
            return all.stream().sorted().toList();
        }

        String releasedOne() {
            return all.stream().filter(e -> e.startsWith("released ")).findFirst().orElse("released ?")
                    .substring("released ".length());
        }
    }

    /** The lease workflow's rules in memory: the TTL runs from when a claim is processed. */
    static final class MemoryStore implements LeaseStore {
        final TestClock clock;
        final Map<String, Rec> leases = new HashMap<>();
        final Map<String, Instant> memberExpiry = new HashMap<>();
        final Map<String, Integer> memberHeld = new HashMap<>();
        boolean down;
        Duration latency = Duration.ZERO;

        static final class Rec {
            String owner;
            Instant since;
            Instant expiresAt;
        }

        MemoryStore(TestClock clock) {
            this.clock = clock;
        }

        private Instant arrive() {
            if (down) {
                throw new IllegalStateException("UNAVAILABLE: store down");
            }
            clock.advance(latency);
            return clock.instant();
        }

        @Override
        public Claim claim(String deployment, String identity, Duration ttl) {
            Instant now = arrive();
            Rec r = leases.computeIfAbsent(deployment, d -> new Rec());
            boolean mine = identity.equals(r.owner);
            boolean free = r.owner == null || !now.isBefore(r.expiresAt);
            if (!mine && !free) {
                return new Refused(r.owner, r.since);
            }
            String previous = !mine && r.owner != null ? r.owner : null;
            if (!mine || !now.isBefore(r.expiresAt)) {
                r.since = now;
            }
            r.owner = identity;
            r.expiresAt = now.plus(ttl);
            return new Granted(r.since, previous);
        }

        @Override
        public void release(String deployment, String identity) {
            arrive();
            Rec r = leases.get(deployment);
            if (r != null && identity.equals(r.owner)) {
                r.owner = null;
            }
        }

        @Override
        public List<Member> heartbeat(String identity, int held, Duration ttl) {
            Instant now = arrive();
            memberExpiry.put(identity, now.plus(ttl));
            memberHeld.put(identity, held);
            return liveMembers().stream().map(m -> new Member(m, memberHeld.get(m))).toList();
        }

        @Override
        public void leave(String identity) {
            arrive();
            memberExpiry.remove(identity);
        }

        List<String> liveMembers() {
            return memberExpiry.entrySet().stream().filter(e -> clock.instant().isBefore(e.getValue()))
                    .map(Map.Entry::getKey).sorted().toList();
        }
    }
}
