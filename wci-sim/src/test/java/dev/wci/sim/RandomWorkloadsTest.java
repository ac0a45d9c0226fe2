package dev.wci.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomWorkloadsTest {

    @Test
    void drawsAreDeterministicPerSeedAndDoNotDependOnTheCount() {
        List<RandomDraw> a = RandomWorkloads.draw(7, 50);
        List<RandomDraw> b = RandomWorkloads.draw(7, 20);
        assertEquals(a.subList(0, 20), b);
        assertNotEquals(a, RandomWorkloads.draw(8, 50));
    }

    @Test
    void everyDrawIsWithinTheDocumentedRangesAndBounded() {
        Set<WorkloadKind> shapes = EnumSet.noneOf(WorkloadKind.class);
        boolean idleOff = false;
        for (RandomDraw d : RandomWorkloads.draw(1, 400)) {
            Workload w = d.workload();
            SimConfig c = d.config();
            shapes.add(w.kind());
            assertTrue(w.rate() >= 0.05 && w.rate() <= 300, d.params());
            long task = w.taskDuration().toMillis();
            assertTrue(task >= 20 && task <= 600_000, d.params());
            assertTrue(w.taskSigma() >= 0.2 && w.taskSigma() <= 1.5, d.params());
            assertTrue(c.slots() >= 1 && c.slots() <= 50, d.params());
            long cold = c.coldStartMedian().toMillis();
            assertTrue(cold >= 200 && cold <= 8_000, d.params());
            assertTrue(w.versions() >= 1 && w.versions() <= 20, d.params());
            assertTrue(c.accountConcurrency() >= 50 && c.accountConcurrency() <= 3_000, d.params());
            if (c.idleExit() == null) {
                idleOff = true;
            } else {
                assertTrue(c.idleExit().toMillis() >= 1_000 && c.idleExit().toMillis() <= 30_000, d.params());
            }
            long timeout = c.functionTimeout().toMillis();
            assertTrue(timeout >= 60_000 && timeout <= 900_000, d.params());
            // The longest task fits in a worker's lifetime, so no task is lost forever at the time limit.
            long longest = Math.max(task, Math.min(task * 20, 600_000));
            assertTrue(longest < timeout - c.shutdownBuffer().toMillis(), d.params());
            long stale = c.staleness().toMillis();
            assertTrue(stale >= 1_000 && stale <= 10_000, d.params());
            assertTrue(w.expectedTasks() <= RandomWorkloads.MAX_TASKS || w.duration().toSeconds() <= 60, d.params());
            assertEquals(RandomWorkloads.DRAIN_LIMIT, c.drainLimit());
        }
        assertEquals(EnumSet.of(WorkloadKind.STEADY, WorkloadKind.BURST, WorkloadKind.SPIKES, WorkloadKind.DIURNAL,
                WorkloadKind.RAMP_UP, WorkloadKind.RAMP_DOWN, WorkloadKind.ON_OFF), shapes);
        assertTrue(idleOff);
    }

    @Test
    void theCommandNamesEveryDrawnValue() {
        RandomDraw d = RandomWorkloads.draw(2, 1).get(0);
        String cmd = d.command();
        assertTrue(cmd.startsWith("bin/wci simulate --workload " + d.workload().name() + " --seed " + d.seed()), cmd);
        for (String option : List.of("--duration", "--rate", "--burst-size", "--task-duration", "--task-sigma",
                "--versions", "--slots", "--cold-start-median", "--account-concurrency", "--idle-exit",
                "--function-timeout", "--staleness", "--drain-limit")) {
            assertTrue(cmd.contains(" " + option + " "), option + " in " + cmd);
        }
    }

    @Test
    void newShapesFollowTheirRateProfile() {
        Duration ten = Duration.ofSeconds(600);
        Arrivals up = WorkloadKind.RAMP_UP.with(new WorkloadParams(ten, 20.0, 1, null, 1)).generate(1);
        Arrivals down = WorkloadKind.RAMP_DOWN.with(new WorkloadParams(ten, 20.0, 1, null, 1)).generate(1);
        Arrivals onOff = WorkloadKind.ON_OFF.with(new WorkloadParams(ten, 20.0, 1, null, 1)).generate(1);
        assertTrue(countBetween(up, 0, 100) * 3 < countBetween(up, 500, 600));
        assertTrue(countBetween(down, 500, 600) * 3 < countBetween(down, 0, 100));
        assertEquals(0, countBetween(onOff, 61, 119));
        assertTrue(countBetween(onOff, 0, 60) > 1000);
        assertTrue(countBetween(onOff, 120, 180) > 1000);
    }

    @Test
    void badCountIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RandomWorkloads.draw(1, 0));
    }

    private static int countBetween(Arrivals a, long fromSeconds, long toSeconds) {
        int n = 0;
        for (long t : a.times()) {
            if (t >= fromSeconds * 1_000_000_000L && t < toSeconds * 1_000_000_000L) {
                n++;
            }
        }
        return n;
    }
}
