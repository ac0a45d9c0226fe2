package dev.wci.dev.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wci.dev.demo.LoadGenerator.Counts;
import dev.wci.dev.demo.LoadGenerator.Kind;
import dev.wci.dev.demo.LoadGenerator.Outcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Counting finished workflows, including results that name no build ID (the demo died on them with "failed: null"). */
class LoadGeneratorTest {

    @Test
    void aResultWithoutBuildIdIsCountedUnderUnknown() {
        List<Outcome> outcomes = List.of(
                new Outcome(Kind.BURST, true, "v1", 10, 100, null),
                new Outcome(Kind.TRICKLE, true, null, 10, 100, null),
                new Outcome(Kind.TRICKLE, false, "", 10, 100, null),
                new Outcome(Kind.TRICKLE, true, null, -1, 100, "boom"));

        Counts counts = LoadGenerator.count(5, outcomes);

        assertEquals(new Counts(5, 3, 1, Map.of("v1", 1, LoadGenerator.UNKNOWN_BUILD_ID, 2)), counts);
        assertEquals(1, counts.running());
    }

    @Test
    void aFailedWorkflowKeepsNoBuildId() {
        assertNull(new Outcome(Kind.TRICKLE, true, null, -1, 100, "boom").buildId());
    }

    @Test
    void theSummaryOfWaitersNamesTheUnknownOnes() {
        String where = Summary.waiters(List.of(new Outcome(Kind.WAITER, true, null, 10, 100, null)));

        assertEquals("pinned finished on (unknown) ×1", where);
    }
}
