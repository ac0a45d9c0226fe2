package dev.wci.core.scaling;

import static dev.wci.core.testing.Fixtures.FACTS;
import static dev.wci.core.testing.Fixtures.V1;
import static dev.wci.core.testing.Fixtures.V2;
import static dev.wci.core.testing.Fixtures.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.limits.LimitKind;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A group registered with its own policy (a deployment's overrides) is sized and capped by it. */
class GroupPolicyTest {

    private final TestClock clock = new TestClock();
    private final ReactiveScaler scaler = Fixtures.scaler(Fixtures.POLICY, clock, new DecisionAudit(10), V1);

    @Test
    void aGroupPolicyOverridesSizingAndTheVersionCapButNotTheTotals() {
        // V2's deployment drains backlogs 4x faster and caps its versions at 3 workers.
        ScalingPolicy v2Policy = Fixtures.policy().drainTarget(Duration.ofSeconds(5)).maxWorkersPerVersion(3)
                .maxWorkersTotal(1_000_000).build();
        scaler.register(Fixtures.group(V2), FACTS, v2Policy);

        // 100 tasks, 5 tasks/s per worker: V1 (20 s drain) wants 1 worker.
        assertEquals(1, scaler.onSignal(failure(V1, 100, clock)).orElseThrow().count());
        // V2 (5 s drain) wants 4, and its cap of 3 trims it.
        ScaleDecision v2 = scaler.onSignal(failure(V2, 100, clock)).orElseThrow();
        assertEquals(4, v2.requested());
        assertEquals(3, v2.count());
        assertEquals(LimitKind.VERSION_CAP, v2.trims().get(0).limit());
    }

    @Test
    void theTotalCapStaysTheScalersEvenWhenAGroupPolicySaysMore() {
        ReactiveScaler s = Fixtures.scaler(Fixtures.policy().maxWorkersTotal(2).build(), clock, new DecisionAudit(10));
        s.register(Fixtures.group(V1), FACTS, Fixtures.policy().maxWorkersTotal(100).build());
        ScaleDecision d = s.onSignal(failure(V1, 1000, clock)).orElseThrow();
        assertEquals(2, d.count());
        assertEquals(LimitKind.TOTAL_CAP, d.trims().get(0).limit());
    }
}
