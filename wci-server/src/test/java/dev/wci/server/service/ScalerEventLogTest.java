package dev.wci.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.wci.core.scaling.ScalerObserver;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroupId;
import java.time.Duration;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What the census taught the scaler is logged (a failed start at WARN) and handed on to the metrics. */
class ScalerEventLogTest {

    private static final ScalingGroupId GROUP = ScalingGroupId.defaultFor(new DeploymentVersion("orders", "v1"));

    private final List<String> handedOn = new ArrayList<>();
    private final TestClock clock = new TestClock();
    private final ScalerEventLog events = new ScalerEventLog(new ScalerObserver() {
        @Override
        public void workerSeen(ScalingGroupId group, String invocationId, Duration coldStart) {
            handedOn.add("seen " + invocationId);
        }

        @Override
        public void workerAdopted(ScalingGroupId group, String identity) {
            handedOn.add("adopted " + identity);
        }

        @Override
        public void failedStart(ScalingGroupId group, String invocationId, String requestId, Duration unseenFor) {
            handedOn.add("failed " + invocationId);
        }
    }, clock);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ScalerEventLog.class);

    @BeforeEach
    void capture() {
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logs);
    }

    @Test
    void aFailedStartIsAWarningNamingTheRequestIdAndIsHandedOn() {
        events.failedStart(GROUP, "inv-1", "req-1", Duration.ofSeconds(60));
        ILoggingEvent e = logs.list.get(logs.list.size() - 1);
        assertEquals(Level.WARN, e.getLevel());
        String message = e.getFormattedMessage();
        assertTrue(message.contains("req-1") && message.contains("60 s") && message.contains("orders:v1"), message);
        assertEquals(List.of("failed inv-1"), handedOn);
    }

    @Test
    void seenAndAdoptedWorkersAreHandedOn() {
        events.workerSeen(GROUP, "inv-1", Duration.ofSeconds(3));
        events.workerAdopted(GROUP, "req-9@fn");
        assertEquals(List.of("seen inv-1", "adopted req-9@fn"), handedOn);
        assertTrue(logs.list.stream().anyMatch(e -> e.getLevel() == Level.INFO
                && e.getFormattedMessage().contains("req-9@fn")));
    }

    @Test
    void aStormOfAdoptionsOrFailedStartsIsAFewLinesThatCountTheRest() {
        for (int i = 0; i < 500; i++) {
            events.workerAdopted(GROUP, "req-" + i + "@fn");
            events.failedStart(GROUP, "inv-" + i, "req-" + i, Duration.ofSeconds(60));
        }
        assertEquals(1000, handedOn.size(), "the metrics hear every one");
        assertEquals(2, logs.list.size(), "one line per kind within the interval");
        clock.advance(ScalerEventLog.EVERY);
        events.workerAdopted(GROUP, "req-x@fn");
        String last = logs.list.get(logs.list.size() - 1).getFormattedMessage();
        assertTrue(last.contains("req-x@fn") && last.contains("499 more like it"), last);
        assertTrue(last.contains("not started by this WCI process"), last);
        // Another group is not held back by the first one's storm.
        events.workerAdopted(ScalingGroupId.defaultFor(new DeploymentVersion("orders", "v2")), "req-y@fn");
        assertEquals(4, logs.list.size());
    }
}
