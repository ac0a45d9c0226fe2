package dev.wci.lambda.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExitPolicyTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final ExitPolicy policy = new ExitPolicy(T0.plusSeconds(60), Duration.ofSeconds(5));

    @Test
    void keepsWorkingWhileRecentlyActive() {
        assertEquals(Optional.empty(), policy.decide(T0.plusSeconds(4), 0, T0));
        assertEquals(T0.plusSeconds(5), policy.nextCheck(0, T0));
    }

    @Test
    void exitsIdleOnlyWithNothingInFlight() {
        assertEquals(Optional.of(ExitReason.IDLE), policy.decide(T0.plusSeconds(5), 0, T0));
        assertEquals(Optional.empty(), policy.decide(T0.plusSeconds(30), 1, T0), "a long task is not idleness");
        assertEquals(T0.plusSeconds(60), policy.nextCheck(1, T0));
    }

    @Test
    void anIdleExitLetsLateTasksRunAsLongAsBeforeIt() {
        Instant hardStop = T0.plusSeconds(69);
        // Idle at 10 s: a task answered to a poll during the shutdown may run until the stop time plus the grace.
        assertEquals(T0.plusSeconds(66), policy.gracefulUntil(T0.plusSeconds(10), Duration.ofSeconds(6), hardStop));
        // At the stop time (the deadline exit): the grace from now.
        assertEquals(T0.plusSeconds(66), policy.gracefulUntil(T0.plusSeconds(60), Duration.ofSeconds(6), hardStop));
        assertEquals(T0.plusSeconds(67), policy.gracefulUntil(T0.plusSeconds(61), Duration.ofSeconds(6), hardStop));
        // Never past the hard stop before the Lambda deadline.
        assertEquals(hardStop, policy.gracefulUntil(T0.plusSeconds(65), Duration.ofSeconds(6), hardStop));
    }

    @Test
    void noIdleExitBeforeThePollersRun() {
        // A JVM and client start of 30 s is not idleness: without a polling start there is no idle clock.
        assertEquals(Optional.empty(), policy.decide(T0.plusSeconds(30), 0, null));
        assertEquals(T0.plusSeconds(60), policy.nextCheck(0, null));
        assertEquals(Optional.of(ExitReason.DEADLINE), policy.decide(T0.plusSeconds(60), 0, null));
    }

    @Test
    void tasksWaitingForTheVersionKeepItPolling() {
        assertEquals(Optional.empty(), policy.afterBacklogCheck(Backlog.of(3)));
        assertEquals(Optional.of(ExitReason.IDLE), policy.afterBacklogCheck(Backlog.of(0)));
        assertEquals(Optional.of(ExitReason.IDLE), policy.afterBacklogCheck(Backlog.failed("UNAVAILABLE")),
                "without an answer it exits idle as it would without the check");
    }

    @Test
    void deadlineWinsEvenWhenBusy() {
        assertEquals(Optional.of(ExitReason.DEADLINE), policy.decide(T0.plusSeconds(60), 3, T0.plusSeconds(59)));
    }

    @Test
    void idleDisabledMeansOnlyTheDeadline() {
        ExitPolicy noIdle = new ExitPolicy(T0.plusSeconds(60), null);
        assertEquals(Optional.empty(), noIdle.decide(T0.plusSeconds(59), 0, T0));
        assertEquals(T0.plusSeconds(60), noIdle.nextCheck(0, T0));
    }

    @Test
    void idleCheckNeverPastTheStopTime() {
        assertEquals(T0.plusSeconds(60), policy.nextCheck(0, T0.plusSeconds(58)));
    }
}
