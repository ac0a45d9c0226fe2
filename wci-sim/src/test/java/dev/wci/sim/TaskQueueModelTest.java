package dev.wci.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The model's add and dispatch rates follow Temporal matching's task tracker ({@code service/matching/task_tracker.go}:
 * 5 s buckets over 30 s, aligned on the tracker's start, divided by the time the counted buckets span).
 */
class TaskQueueModelTest {

    private static final long S = 1_000_000_000L;

    private static TaskQueueModel queue(Duration staleness) {
        return new TaskQueueModel(new DeploymentVersion("d", "1"), "q", TaskQueueType.ACTIVITY, staleness,
                Duration.ofSeconds(30), 10);
    }

    @Test
    void aFreshTrackerDividesByTheTimeSinceItStartedNotByTheWindow() {
        TaskQueueModel q = queue(Duration.ZERO);
        for (int i = 0; i < 10; i++) {
            q.recordAdd(100 * S + i * S / 10);
        }
        // 10 tasks since the tracker's start 3 s ago: 10 / 3 per second, not 10 / 30.
        assertEquals(10 / 3.0, q.observe(103 * S).addRate(), 1e-9);
        assertEquals(0, q.observe(103 * S).dispatchRate(), 1e-9);
    }

    @Test
    void aStoppedStreamLeavesTheWindowInWholeBucketsOverThirtySecondsPlusTheCurrentBucket() {
        TaskQueueModel q = queue(Duration.ZERO);
        for (int t = 0; t < 60; t++) {
            q.recordAdd(t * S); // one a second from t = 0 (the tracker's start) to t = 59 s
        }
        // As of 62 s the buckets from 30 s count (30..59 s: 30 tasks) over 32 s.
        assertEquals(30 / 32.0, q.observe(62 * S).addRate(), 1e-9);
        // Still the same tasks just before the next bucket starts, over a longer span.
        assertEquals(30 / 34.9, q.observe(64_900_000_000L).addRate(), 1e-9);
        // At 65 s the bucket of 30..35 s leaves at once: 25 tasks over 30 s.
        assertEquals(25 / 30.0, q.observe(65 * S).addRate(), 1e-9);
        // A bucket after the last task has left, nothing is counted.
        assertEquals(0, q.observe(95 * S).addRate(), 1e-9);
    }

    @Test
    void theRatesAreAnsweredAsOfTheStalenessAgo() {
        TaskQueueModel q = queue(Duration.ofSeconds(5));
        for (int t = 0; t < 60; t++) {
            q.recordAdd(t * S);
            q.recordDispatch(t * S);
        }
        // Read at 67 s, 5 s stale: as of 62 s.
        assertEquals(30 / 32.0, q.observe(67 * S).addRate(), 1e-9);
        assertEquals(30 / 32.0, q.observe(67 * S).dispatchRate(), 1e-9);
    }
}
