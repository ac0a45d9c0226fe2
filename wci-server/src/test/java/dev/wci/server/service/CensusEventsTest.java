package dev.wci.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.wci.core.testing.TestClock;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroupId;
import dev.wci.server.metrics.WciMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class CensusEventsTest {

    private static final ScalingGroupId G1 = ScalingGroupId.defaultFor(new DeploymentVersion("orders", "v1"));
    private static final ScalingGroupId G2 = ScalingGroupId.defaultFor(new DeploymentVersion("orders", "v2"));

    private final TestClock clock = new TestClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final CensusEvents events = new CensusEvents(new WciMetrics(meters), clock);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(CensusEvents.class);

    @BeforeEach
    void attach() {
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(logs);
    }

    private List<String> warnings() {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void failedStartsAreCountedEachAndWarnedAtMostOncePerMinutePerGroup() {
        events.failedStart(G1, "inv-1", "req-1", Duration.ofSeconds(60));
        for (int i = 2; i <= 4; i++) {
            clock.advance(Duration.ofSeconds(10));
            events.failedStart(G1, "inv-" + i, "req-" + i, Duration.ofSeconds(60));
        }
        events.failedStart(G2, "inv-9", "req-9", Duration.ofSeconds(61));
        assertEquals(5, meters.get("wci.worker.failed.starts").counters().stream().mapToDouble(c -> c.count()).sum());
        assertEquals(2, warnings().size(), warnings().toString());
        assertTrue(warnings().get(0).contains("inv-1 (Lambda request req-1)"), warnings().get(0));
        assertTrue(warnings().get(0).contains("never appeared in the worker census within 60 s"));

        clock.advance(CensusEvents.WARN_EVERY);
        events.failedStart(G1, "inv-5", "req-5", Duration.ofSeconds(60));
        assertEquals(3, warnings().size());
        assertTrue(warnings().get(2).contains("(3 more failed start(s) since the last warning)"), warnings().get(2));
    }

    @Test
    void coldStartsAndAdoptionsReachTheMetrics() {
        events.workerSeen(G1, "inv-1", Duration.ofSeconds(4));
        events.workerAdopted(G1, "req-x@arn");
        assertEquals(1, meters.get("wci.worker.cold.start").timer().count());
        assertEquals(1.0, meters.get("wci.workers.adopted").counter().count());
    }
}
