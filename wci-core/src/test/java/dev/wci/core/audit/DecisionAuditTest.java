package dev.wci.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wci.core.scaling.DecisionInputs;
import dev.wci.core.scaling.DecisionReason;
import dev.wci.core.scaling.LiveWorkers;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.testing.Fixtures;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionAuditTest {

    private static ScaleDecision decision(int n) {
        return new ScaleDecision(Fixtures.group(Fixtures.V1).id(), Fixtures.target(Fixtures.V1),
                DecisionReason.SCALE_OUT, n, List.of("i" + n), List.of(),
                new DecisionInputs("tick", 0, 0, 5, 2000, n, LiveWorkers.NONE, false), Instant.ofEpochSecond(n));
    }

    @Test
    void keepsTheMostRecentOldestFirstAndCountsWhatItDropped() {
        DecisionAudit audit = new DecisionAudit(3);
        assertEquals(List.of(), audit.recent());
        for (int i = 1; i <= 5; i++) {
            audit.record(decision(i));
        }
        assertEquals(List.of(decision(3), decision(4), decision(5)), audit.recent());
        assertEquals(5, audit.totalRecorded());
    }

    @Test
    void capacityMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new DecisionAudit(0));
    }
}
