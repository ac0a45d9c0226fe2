package dev.wci.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.scaling.DecisionInputs;
import dev.wci.core.scaling.DecisionReason;
import dev.wci.core.scaling.LiveWorkers;
import dev.wci.core.scaling.ScaleDecision;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroupId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Failed invocations are logged at WARN, once per 30 s per version and failure class, with what was held back. */
class InvokeFailureLogTest {

    static final DeploymentVersion V1 = new DeploymentVersion("orders", "v1");
    static final DeploymentVersion V2 = new DeploymentVersion("orders", "v2");

    private final TestClock clock = new TestClock();
    private final InvokeFailureLog failures = new InvokeFailureLog(clock);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(InvokeFailureLog.class);

    @BeforeEach
    void capture() {
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logs);
    }

    private static ScaleDecision decision(DeploymentVersion v) {
        return new ScaleDecision(ScalingGroupId.defaultFor(v),
                new ComputeTarget("aws-lambda", "arn:aws:lambda:us-east-1:123456789012:function:orders:1"),
                DecisionReason.SCALE_OUT, 1, List.of("inv-1"), List.of(),
                new DecisionInputs("signal", 1, 0, 5, 2000, 1, LiveWorkers.NONE, false), null);
    }

    private void fail(DeploymentVersion v, FailureClass cls) {
        failures.result(decision(v), new InvocationResult.Failed("inv-1", ComputeFailure.of(cls, "boom")),
                Duration.ZERO);
    }

    private List<String> messages() {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aStormOfFailuresIsOneLinePerWindowThatCountsTheOthers() {
        fail(V1, FailureClass.THROTTLED);
        fail(V1, FailureClass.THROTTLED);
        fail(V1, FailureClass.THROTTLED);
        assertEquals(1, logs.list.size());
        assertTrue(messages().get(0).startsWith("version orders:v1: invoke of arn:aws:lambda:"), messages().get(0));

        clock.advance(InvokeFailureLog.EVERY);
        fail(V1, FailureClass.THROTTLED);
        assertEquals(2, logs.list.size());
        assertTrue(messages().get(1).endsWith("(2 more like it since the last message)"), messages().get(1));
    }

    @Test
    void otherVersionsAndFailureClassesAreLoggedOnTheirOwnAndSuccessIsNot() {
        fail(V1, FailureClass.THROTTLED);
        fail(V1, FailureClass.NOT_FOUND);
        fail(V2, FailureClass.THROTTLED);
        failures.result(decision(V1), new InvocationResult.Accepted("inv-1", clock.instant()), Duration.ZERO);
        assertEquals(3, logs.list.size(), messages().toString());
    }

    @Test
    void aFencedInvokeIsNoFailureAndLoggedAtInfo() {
        fail(V1, FailureClass.FENCED);
        assertEquals(1, logs.list.size());
        assertEquals(ch.qos.logback.classic.Level.INFO, logs.list.get(0).getLevel());
        assertTrue(messages().get(0).contains(": invoke of arn:aws:lambda:us-east-1:123456789012:function:orders:1 not "
                + "sent: FENCED: boom"), messages().get(0));
    }

    @Test
    void aCappedRetryAfterSaysWhatThePeerAskedAndWhatWciWaits() {
        failures.retryAfterCapped(decision(V1), Duration.ofSeconds(86_400), Duration.ofSeconds(60));
        assertEquals(1, logs.list.size());
        assertEquals(ch.qos.logback.classic.Level.WARN, logs.list.get(0).getLevel());
        assertEquals("version orders:v1: Lambda asked to retry arn:aws:lambda:us-east-1:123456789012:function:orders:1 "
                + "after 86400 s; WCI waits 60.0 s (its maximum backoff, scaling.backoffMax)", messages().get(0));
    }
}
