package dev.wci.sim;

import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.version.DeploymentVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.random.RandomGenerator;

/**
 * AWS Lambda as the simulator models it, behind the real {@link ComputeProvider} SPI (type
 * {@value #TYPE}). An {@code invoke} call is answered after the API latency by a simulation event,
 * one result per invocation id, in order:
 * <ul>
 *   <li>throttled (429, {@code ConcurrentInvocationLimitExceeded}) when one more environment would
 *       exceed the account concurrency limit;</li>
 *   <li>throttled ({@code FunctionInvocationRateLimitExceeded}) when the scaling-rate token bucket
 *       (1 000 new environments per 10 s) is empty;</li>
 *   <li>otherwise accepted: the {@link Host} starts a worker with a cold start drawn from the
 *       lognormal.</li>
 * </ul>
 * Throttles carry the configured retry-after (1 s).
 */
public final class SimLambda implements ComputeProvider {

    public static final String TYPE = "sim-lambda";
    public static final String CONCURRENCY_REASON = "ConcurrentInvocationLimitExceeded";
    public static final String RATE_REASON = "FunctionInvocationRateLimitExceeded";

    /** The simulation side that owns the workers. */
    interface Host {
        /** Environments accepted and not yet ended, all versions. */
        int liveEnvironments();

        /** A worker was accepted now; it is ready after {@code coldStartNanos}. */
        void accepted(DeploymentVersion version, String invocationId, long coldStartNanos);

        /** The version a target address runs, or null when the address is unknown. */
        DeploymentVersion versionOf(String address);
    }

    private final EventQueue events;
    private final SimConfig config;
    private final RandomGenerator coldStarts;
    private final Host host;
    private final double sigma;
    private final long median;
    private final double tokensPerNano;
    private double tokens;
    private long tokensAt;
    private int pendingCalls;
    private long invokeCalls;
    private long accepted;
    private long throttled;

    SimLambda(EventQueue events, SimConfig config, RandomGenerator coldStarts, Host host) {
        this.events = events;
        this.config = config;
        this.coldStarts = coldStarts;
        this.host = host;
        this.sigma = config.coldStartSigma();
        this.median = config.coldStartMedian().toNanos();
        this.tokensPerNano = (double) config.scalingRateBurst() / config.scalingRateWindow().toNanos();
        this.tokens = config.scalingRateBurst();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public CompletionStage<TargetValidation> validate(ComputeTarget target, DeploymentVersion version) {
        if (!TYPE.equals(target.provider()) || !version.equals(host.versionOf(target.address()))) {
            return CompletableFuture.completedFuture(new TargetValidation.Invalid(
                    ComputeFailure.of(FailureClass.NOT_FOUND, "no simulated function " + target.address()
                            + " for " + version), events.clock().instant()));
        }
        return CompletableFuture.completedFuture(new TargetValidation.Valid(
                TargetFacts.ofTimeout(config.functionTimeout()), List.of(), events.clock().instant()));
    }

    @Override
    public CompletionStage<List<InvocationResult>> invoke(InvocationRequest request) {
        CompletableFuture<List<InvocationResult>> future = new CompletableFuture<>();
        pendingCalls++;
        invokeCalls++;
        events.after(config.apiLatency(), () -> {
            pendingCalls--;
            future.complete(answer(request));
        });
        return future;
    }

    private List<InvocationResult> answer(InvocationRequest request) {
        DeploymentVersion version = host.versionOf(request.target().address());
        List<InvocationResult> results = new ArrayList<>(request.count());
        for (String id : request.invocationIds()) {
            if (!TYPE.equals(request.target().provider()) || version == null
                    || !version.equals(request.group().version())) {
                results.add(new InvocationResult.Failed(id, ComputeFailure.of(FailureClass.NOT_FOUND,
                        "no simulated function " + request.target().address() + " for " + request.group())));
                continue;
            }
            results.add(answerOne(version, id));
        }
        return results;
    }

    private InvocationResult answerOne(DeploymentVersion version, String id) {
        long now = events.clock().nanos();
        refill(now);
        if (host.liveEnvironments() + 1 > config.accountConcurrency()) {
            throttled++;
            return new InvocationResult.Failed(id, ComputeFailure.throttled(CONCURRENCY_REASON,
                    config.retryAfter(), "account concurrency limit " + config.accountConcurrency() + " reached"));
        }
        if (tokens < 1) {
            throttled++;
            return new InvocationResult.Failed(id, ComputeFailure.throttled(RATE_REASON, config.retryAfter(),
                    "scaling rate " + config.scalingRateBurst() + " per " + config.scalingRateWindow().toSeconds()
                            + " s exhausted"));
        }
        tokens -= 1;
        accepted++;
        host.accepted(version, id, drawColdStart());
        return new InvocationResult.Accepted(id, SimClock.toInstant(now), requestId(id));
    }

    private void refill(long now) {
        tokens = Math.min(config.scalingRateBurst(), tokens + (now - tokensAt) * tokensPerNano);
        tokensAt = now;
    }

    /** The Lambda request id of an accepted invocation (what its worker's identity names). */
    static String requestId(String invocationId) {
        return "req-" + invocationId;
    }

    /**
     * Lognormal: median · exp(σ·Z); and a slow-start tail: {@link #SLOW_START_SHARE} of the starts take
     * {@link #SLOW_START_MIN_FACTOR}–{@link #SLOW_START_MAX_FACTOR} × the median (a JVM start on a busy host, a slow
     * image pull), which no lognormal fitted to the body shows.
     */
    private long drawColdStart() {
        long body = Math.max(1_000_000L, (long) (median * Math.exp(sigma * coldStarts.nextGaussian())));
        double u = coldStarts.nextDouble();
        if (u < SLOW_START_SHARE) {
            double factor = SLOW_START_MIN_FACTOR
                    + (SLOW_START_MAX_FACTOR - SLOW_START_MIN_FACTOR) * (u / SLOW_START_SHARE);
            return Math.max(body, (long) (median * factor));
        }
        return body;
    }

    /** One cold-start draw (for tests of the distribution). */
    long drawColdStartForTest() {
        return drawColdStart();
    }

    /** Share of cold starts in the slow tail. */
    static final double SLOW_START_SHARE = 0.02;
    /** A slow start takes this many times the median, at least ... */
    static final double SLOW_START_MIN_FACTOR = 5;
    /** ... and at most this many. */
    static final double SLOW_START_MAX_FACTOR = 20;

    /** Invoke calls whose answer is still in flight. */
    int pendingCalls() {
        return pendingCalls;
    }

    long invokeCalls() {
        return invokeCalls;
    }

    public long acceptedCount() {
        return accepted;
    }

    public long throttledCount() {
        return throttled;
    }
}
