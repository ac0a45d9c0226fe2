package dev.wci.lambda.invoke;

import dev.wci.lambda.LambdaProviderSettings;
import dev.wci.lambda.credentials.AssumeRoleSettings;
import dev.wci.lambda.credentials.CredentialsResolver;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;

/**
 * One {@link LambdaAsyncClient} per (region, credentials), built on first use and reused; all of them share one
 * Netty event loop and connection pool, so the provider's thread count does not grow with the number of targets.
 */
public final class LambdaClients implements AutoCloseable {

    private final LambdaProviderSettings settings;
    private final CredentialsResolver credentials;
    private final EventLoopGroup eventLoop;
    private final SdkAsyncHttpClient http;
    private final RetryStrategy retryStrategy;
    private final Map<Key, LambdaAsyncClient> clients = new ConcurrentHashMap<>();

    private record Key(Region region, Optional<AssumeRoleSettings> role) {
    }

    public LambdaClients(LambdaProviderSettings settings, CredentialsResolver credentials) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        // Our own event loop, so close() can skip Netty's 2 s quiet period: nothing is in flight by then.
        this.eventLoop = new NioEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("wci-lambda-io", true));
        this.http = NettyNioAsyncHttpClient.builder()
                .eventLoopGroup(SdkEventLoopGroup.create(eventLoop, NioSocketChannel::new))
                // The limiter bounds in-flight calls; a few spare connections cover validation calls.
                .maxConcurrency(settings.maxConcurrentInvokes() + 16)
                .maxPendingConnectionAcquires(10_000)
                .connectionTimeout(settings.connectTimeout())
                .connectionAcquisitionTimeout(settings.apiCallTimeout())
                .readTimeout(settings.apiCallAttemptTimeout())
                .writeTimeout(settings.apiCallAttemptTimeout())
                .build();
        this.retryStrategy = retryStrategy(settings.maxRetries());
    }

    /**
     * For {@code Invoke}: one HTTP attempt, no SDK retry. Each attempt is an invocation the scaler's invoke-rate
     * limit must have granted; an SDK retry would be an invocation it never saw (a 500 or a hanging endpoint tripled
     * the HTTP invokes past the configured rate). A transient failure goes back to the scaler, whose per-function
     * backoff then lets one probe through. Applied per request (a plugin), so one client per (region, credentials)
     * still serves the control-plane calls, which keep their retries.
     */
    public static final AwsRequestOverrideConfiguration SINGLE_ATTEMPT = AwsRequestOverrideConfiguration.builder()
            .addPlugin(config -> config.overrideConfiguration(o -> o.retryStrategy(retryStrategy(0))))
            .build();

    /**
     * Retries transient failures only, a few times with a short jittered backoff; used by control-plane calls
     * (validation). Throttles are excluded: retrying inside the SDK would multiply a storm.
     */
    static RetryStrategy retryStrategy(int maxRetries) {
        return StandardRetryStrategy.builder()
                .maxAttempts(maxRetries + 1)
                .retryOnException(LambdaErrorClassifier::isRetryable)
                .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(50), Duration.ofSeconds(1)))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(50), Duration.ofSeconds(1)))
                .treatAsThrottling(t -> false)
                // Otherwise the client adds the AWS defaults, which retry throttles (429, TooManyRequestsException).
                .useClientDefaults(false)
                .build();
    }

    /** The client for targets in {@code region} reached with {@code role} (or the base credentials). */
    public LambdaAsyncClient client(Region region, Optional<AssumeRoleSettings> role) {
        return clients.computeIfAbsent(new Key(region, role), this::build);
    }

    private LambdaAsyncClient build(Key key) {
        var builder = LambdaAsyncClient.builder()
                .region(key.region())
                .credentialsProvider(credentials.provider(key.role(), key.region()))
                .httpClient(http)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(retryStrategy)
                        .apiCallTimeout(settings.apiCallTimeout())
                        .apiCallAttemptTimeout(settings.apiCallAttemptTimeout())
                        .build());
        settings.lambdaEndpointOverride().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** Number of distinct clients built so far (for tests and status). */
    public int size() {
        return clients.size();
    }

    @Override
    public void close() {
        clients.values().forEach(LambdaAsyncClient::close);
        clients.clear();
        http.close();
        eventLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}
