package dev.wci.core.scaling;

import static dev.wci.core.testing.Fixtures.V1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.census.CensusSnapshot;
import dev.wci.core.census.CensusStatus;
import dev.wci.core.census.CensusWorker;
import dev.wci.core.census.SlotLoad;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pace measured from the workers' heartbeats, by Little's law. */
class CensusPaceTest {

    private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");

    private final CensusPace pace = new CensusPace();

    /** A read at {@code second}: each of {@code workers} workers sent its heartbeat of that second. */
    private static CensusSnapshot read(int second, int workers, int slots, int used, int processed) {
        List<CensusWorker> listed = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            listed.add(worker("w" + i, second, slots, new SlotLoad(used, processed, Duration.ofSeconds(1))));
        }
        return new CensusSnapshot(V1, T0.plusSeconds(second), listed);
    }

    private static CensusWorker worker(String id, int heartbeatSecond, int slots, SlotLoad load) {
        return new CensusWorker(id, CensusStatus.RUNNING, T0, T0.plusSeconds(heartbeatSecond), slots, load);
    }

    @Test
    void busySlotSecondsOverCompletedTasksIsTheTaskTimeAndSlotsOverItThePace() {
        // 4 workers of 3 slots, 2 in use each, 1 task completed per worker-second: tasks take 2 s, so a worker at
        // full use completes 3 / 2 = 1.5 tasks/s, though the fleet is not saturated.
        double measured = 0;
        for (int second = 1; second <= 10; second++) {
            measured = pace.add(read(second, 4, 3, 2, 1));
        }
        assertEquals(1.5, measured, 1e-9);
    }

    @Test
    void theMeasureFollowsTasksThatGetShorterWithinAFewThousandOfThem() {
        // 10 workers of 10 slots, all in use: 1 s tasks for 100 s (10 000 tasks, pace 10), then 0.5 s tasks (pace
        // 20). With sums kept for ever the pace after another 100 s would read 15; halved past 1 000 tasks, it
        // reads the new tasks.
        for (int second = 1; second <= 100; second++) {
            pace.add(read(second, 10, 10, 10, 10));
        }
        double measured = 0;
        for (int second = 101; second <= 200; second++) {
            measured = pace.add(read(second, 10, 10, 10, 20));
        }
        assertTrue(measured > 19.5, "pace " + measured);
    }

    @Test
    void tooFewTasksOrHeartbeatsMeasureNothing() {
        // 29 tasks over 10 heartbeats: one short of MIN_TASKS.
        for (int second = 1; second <= 9; second++) {
            assertEquals(0, pace.add(read(second, 1, 3, 3, 3)));
        }
        assertEquals(0, pace.add(read(10, 1, 3, 3, 2)));
        // 31 tasks over 33 busy slot-seconds: 3 slots / (33 / 31 s).
        assertEquals(3 * 31.0 / 33, pace.add(read(11, 1, 3, 3, 2)), 1e-9);

        CensusPace few = new CensusPace();
        // 90 tasks but 9 heartbeats: the slots in use seen at 9 instants only.
        for (int second = 1; second <= 3; second++) {
            assertEquals(0, few.add(read(second, 3, 3, 3, 10)));
        }
        assertEquals(10, few.add(read(4, 1, 3, 3, 10)), 1e-9, "the tenth heartbeat: 100 tasks, 30 slot-seconds");
    }

    @Test
    void nothingIsMeasuredUntilAsManyTasksCompletedAsSlotsWereInUse() {
        // 10 workers keep their 30 slots full; the fleet completes 10 tasks a second: tasks of 30 s, 1 task/s per
        // worker at full use. Right after the slots filled (a fresh fleet, tasks of minutes), the few tasks done
        // would read the task time from a window shorter than it; so nothing until the 300 slots turned over once.
        for (int second = 1; second <= 30; second++) {
            assertEquals(0, pace.add(read(second, 10, 30, 30, 1)), "second " + second);
        }
        assertEquals(1.0, pace.add(read(31, 10, 30, 30, 1)), 1e-9);
    }

    @Test
    void aReadThatRepeatsAHeartbeatAddsNothing() {
        for (int second = 1; second <= 10; second++) {
            pace.add(read(second, 4, 3, 2, 1));
        }
        // The same heartbeats read again (a read between two of them), with other counts: ignored.
        assertEquals(1.5, pace.add(new CensusSnapshot(V1, T0.plusMillis(10_500), List.of(
                worker("w0", 10, 3, new SlotLoad(3, 0, Duration.ofSeconds(1))),
                worker("w1", 10, 3, new SlotLoad(3, 0, Duration.ofSeconds(1)))))), 1e-9);
    }

    @Test
    void workersWithoutLoadOrSlotsOrNotRunningCountForNothing() {
        for (int second = 1; second <= 10; second++) {
            List<CensusWorker> listed = new ArrayList<>(read(second, 4, 3, 2, 1).workers());
            listed.add(worker("no-load", second, 3, null));
            listed.add(worker("no-slots", second, 0, new SlotLoad(0, 50, Duration.ofSeconds(1))));
            listed.add(new CensusWorker("stopping", CensusStatus.SHUTTING_DOWN, T0, T0.plusSeconds(second), 3,
                    new SlotLoad(0, 50, Duration.ofSeconds(1))));
            double measured = pace.add(new CensusSnapshot(V1, T0.plusSeconds(second), listed));
            if (second == 10) {
                assertEquals(1.5, measured, 1e-9);
            }
        }
    }
}
