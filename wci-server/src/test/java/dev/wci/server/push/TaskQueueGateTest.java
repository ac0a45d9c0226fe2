package dev.wci.server.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wci.core.registry.RegisteredTaskQueue;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.TaskQueueType;
import dev.wci.server.push.TaskQueueGate.Verdict;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Listed task queues pass; unlisted ones get a bounded allowance per version that expires. */
class TaskQueueGateTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final DeploymentVersion B1 = new DeploymentVersion("orders", "b1");
    private static final DeploymentVersion B2 = new DeploymentVersion("orders", "b2");
    private static final RegisteredTaskQueue LISTED = new RegisteredTaskQueue("orders-tq", TaskQueueType.WORKFLOW);

    private final TaskQueueGate gate = new TaskQueueGate((v, q) -> q.equals(LISTED));

    @Test
    void aListedQueuePassesAndTakesNoAllowance() {
        for (int i = 0; i < 100; i++) {
            assertEquals(Verdict.LISTED, gate.check(B1, LISTED, NOW));
        }
        assertEquals(0, gate.unlistedCount());
    }

    @Test
    void unlistedQueuesAreAdmittedUpToTheAllowancePerVersion() {
        fill(B1, NOW);

        assertEquals(Verdict.ADMITTED, gate.check(B1, queue(0), NOW), "an admitted queue stays admitted");
        assertEquals(Verdict.REFUSED, gate.check(B1, queue(999), NOW));
        assertEquals(Verdict.ADMITTED, gate.check(B2, queue(999), NOW), "each version has its own allowance");
        assertEquals(TaskQueueGate.MAX_UNLISTED_PER_VERSION + 1, gate.unlistedCount());
    }

    @Test
    void anAdmittedQueueExpiresAndFreesItsPlace() {
        fill(B1, NOW);
        Instant later = NOW.plus(TaskQueueGate.UNLISTED_TTL);

        assertEquals(Verdict.ADMITTED, gate.check(B1, queue(999), later));
        assertEquals(1, gate.unlistedCount(), "the others expired");
    }

    @Test
    void aFloodKeepsTheStateBounded() {
        Instant at = NOW;
        for (int i = 0; i < 30_000; i++) {
            gate.check(B1, queue(i), at);
            at = at.plusMillis(100);
        }
        // 3000 s of flood: a new allowance every TTL, never more than one allowance held.
        assertEquals(TaskQueueGate.MAX_UNLISTED_PER_VERSION, gate.unlistedCount());
    }

    @Test
    void versionsWhoseQueuesAllExpiredAreForgotten() {
        for (int v = 0; v < 50; v++) {
            gate.check(new DeploymentVersion("d" + v, "b"), queue(1), NOW);
        }
        Instant later = NOW.plus(TaskQueueGate.UNLISTED_TTL).plus(Duration.ofSeconds(1));

        gate.check(B1, queue(1), later);

        assertEquals(1, gate.unlistedCount());
    }

    private void fill(DeploymentVersion v, Instant at) {
        for (int i = 0; i < TaskQueueGate.MAX_UNLISTED_PER_VERSION; i++) {
            assertEquals(Verdict.ADMITTED, gate.check(v, queue(i), at));
        }
    }

    private static RegisteredTaskQueue queue(int i) {
        return new RegisteredTaskQueue("q-" + i, TaskQueueType.WORKFLOW);
    }
}
