package dev.wci.core.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.version.DeploymentVersion;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LimitsTest {

    private static final ComputeTarget T = new ComputeTarget("test", "fn:1");
    private static final DeploymentVersion V = new DeploymentVersion("d", "b");

    @Test
    void tokenBucketStartsFullRefillsAtItsRateAndCapsAtBurst() {
        TokenBucket b = new TokenBucket(10, 5, 0);
        assertEquals(5, b.take(8, 0));
        assertEquals(0, b.take(1, 0));
        assertEquals(1, b.take(5, 100)); // 10/s: one token per 100 ms
        assertEquals(5, b.available(60_000), "never more than the burst");
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, 0));
    }

    @Test
    void budgetWindowChargesRefundsAndRollsByTheMinute() {
        BudgetWindow w = new BudgetWindow(1000);
        w.charge(600, 0);
        assertEquals(400, w.remaining(0), 1e-9);
        assertEquals(1, w.affordable(5, 300, 0));
        w.refund(100, 0, 30_000);
        assertEquals(500, w.remaining(30_000), 1e-9);
        w.charge(500, 59 * 60_000);
        assertEquals(0, w.affordable(1, 1, 59 * 60_000));
        // The first minute's spending leaves the window an hour later; the later charge stays.
        assertEquals(500, w.remaining(60 * 60_000), 1e-9);
        assertEquals(1000, w.remaining(119 * 60_000), 1e-9);
    }

    @Test
    void refundOfAChargeThatLeftTheWindowChangesNothing() {
        BudgetWindow w = new BudgetWindow(1000);
        w.charge(900, 0);
        w.charge(100, 61 * 60_000);
        w.refund(900, 0, 61 * 60_000);
        assertEquals(900, w.remaining(61 * 60_000), 1e-9);
    }

    @Test
    void unlimitedBudgetAffordsEverything() {
        BudgetWindow w = new BudgetWindow(Double.POSITIVE_INFINITY);
        w.charge(1e12, 0);
        assertEquals(7, w.affordable(7, 900, 0));
        assertTrue(w.unlimited());
    }

    @Test
    void backoffGrowsExponentiallyWithJitterIsCappedAndHonoursRetryAfter() {
        ThrottleBackoff b = new ThrottleBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 0.0,
                new SplittableRandom(1));
        assertEquals(1000, b.onThrottle(0, null));
        assertEquals(2000, b.onThrottle(0, null));
        assertEquals(4000, b.onThrottle(0, null));
        assertEquals(8000, b.onThrottle(0, null));
        assertEquals(8000, b.onThrottle(0, null), "capped");
        b.onSuccess();
        assertEquals(5000, b.onThrottle(10_000, Duration.ofSeconds(5)), "retry-after wins when longer");
        assertTrue(b.blocked(14_999));
        assertFalse(b.blocked(15_000));
        b.onSuccess();
        assertEquals(1000, b.onThrottle(40_000, null), "a success resets the exponent");
    }

    @Test
    void aFullAccountBacksOffAtMostFiveSecondsUnlessTheRetryAfterAsksMore() {
        ThrottleBackoff b = new ThrottleBackoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.0,
                new SplittableRandom(1));
        assertEquals(1000, b.onThrottle(0, null, true));
        assertEquals(2000, b.onThrottle(0, null, true));
        assertEquals(4000, b.onThrottle(0, null, true));
        assertEquals(ThrottleBackoff.FULL_ACCOUNT_MAX_MILLIS, b.onThrottle(0, null, true));
        assertEquals(ThrottleBackoff.FULL_ACCOUNT_MAX_MILLIS, b.onThrottle(0, null, true));
        assertEquals(20_000, b.onThrottle(0, Duration.ofSeconds(20), true), "the provider's retry-after is honoured");
        assertEquals(60_000, b.onThrottle(100_000, null, false), "other throttles keep the exponential steps");
    }

    @Test
    void retryAfterIsCappedByTheMaximumBackoff() {
        ThrottleBackoff b = new ThrottleBackoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.0,
                new SplittableRandom(1));
        assertEquals(60_000, b.onThrottle(0, Duration.ofSeconds(86_400)), "a day asked, the maximum waited");
        assertFalse(b.blocked(60_000));
        b.onSuccess();
        assertEquals(60_000, b.onThrottle(100_000, Duration.ofSeconds(Long.MAX_VALUE)), "no overflow");
        assertEquals(160_000, b.blockedUntilMillis());
        assertEquals(2000, b.onThrottle(200_000, Duration.ofSeconds(-5)), "a negative hint is no hint");
    }

    @Test
    void backoffJitterStaysWithinItsBoundAndIsSeeded() {
        ThrottleBackoff a = new ThrottleBackoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.2,
                new SplittableRandom(42));
        ThrottleBackoff b = new ThrottleBackoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.2,
                new SplittableRandom(42));
        for (int i = 0; i < 5; i++) {
            long da = a.onThrottle(0, null);
            assertEquals(da, b.onThrottle(0, null));
            long base = 1000L << i;
            assertTrue(da >= base && da <= base * 1.2, da + " outside jitter bound of " + base);
        }
    }

    @Test
    void admitAppliesLimitsInOrderAndConsumesOnlyWhatItGrants() {
        ScalingPolicy p = ScalingPolicy.builder().maxWorkersPerVersion(10).maxWorkersTotal(8)
                .invokeRatePerTarget(1).invokeBurstPerTarget(6).budgetPerVersion(4000).build();
        Limits l = new Limits(p, new SplittableRandom(1));
        Admission a = l.admit(T, V, 20, 0, 2, 900, 0);
        assertEquals(4, a.granted()); // version cap 10, total room 6, budget 4 × 900
        assertEquals(List.of(new LimitTrim(LimitKind.VERSION_CAP, 20, 10), new LimitTrim(LimitKind.TOTAL_CAP, 10, 6),
                new LimitTrim(LimitKind.VERSION_BUDGET, 6, 4)), a.trims());
        assertEquals(2, l.target(T, 0).invokeTokens(0), "only granted workers took tokens");
        assertEquals(400, l.versionBudget(V).remaining(0), 1e-9);
    }

    @Test
    void circuitAndBackoffRefuseEverything() {
        Limits l = new Limits(ScalingPolicy.defaults(), new SplittableRandom(1));
        l.openCircuit(T, ComputeFailure.of(FailureClass.NOT_FOUND, "gone"), 0, 0);
        Admission a = l.admit(T, V, 3, 0, 0, 900, 0);
        assertEquals(0, a.granted());
        assertEquals(LimitKind.CIRCUIT_OPEN, a.trims().get(0).limit());
        l.onValidated(T, 0);
        Admission probe = l.admit(T, V, 3, 0, 0, 900, 0);
        assertEquals(List.of(new LimitTrim(LimitKind.CIRCUIT_HALF_OPEN, 3, 1)), probe.trims(), "one probe");
        l.onAccepted(T, 0, 10);
        assertEquals(List.of(new LimitTrim(LimitKind.CIRCUIT_RAMP, 3, 2)), l.admit(T, V, 3, 0, 0, 900, 20).trims());
        l.onThrottled(T, Duration.ofSeconds(2), 20, 20);
        assertEquals(LimitKind.THROTTLE_BACKOFF, l.admit(T, V, 3, 0, 0, 900, 1000).trims().get(0).limit());
        assertEquals(1, l.admit(T, V, 3, 0, 0, 900, 2500).granted(), "after a backoff, one probe");
    }

    @Test
    void circuitProbesRampsAndReopensWithAGrowingWait() {
        TargetCircuit c = new TargetCircuit(1000, 8000, 8);
        ComputeFailure denied = ComputeFailure.of(FailureClass.ACCESS_DENIED, "KMS");
        c.open(denied, 0, 0);
        assertEquals(0, c.allowed(5, 0), "open, not validated");
        c.validated();
        assertEquals(1, c.allowed(5, 0), "validated: one probe, not a batch");
        c.sent(0);
        assertEquals(TargetCircuit.State.HALF_OPEN, c.state());
        assertEquals(0, c.allowed(5, 10), "nothing while the probe is in flight");
        c.open(denied, 0, 100); // the probe was denied
        c.validated();
        assertEquals(0, c.allowed(5, 1099), "a failed probe waits the base before the next");
        assertEquals(1, c.allowed(5, 1100));
        c.sent(1100);
        c.open(denied, 1100, 1200);
        c.validated();
        assertEquals(0, c.allowed(5, 3199), "then twice as long");
        c.sent(3200);
        c.accepted(100); // a request decided before the probe says nothing of it
        assertEquals(0, c.allowed(5, 3300));
        c.accepted(3200);
        assertEquals(TargetCircuit.State.RAMPING, c.state());
        assertEquals(2, c.allowed(5, 3300));
        c.sent(3300);
        c.accepted(3300);
        assertEquals(4, c.allowed(5, 3400));
        c.sent(3400);
        c.accepted(3400);
        assertEquals(TargetCircuit.State.CLOSED, c.state(), "closed at the ramp ceiling");
        assertEquals(500, c.allowed(500, 3500));
        c.open(denied, 3500, 3600);
        c.validated();
        assertEquals(1, c.allowed(5, 3600), "a first failure after closing waits only for the validation");
    }

    @Test
    void aProbeWhoseResultNeverComesBackBlocksAtMostTheMaximumWait() {
        TargetCircuit c = new TargetCircuit(1000, 8000, 8);
        c.transientFailure(0);
        c.sent(0);
        assertEquals(0, c.allowed(3, 7999));
        assertEquals(1, c.allowed(3, 8000));
        c.released(0);
        assertEquals(1, c.allowed(3, 1), "an inconclusive result frees the next probe");
    }

    @Test
    void policyRejectsNonsenseWithTheFieldName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScalingPolicy.builder().maxWorkersTotal(0).build());
        assertTrue(e.getMessage().contains("maxWorkersTotal"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ScalingPolicy.builder().drainTarget(Duration.ZERO).build());
        assertTrue(e.getMessage().contains("drainTarget"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ScalingPolicy.builder().backoffBase(Duration.ofSeconds(10)).backoffMax(Duration.ofSeconds(1))
                        .build());
        assertTrue(e.getMessage().contains("backoffMax"), e.getMessage());
    }
}
