package dev.wci.lambda.worker;

import dev.wci.core.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.temporal.worker.tuning.SlotPermit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The exit rule on an injected clock: the activity fed as the poll observer and slot suppliers would. */
class ExitWatchTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration IDLE = Duration.ofSeconds(3);

    private final TestClock clock = new TestClock(T0);
    private final TaskActivity activity = new TaskActivity(clock);
    private final List<Duration> checks = new ArrayList<>();
    private final List<Backlog> answers = new ArrayList<>();
    private final BacklogCheck server = (polled, timeout) -> {
        checks.add(timeout);
        assertEquals(Set.of(TaskActivity.Kind.WORKFLOW, TaskActivity.Kind.ACTIVITY), polled);
        return answers.remove(0);
    };
    private final ExitWatch watch = new ExitWatch(new ExitPolicy(T0.plusSeconds(600), IDLE), activity, server,
            Duration.ofSeconds(2), clock, "d:b");

    private void startPolling() {
        activity.pollingStarted();
        activity.pollSent(TaskActivity.Kind.WORKFLOW);
        activity.pollSent(TaskActivity.Kind.ACTIVITY);
    }

    @Test
    void idlenessCountsFromWhenThePollersRun() {
        clock.advance(Duration.ofSeconds(25)); // JVM start, client start, registration: a slow cold start
        assertEquals(Optional.empty(), watch.check());
        activity.pollingStarted();
        clock.advance(Duration.ofSeconds(2));
        activity.pollSent(TaskActivity.Kind.WORKFLOW); // the first poll goes out late: the clock restarts
        clock.advance(Duration.ofSeconds(2));
        activity.pollSent(TaskActivity.Kind.WORKFLOW); // later polls of the same kind do not restart it
        assertEquals(T0.plusSeconds(30), watch.nextCheck());
        clock.advance(Duration.ofMillis(999));
        assertEquals(Optional.empty(), watch.check());
        assertEquals(List.of(), checks);
    }

    @Test
    void aPollResponseWithATaskResetsIdleness() {
        startPolling();
        clock.advance(Duration.ofMillis(2_900));
        activity.taskArrived(); // the response arrived; the SDK has not taken a slot for it yet
        clock.advance(Duration.ofMillis(2_900));
        assertEquals(Optional.empty(), watch.check());
        assertEquals(List.of(), checks, "not idle: no server check");
    }

    @Test
    void aRunningTaskIsNotIdleness() {
        startPolling();
        SlotPermit permit = new SlotPermit();
        activity.taskStarted(TaskActivity.Kind.ACTIVITY, permit);
        clock.advance(Duration.ofSeconds(30));
        assertEquals(Optional.empty(), watch.check());
        activity.slotReleased(permit);
        clock.advance(IDLE);
        answers.add(Backlog.of(0));
        assertEquals(Optional.of(ExitReason.IDLE), watch.check());
        assertEquals(1, activity.snapshot().activityTasks());
    }

    @Test
    void tasksWaitingForTheVersionKeepItPollingAndItAsksAgainAtTheNextExpiry() {
        startPolling();
        clock.advance(IDLE);
        answers.add(Backlog.of(7));
        assertEquals(Optional.empty(), watch.check());
        assertEquals(List.of(Duration.ofSeconds(2)), checks);
        assertEquals(clock.instant().plus(IDLE), watch.nextCheck(), "one check per idle expiry");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), watch.check());
        assertEquals(1, checks.size());
        clock.advance(Duration.ofSeconds(2));
        answers.add(Backlog.of(0));
        assertEquals(Optional.of(ExitReason.IDLE), watch.check());
        assertEquals(2, checks.size());
    }

    @Test
    void aFailedCheckExitsIdle() {
        startPolling();
        clock.advance(IDLE);
        answers.add(Backlog.failed("RESOURCE_EXHAUSTED: namespace rate limit exceeded"));
        assertEquals(Optional.of(ExitReason.IDLE), watch.check());
    }

    @Test
    void aTaskThatArrivesDuringTheCheckIsNotLeftBehind() {
        ExitWatch racing = new ExitWatch(new ExitPolicy(T0.plusSeconds(600), IDLE), activity, (polled, timeout) -> {
            clock.advance(Duration.ofMillis(300));
            activity.taskArrived(); // a poll answered while the server was being asked
            return Backlog.of(0);
        }, Duration.ofSeconds(2), clock, "d:b");
        startPolling();
        clock.advance(IDLE);
        assertEquals(Optional.empty(), racing.check());
        assertEquals(clock.instant().plus(IDLE), racing.nextCheck());
    }

    @Test
    void theCheckNeverRunsPastTheStopTime() {
        ExitWatch late = new ExitWatch(new ExitPolicy(T0.plusSeconds(4), IDLE), activity, server,
                Duration.ofSeconds(2), clock, "d:b");
        startPolling();
        clock.advance(Duration.ofMillis(3_500));
        answers.add(Backlog.of(1));
        assertEquals(Optional.empty(), late.check());
        assertEquals(List.of(Duration.ofMillis(500)), checks);
        clock.advance(Duration.ofMillis(500));
        assertEquals(Optional.of(ExitReason.DEADLINE), late.check(), "the deadline rule is unchanged");
    }

    @Test
    void withoutTheCheckItExitsAsSoonAsIdle() {
        ExitWatch unchecked = new ExitWatch(new ExitPolicy(T0.plusSeconds(600), IDLE), activity, null,
                Duration.ofSeconds(2), clock, "d:b");
        startPolling();
        clock.advance(IDLE);
        assertEquals(Optional.of(ExitReason.IDLE), unchecked.check());
    }
}
