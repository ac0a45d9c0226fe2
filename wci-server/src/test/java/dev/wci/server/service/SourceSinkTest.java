package dev.wci.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.invoke.InvokeExecutor;
import dev.wci.core.loop.ControlLoop;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.testing.Fixtures;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import dev.wci.core.version.ScalingGroupId;
import dev.wci.core.version.TaskQueueType;
import dev.wci.server.metrics.WciMetrics;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SourceSinkTest {

    private static final DeploymentVersion V1 = new DeploymentVersion("orders", "v1");
    private static final DeploymentVersion UNKNOWN = new DeploymentVersion("orders", "v404");

    private final TestClock clock = new TestClock();
    private final MockClock meterClock = new MockClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry(SimpleConfig.DEFAULT, meterClock);
    private final WciMetrics metrics = new WciMetrics(meters);
    private final FakeComputeProvider provider = new FakeComputeProvider(clock);
    private final ScalingPolicy policy = ScalingPolicy.defaults();
    private final ReactiveScaler scaler = Fixtures.scaler(policy, clock, new DecisionAudit(100));
    private final InvokeExecutor executor = new InvokeExecutor(Map.of(FakeComputeProvider.TYPE, provider), scaler,
            metrics, clock, 4);
    private final SourceSink sink = new SourceSink("push", new ControlLoop(scaler, executor), metrics);

    @Test
    void countsSignalsBySourceAndKindAndTimesTheInvokeTheyTrigger() {
        scaler.register(ScalingGroup.allTypes(V1, FakeComputeProvider.target("fn:v1:1")),
                TargetFacts.ofTimeout(FakeComputeProvider.TIMEOUT), policy);
        // The invoke is handed to the provider 40 ms after the signal was seen.
        provider.onInvoke(r -> meterClock.add(Duration.ofMillis(40)));

        sink.accept(new SyncMatchFailure(V1, "orders-q", TaskQueueType.ACTIVITY, 1, 0, clock.instant(), Origin.PUSH));

        assertEquals(1, provider.invocations().size());
        assertEquals(1.0, meters.get("wci.signals").tags("source", "push", "kind",
                "sync_match_failure").counter().count());
        assertEquals(1, metrics.reactionTimer().count());
        assertEquals(40.0, metrics.reactionTimer().totalTime(TimeUnit.MILLISECONDS));
        assertEquals(1.0, meters.get("wci.invocations").tags("result", "accepted").counter().count());
    }

    @Test
    void signalThatInvokesNothingIsCountedButNotTimed() {
        scaler.register(ScalingGroup.allTypes(V1, FakeComputeProvider.target("fn:v1:1")),
                TargetFacts.ofTimeout(FakeComputeProvider.TIMEOUT), policy);
        scaler.onValidation(ScalingGroupId.defaultFor(V1), new TargetValidation.Invalid(
                ComputeFailure.of(FailureClass.NOT_FOUND, "gone"), clock.instant()));

        sink.accept(new SyncMatchFailure(V1, "orders-q", TaskQueueType.ACTIVITY, 3, 0, clock.instant(), Origin.PUSH));
        sink.accept(new BacklogObservation(UNKNOWN, "orders-q", TaskQueueType.WORKFLOW, 7, Duration.ofSeconds(1), 1, 0,
                false, clock.instant(), Duration.ZERO));

        assertEquals(List.of(), provider.invocations());
        assertEquals(1.0, meters.get("wci.signals").tags("source", "push", "kind",
                "sync_match_failure").counter().count());
        assertEquals(1.0, meters.get("wci.signals").tags("source", "push", "kind",
                "backlog_observation").counter().count());
        assertEquals(0, metrics.reactionTimer().count(), "a hold or an ignored signal has no reaction time");
        assertEquals(1, scaler.ignoredSignals());
    }
}
