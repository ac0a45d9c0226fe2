package dev.wci.server.lease;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.wci.core.lease.LeaseListener;
import dev.wci.server.config.HaConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The lease service on its own, over a real gRPC channel to a loopback port where no Temporal listens (real time). */
class LeaseServiceIT {

    @Test
    void aReplicaStartsWhileTemporalIsUnreachableAndKeepsTryingToStartItsLeaseWorker() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger logger = (Logger) LoggerFactory.getLogger(LeaseService.class);
        logger.addAppender(logs);
        // A restarting replica on a busy host met this: the worker's first call timed out and the service died.
        LeaseService leases = LeaseService.start(new HaConfig(true, "r1", Duration.ofSeconds(3), Duration.ofSeconds(1)),
                "default", List.of("orders"), WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port)
                        .setSystemInfoTimeout(Duration.ofMillis(500)).build(), new SimpleMeterRegistry(), Clock.systemUTC(), new LeaseListener() {
                });
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> List.copyOf(logs.list).stream().filter(e ->
                    e.getFormattedMessage().startsWith("replica r1: lease worker not started yet, retrying next round"))
                    .count() >= 2);
            assertFalse(leases.holds("orders"), "no lease without Temporal");
        } finally {
            leases.close(); // a graceful stop while Temporal is away: nothing to release, nothing hangs
            logger.detachAppender(logs);
        }
    }
}
