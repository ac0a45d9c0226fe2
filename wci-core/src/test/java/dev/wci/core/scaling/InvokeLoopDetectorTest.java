package dev.wci.core.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import org.junit.jupiter.api.Test;

/** The invoke-loop detector on its own state. */
class InvokeLoopDetectorTest {

    private static final long COLD = 2_000;
    private final TestClock clock = new TestClock();
    private final InvokeLoopDetector detector = new InvokeLoopDetector();

    private BacklogObservation obs(long backlog, double dispatch) {
        return Fixtures.observation(Fixtures.V1, backlog, 1, dispatch, false, clock);
    }

    @Test
    void progressIsDispatchAShrinkingBacklogOrAnEmptyQueue() {
        assertTrue(InvokeLoopDetector.progress(null, obs(5, 0.1)));
        assertTrue(InvokeLoopDetector.progress(null, obs(0, 0)));
        assertTrue(InvokeLoopDetector.progress(obs(6, 0), obs(5, 0)));
        assertFalse(InvokeLoopDetector.progress(obs(5, 0), obs(5, 0)));
        assertFalse(InvokeLoopDetector.progress(null, obs(5, 0)));
    }

    @Test
    void withoutAcceptedInvocationsThereIsNoEvidence() {
        assertNull(detector.noProgress(obs(5, 0), 1_000_000, COLD, "orders/v1"));
    }

    @Test
    void suspectsOnlyAfterTheGracePlusOneColdStartAndThenStartsOver() {
        detector.accepted(10_000);
        detector.accepted(11_000);
        assertEquals(2, detector.unproven());
        long due = 10_000 + COLD + InvokeLoopDetector.GRACE_MILLIS;
        assertNull(detector.noProgress(obs(5, 0), due - 1, COLD, "orders/v1"), "counted from the first acceptance");
        String evidence = detector.noProgress(obs(5, 0), due, COLD, "orders/v1");
        assertNotNull(evidence);
        assertTrue(evidence.startsWith("2 invocation(s) accepted since"), evidence);
        assertTrue(evidence.contains("version orders/v1"), evidence);
        assertEquals(0, detector.unproven(), "a probe starts the next round of evidence");
        assertNull(detector.noProgress(obs(5, 0), due + 60_000, COLD, "orders/v1"));
    }

    @Test
    void progressClearsTheEvidence() {
        detector.accepted(0);
        detector.progressed();
        assertNull(detector.noProgress(obs(5, 0), 1_000_000, COLD, "orders/v1"));
        detector.accepted(500_000);
        assertNull(detector.noProgress(obs(5, 0), 500_000 + COLD + InvokeLoopDetector.GRACE_MILLIS - 1, COLD, "v"),
                "the grace restarts from the first acceptance after progress");
    }
}
