package dev.wci.server.config;

import dev.wci.core.signal.stats.PollRhythm;
import dev.wci.server.scrape.MatchingMetricsSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Which signal sources run ({@code signals} section). */
public record SignalsConfig(TemporalStats temporalStats, Push push, MatchingMetrics matchingMetrics, Census census,
                            LambdaEndpoint lambdaEndpoint) {

    /** The Lambda endpoint source off. */
    public static final LambdaEndpoint LAMBDA_ENDPOINT_OFF =
            new LambdaEndpoint(false, "127.0.0.1", 7940, Optional.empty(), Optional.empty());

    /**
     * The census's defaults: on, core's census rhythm ({@link PollRhythm#censusDefaults()}: 1 s while busy, 10 s
     * idle, idle after 30 s), 5 reads/s, 10 pages.
     */
    public static final Census DEFAULT_CENSUS = new Census(true, PollRhythm.censusDefaults().activeInterval(),
            PollRhythm.censusDefaults().idleInterval(), PollRhythm.censusDefaults().idleAfter(), 5, 10);

    /** The same sources with the default census (configurations written before the census existed). */
    public SignalsConfig(TemporalStats temporalStats, Push push, MatchingMetrics matchingMetrics) {
        this(temporalStats, push, matchingMetrics, DEFAULT_CENSUS);
    }

    /** The same sources without the Lambda endpoint. */
    public SignalsConfig(TemporalStats temporalStats, Push push, MatchingMetrics matchingMetrics, Census census) {
        this(temporalStats, push, matchingMetrics, census, LAMBDA_ENDPOINT_OFF);
    }

    /**
     * WCI as the Lambda endpoint of Temporal's embedded worker controller (default off; see
     * docs/lambda-endpoint.md). When enabled, the key pair the Temporal server signs its Lambda calls with is
     * required.
     *
     * @param host            bind address (default 127.0.0.1)
     * @param port            port (default 7940)
     * @param accessKeyId     the access key ID the Temporal server signs with
     * @param secretAccessKey its secret access key
     */
    public record LambdaEndpoint(boolean enabled, String host, int port, Optional<String> accessKeyId,
                                 Optional<Secret> secretAccessKey) {
    }

    /**
     * The worker census: Temporal's worker heartbeats read with ListWorkers (default on; see docs/scaler.md).
     *
     * @param activeInterval  read interval of a version with workers or demand (default 1 s)
     * @param idleInterval    read interval of an idle version (default 10 s)
     * @param idleAfter       a version is idle after this long without workers or demand (default 30 s)
     * @param readsPerSecond  ListWorkers calls per second WCI allows itself, all versions together (default 5;
     *                        Temporal's visibility limit is 10/s per namespace by default)
     * @param maxPages        pages of 500 entries read per version at most; beyond, the version has no census
     *                        (default 10)
     */
    public record Census(boolean enabled, Duration activeInterval, Duration idleInterval, Duration idleAfter,
                         double readsPerSecond, int maxPages) {

        /** The read rhythm these keys configure (core's {@link PollRhythm}, the one the stats use too). */
        public PollRhythm rhythm() {
            return new PollRhythm(activeInterval, idleInterval, idleAfter);
        }
    }

    /**
     * Polling of DescribeWorkerDeploymentVersion with task queue stats (default on).
     *
     * @param activeInterval poll interval of a version with backlog or live workers (default 1 s)
     * @param idleInterval   poll interval of an idle version (default 10 s)
     * @param idleAfter      a version is idle after this long without backlog or live workers (default 60 s)
     */
    public record TemporalStats(boolean enabled, Duration activeInterval, Duration idleInterval, Duration idleAfter) {

        /** The poll rhythm these keys configure (core's {@link PollRhythm}). */
        public PollRhythm rhythm() {
            return new PollRhythm(activeInterval, idleInterval, idleAfter);
        }
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

    /**
     * Scraping of self-hosted Temporal matching metrics endpoints (default off; see docs/matching-metrics.md).
     *
     * @param endpoints    the matching service's Prometheus endpoints, one per matching process
     * @param interval     scrape interval (default 500 ms)
     * @param timeout      timeout of one scrape (default 1 s)
     * @param metricPrefix a prefix the server puts before metric names (default none)
     * @param maxSeries    {@code tasks_added} series tracked at most per endpoint (default 50 000)
     * @param maxTasksPerSecond the largest plausible rate of one series (default 10 000)
     */
    public record MatchingMetrics(boolean enabled, List<URI> endpoints, Duration interval, Duration timeout,
                                  String metricPrefix, int maxSeries, double maxTasksPerSecond) {
        public MatchingMetrics {
            endpoints = List.copyOf(endpoints);
        }

        /** With the default series cap and rate bound. */
        public MatchingMetrics(boolean enabled, List<URI> endpoints, Duration interval, Duration timeout,
                               String metricPrefix) {
            this(enabled, endpoints, interval, timeout, metricPrefix, MatchingMetricsSettings.DEFAULT_MAX_SERIES,
                    MatchingMetricsSettings.DEFAULT_MAX_TASKS_PER_SECOND);
        }
    }
}
