package dev.wci.lambda.invoke;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import dev.wci.core.audit.DecisionAudit;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.invoke.InvokeExecutor;
import dev.wci.core.invoke.InvokeObserver;
import dev.wci.core.limits.Limits;
import dev.wci.core.scaling.ReactiveScaler;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.signal.SyncMatchFailure;
import dev.wci.core.signal.SyncMatchFailure.Origin;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import dev.wci.core.version.TaskQueueType;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.lambda.LambdaProviderSettings;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Every HTTP Invoke attempt counts against the invoke rate, whatever the endpoint does: the real scaler, limits,
 * executor and Lambda provider run against WireMock under constant demand, and the attempts that reach the endpoint
 * (counted on arrival) never exceed {@code burst + rate × elapsed}, elapsed measured from before the rate limiter
 * existed. The run lasts until enough attempts arrived, however long the machine takes; no bound on its duration.
 */
class InvokeAttemptRateTest {

    static final int BURST = 5;
    static final double RATE = 2;
    /** Attempts to observe before the run ends: the burst and then several at the rate. */
    static final int ATTEMPTS = 14;
    /** The limiter reads a millisecond clock, the test a nanosecond one: allow a few ticks of difference. */
    static final double CLOCK_SLACK_SECONDS = 0.01;
    static final String ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-worker:5";
    static final DeploymentVersion VERSION = new DeploymentVersion("orders", "build-42");

    WireMockServer wm;
    LambdaComputeProvider provider;

    @AfterEach
    void stop() {
        if (provider != null) {
            provider.close();
        }
        if (wm != null) {
            wm.stop();
        }
    }

    static ResponseDefinition awsError(int status, String errorType, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withHeader("x-amzn-ErrorType", errorType).withBody(body).build();
    }

    @Test
    void serverErrorsDoNotMultiplyAttempts() {
        run(new InvokeAttempts(n -> awsError(500, "ServiceException", "{\"message\":\"Internal failure\"}")),
                Duration.ofSeconds(20));
    }

    @Test
    void aHangingEndpointDoesNotMultiplyAttempts() {
        InvokeAttempts attempts = new InvokeAttempts();
        startEndpoint(attempts);
        // Answers only long after the attempt timeout.
        wm.stubFor(post(urlPathMatching(".*/invocations")).willReturn(aResponse().withStatus(202).withFixedDelay(2_000)));
        drive(attempts, Duration.ofMillis(300));
    }

    @Test
    void aMixOfOutcomesStaysWithinTheRate() {
        SplittableRandom random = new SplittableRandom(5);
        List<ResponseDefinition> kinds = List.of(
                aResponse().withStatus(202).build(),
                awsError(500, "ServiceException", "{\"message\":\"Internal failure\"}"),
                awsError(429, "TooManyRequestsException", "{\"Reason\":\"CallerRateLimitExceeded\"}"),
                aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                        .withHeader("x-amzn-ErrorType", "TooManyRequestsException").withHeader("Retry-After", "86400")
                        .withBody("{\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\"}").build(),
                awsError(502, "KMSAccessDeniedException", "{\"message\":\"KMS access was denied\"}"),
                awsError(403, "AccessDeniedException", "{\"Message\":\"not authorized\"}"));
        IntFunction<ResponseDefinition> answer = n -> {
            synchronized (random) {
                return kinds.get(random.nextInt(kinds.size()));
            }
        };
        run(new InvokeAttempts(answer), Duration.ofSeconds(20));
    }

    private void run(InvokeAttempts attempts, Duration attemptTimeout) {
        startEndpoint(attempts);
        drive(attempts, attemptTimeout);
    }

    private void startEndpoint(InvokeAttempts attempts) {
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort().extensions(attempts));
        wm.start();
    }

    /** Constant demand, a validation that always passes (the worst case for an open circuit), until enough attempts. */
    private void drive(InvokeAttempts attempts, Duration attemptTimeout) {
        provider = new LambdaComputeProvider(LambdaProviderSettings.builder()
                .lambdaEndpoint(URI.create("http://127.0.0.1:" + wm.port()))
                .apiCallAttemptTimeout(attemptTimeout).apiCallTimeout(Duration.ofSeconds(20))
                .maxRetries(2) // the default: must not apply to Invoke
                .build(), StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")),
                Clock.systemUTC());
        ScalingPolicy policy = ScalingPolicy.builder().invokeBurstPerTarget(BURST).invokeRatePerTarget(RATE)
                .backoffBase(Duration.ofMillis(50)).backoffMax(Duration.ofMillis(200))
                .maxWorkersPerVersion(100_000).maxWorkersTotal(100_000).build();
        long startNanos = System.nanoTime(); // before the limiter exists: its bucket starts full at creation
        Clock clock = Clock.systemUTC();
        AtomicLong ids = new AtomicLong();
        ReactiveScaler scaler = new ReactiveScaler(policy, new Limits(policy, new SplittableRandom(3)),
                new DecisionAudit(100), clock, () -> "inv-" + ids.incrementAndGet());
        ComputeTarget target = new ComputeTarget(LambdaComputeProvider.TYPE, ARN);
        ScalingGroup group = ScalingGroup.allTypes(VERSION, target);
        TargetFacts facts = TargetFacts.ofTimeout(Duration.ofSeconds(900));
        scaler.register(group, facts);
        InvokeExecutor executor = new InvokeExecutor(Map.of(LambdaComputeProvider.TYPE, provider), scaler,
                InvokeObserver.NONE, clock, 64);

        List<String> overRate = new ArrayList<>();
        await().atMost(Duration.ofMinutes(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).until(() -> {
            scaler.onValidation(group.id(), new TargetValidation.Valid(facts, List.of(), clock.instant()));
            scaler.onSignal(new SyncMatchFailure(VERSION, "orders-q", TaskQueueType.ACTIVITY, 1000, 0, clock.instant(),
                    Origin.PUSH))
                    .ifPresent(executor::execute);
            scaler.tick().forEach(executor::execute);
            int seen = attempts.count();
            double elapsed = (System.nanoTime() - startNanos) / 1e9 + CLOCK_SLACK_SECONDS;
            if (seen > BURST + RATE * elapsed && overRate.size() < 5) {
                overRate.add(seen + " attempts after " + String.format("%.3f", elapsed) + " s");
            }
            return seen >= ATTEMPTS;
        });
        assertEquals(List.of(), overRate, "HTTP attempts beyond burst " + BURST + " + " + RATE + "/s");
    }
}
