package dev.wci.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.wci.core.scaling.ScalerObserver;
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
    });
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
}
