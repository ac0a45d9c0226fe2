package dev.wci.server.config;

import java.time.Duration;
import java.util.Optional;

/** Which signal sources run ({@code signals} section). */
public record SignalsConfig(TemporalStats temporalStats, Push push) {

    /**
     * Polling of DescribeWorkerDeploymentVersion with task queue stats (default on).
     *
     * @param activeInterval poll interval of a version with backlog or live workers (default 1 s)
     * @param idleInterval   poll interval of an idle version (default 10 s)
     * @param idleAfter      a version is idle after this long without backlog or live workers (default 60 s)
     */
    public record TemporalStats(boolean enabled, Duration activeInterval, Duration idleInterval, Duration idleAfter) {
    }

    /**
     * The gRPC push endpoint (default off). When enabled a token is required.
     *
     * @param host  bind address (default 127.0.0.1)
     * @param port  port (default 7939)
     * @param token the bearer token producers must send
     */
    public record Push(boolean enabled, String host, int port, Optional<Secret> token) {
    }
}
