package dev.wci.core.signal.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VersionPollTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final PollRhythm rhythm = PollRhythm.defaults();

    @Test
    void defaultsAreTheServersDocumentedOnes() {
        assertEquals(new PollRhythm(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(60)), rhythm);
        assertThrows(IllegalArgumentException.class, () -> new PollRhythm(Duration.ZERO, Duration.ofSeconds(1),
                Duration.ZERO));
    }

    @Test
    void aNewVersionIsActiveAndDueAtOnce() {
        VersionPoll p = new VersionPoll(rhythm, T0);
        assertTrue(p.active());
        assertEquals(T0, p.nextDue());
        assertEquals(Optional.empty(), p.lastPolledAt());
    }

    @Test
    void activeWhileBusyThenIdleAfterAMinuteOfQuiet() {
        VersionPoll p = new VersionPoll(rhythm, T0);
        assertEquals(T0.plusSeconds(1), p.polled(T0, true));
        Instant t = T0;
        for (int i = 1; i < 60; i++) {
            t = T0.plusSeconds(i);
            assertEquals(t.plusSeconds(1), p.polled(t, false), "still active at " + i + " s");
        }
        t = T0.plusSeconds(60);
        assertEquals(t.plusSeconds(10), p.polled(t, false));
        assertFalse(p.active());
        assertEquals(Optional.of(t), p.lastPolledAt());
    }

    @Test
    void aVersionThatReceivesNewWorkNeverFallsAsleep() {
        VersionPoll p = new VersionPoll(rhythm, T0);
        p.receivesNewWork(true);
        p.polled(T0, true);
        for (int i = 1; i <= 600; i++) {
            Instant t = T0.plusSeconds(i);
            assertEquals(t.plusSeconds(1), p.polled(t, false), "still polled every second after " + i + " s of quiet");
        }
        assertTrue(p.active());
    }

    @Test
    void anIdleVersionThatStartsReceivingNewWorkIsReadWithinOneActiveInterval() {
        VersionPoll p = new VersionPoll(rhythm, T0);
        Instant t = T0.plusSeconds(61);
        p.polled(T0, false);
        p.polled(t, false);
        assertFalse(p.active());
        assertEquals(t.plusSeconds(10), p.nextDue());
        p.receivesNewWork(true);
        assertTrue(p.active());
        assertEquals(t.plusSeconds(1), p.nextDue());
    }

    @Test
    void aVersionNoLongerReceivingNewWorkFallsAsleepAfterIdleAfter() {
        VersionPoll p = new VersionPoll(rhythm, T0);
        p.receivesNewWork(true);
        p.polled(T0, true);
        p.polled(T0.plusSeconds(120), false);
        assertTrue(p.active());
        p.receivesNewWork(false); // it started draining: only its own quiet counts now
        Instant t = T0.plusSeconds(121);
        assertEquals(t.plusSeconds(10), p.polled(t, false));
        assertFalse(p.active());
    }

    @Test
    void liveWorkersPullAnIdleVersionsNextReadWithinOneActiveInterval() {
        VersionPoll p = new VersionPoll(rhythm, T0);
        Instant t = T0.plusSeconds(61);
        p.polled(T0, false);
        p.polled(t, false);
        assertEquals(t.plusSeconds(10), p.nextDue());
        p.workersLive();
        assertEquals(t.plusSeconds(1), p.nextDue());
    }

    @Test
    void aRoutingChangeMakesItActiveAndDueNow() {
        VersionPoll p = new VersionPoll(rhythm, T0);
        p.polled(T0, false);
        p.polled(T0.plusSeconds(61), false);
        Instant now = T0.plusSeconds(62);
        p.workMoved(now);
        assertTrue(p.active());
        assertEquals(now, p.nextDue());
        assertEquals(now.plusSeconds(1), p.polled(now, false));
    }

    @Test
    void failuresBackOffDoublingUpToAMinuteAndASuccessResets() {
        VersionPoll p = new VersionPoll(rhythm, T0);
        assertEquals(T0.plusSeconds(2), p.failed(T0));
        assertEquals(T0.plusSeconds(4), p.failed(T0));
        for (int i = 0; i < 20; i++) {
            p.failed(T0);
        }
        assertEquals(T0.plusSeconds(60), p.nextDue());
        assertEquals(22, p.consecutiveFailures());
        p.polled(T0, true);
        assertEquals(0, p.consecutiveFailures());
        assertEquals(T0.plusSeconds(1), p.throttled(T0));
    }

    @Test
    void censusDefaultsAreTheDocumentedOnes() {
        assertEquals(new PollRhythm(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(30)),
                PollRhythm.censusDefaults());
    }

    @Test
    void onTheCensusRhythmAVersionIdlesAfterThirtySecondsWithoutWorkersOrDemand() {
        VersionPoll p = new VersionPoll(PollRhythm.censusDefaults(), T0);
        assertEquals(T0.plusSeconds(1), p.polled(T0, true));
        Instant t = T0.plusSeconds(29);
        assertEquals(t.plusSeconds(1), p.polled(t, false), "still active 29 s after the last busy read");
        t = T0.plusSeconds(30);
        assertEquals(t.plusSeconds(10), p.polled(t, false));
        assertFalse(p.active());
        // Workers start: read within one active interval of the last read, then every second while busy.
        p.workersLive();
        assertEquals(t.plusSeconds(1), p.nextDue());
        assertEquals(t.plusSeconds(2), p.polled(t.plusSeconds(1), true));
        assertTrue(p.active());
    }

    @Test
    void dueByOnlyBringsTheNextReadForwardAndKeepsTheMode() {
        VersionPoll p = new VersionPoll(rhythm, T0);
        Instant t = T0.plusSeconds(61);
        p.polled(T0, false);
        p.polled(t, false);
        assertEquals(t.plusSeconds(10), p.nextDue());
        p.dueBy(t.plusSeconds(20));
        assertEquals(t.plusSeconds(10), p.nextDue(), "never later");
        p.dueBy(t.plusSeconds(3));
        assertEquals(t.plusSeconds(3), p.nextDue());
        assertFalse(p.active(), "the read itself says whether it is busy");
        assertEquals(t.plusSeconds(13), p.polled(t.plusSeconds(3), false));
    }

    @Test
    void workersLiveDoesNotPullAnActiveVersionNorOneNeverRead() {
        VersionPoll fresh = new VersionPoll(rhythm, T0);
        fresh.workersLive();
        assertEquals(T0, fresh.nextDue());
        VersionPoll active = new VersionPoll(rhythm, T0);
        active.polled(T0, true);
        active.workersLive();
        assertEquals(T0.plusSeconds(1), active.nextDue());
    }
}
