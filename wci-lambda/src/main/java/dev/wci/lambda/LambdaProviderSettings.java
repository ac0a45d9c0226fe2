package dev.wci.lambda;

import dev.wci.lambda.credentials.AssumeRoleSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the Lambda compute provider. Immutable; build with {@link #builder()} or take {@link #defaults()}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>why</th></tr>
 *   <tr><td>lambdaEndpoint</td><td>none (AWS, from the ARN's region)</td><td>local Lambda runtime, LocalStack, moto</td></tr>
 *   <tr><td>stsEndpoint</td><td>none (regional STS of the ARN's region)</td><td>local STS emulator</td></tr>
 *   <tr><td>assumeRole</td><td>none (default credential chain)</td><td>cross-account targets; a target's own roleArn wins</td></tr>
 *   <tr><td>connectTimeout</td><td>2 s</td><td>a dead endpoint must fail fast, not hold an invoke slot</td></tr>
 *   <tr><td>apiCallAttemptTimeout</td><td>3 s</td><td>an async Invoke answers in tens of ms; a slow attempt is retried</td></tr>
 *   <tr><td>apiCallTimeout</td><td>10 s</td><td>bounds one call including its retries</td></tr>
 *   <tr><td>maxConcurrentInvokes</td><td>256</td><td>bounds in-flight calls (and connections) across all targets</td></tr>
 *   <tr><td>maxRetries</td><td>2</td><td>retries of transient control-plane errors; Invoke and throttles are never
 *       retried here</td></tr>
 *   <tr><td>revalidationInterval</td><td>5 min</td><td>how long a Valid result is reused: control-plane quotas are low</td></tr>
 *   <tr><td>minRevalidationInterval</td><td>30 s</td><td>shortest gap between two control-plane checks of one target</td></tr>
 * </table>
 *
 * @param lambdaEndpoint          Lambda API endpoint override, or null for AWS
 * @param stsEndpoint             STS endpoint override, or null for AWS
 * @param assumeRole              role assumed for targets without their own {@code roleArn}, or null
 * @param connectTimeout          TCP connect timeout
 * @param apiCallAttemptTimeout   timeout of one HTTP attempt
 * @param apiCallTimeout          timeout of one API call, retries included
 * @param maxConcurrentInvokes    bound on in-flight Invoke calls for the whole provider
 * @param maxRetries              SDK retries of transient control-plane errors (0 = one attempt); Invoke is always
 *                                one attempt (see {@link dev.wci.lambda.invoke.LambdaClients#SINGLE_ATTEMPT})
 * @param revalidationInterval    how long a Valid validation result is served from cache
 * @param minRevalidationInterval how long an Invalid result is served from cache, and the minimum gap between checks
 */
public record LambdaProviderSettings(URI lambdaEndpoint, URI stsEndpoint, AssumeRoleSettings assumeRole,
                                     Duration connectTimeout, Duration apiCallAttemptTimeout, Duration apiCallTimeout,
                                     int maxConcurrentInvokes, int maxRetries,
                                     Duration revalidationInterval, Duration minRevalidationInterval) {

    public LambdaProviderSettings {
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(apiCallAttemptTimeout, "apiCallAttemptTimeout");
        requirePositive(apiCallTimeout, "apiCallTimeout");
        requirePositive(revalidationInterval, "revalidationInterval");
        requirePositive(minRevalidationInterval, "minRevalidationInterval");
        if (apiCallAttemptTimeout.compareTo(apiCallTimeout) > 0) {
            throw new IllegalArgumentException("apiCallAttemptTimeout (" + apiCallAttemptTimeout
                    + ") must not exceed apiCallTimeout (" + apiCallTimeout + ")");
        }
        if (minRevalidationInterval.compareTo(revalidationInterval) > 0) {
            throw new IllegalArgumentException("minRevalidationInterval (" + minRevalidationInterval
                    + ") must not exceed revalidationInterval (" + revalidationInterval + ")");
        }
        if (maxConcurrentInvokes < 1 || maxConcurrentInvokes > 10_000) {
            throw new IllegalArgumentException("maxConcurrentInvokes must be within 1..10000, got " + maxConcurrentInvokes);
        }
        if (maxRetries < 0 || maxRetries > 10) {
            throw new IllegalArgumentException("maxRetries must be within 0..10, got " + maxRetries);
        }
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    /** The documented defaults: AWS endpoints, default credential chain. */
    public static LambdaProviderSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<URI> lambdaEndpointOverride() {
        return Optional.ofNullable(lambdaEndpoint);
    }

    public Optional<URI> stsEndpointOverride() {
        return Optional.ofNullable(stsEndpoint);
    }

    public Optional<AssumeRoleSettings> globalAssumeRole() {
        return Optional.ofNullable(assumeRole);
    }

    public Builder toBuilder() {
        return new Builder().lambdaEndpoint(lambdaEndpoint).stsEndpoint(stsEndpoint).assumeRole(assumeRole)
                .connectTimeout(connectTimeout).apiCallAttemptTimeout(apiCallAttemptTimeout)
                .apiCallTimeout(apiCallTimeout).maxConcurrentInvokes(maxConcurrentInvokes).maxRetries(maxRetries)
                .revalidationInterval(revalidationInterval).minRevalidationInterval(minRevalidationInterval);
    }

    /** Builder with the documented defaults preset. */
    public static final class Builder {
        private URI lambdaEndpoint;
        private URI stsEndpoint;
        private AssumeRoleSettings assumeRole;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration apiCallAttemptTimeout = Duration.ofSeconds(3);
        private Duration apiCallTimeout = Duration.ofSeconds(10);
        private int maxConcurrentInvokes = 256;
        private int maxRetries = 2;
        private Duration revalidationInterval = Duration.ofMinutes(5);
        private Duration minRevalidationInterval = Duration.ofSeconds(30);

        private Builder() {
        }

        public Builder lambdaEndpoint(URI v) { this.lambdaEndpoint = v; return this; }

        public Builder stsEndpoint(URI v) { this.stsEndpoint = v; return this; }

        public Builder assumeRole(AssumeRoleSettings v) { this.assumeRole = v; return this; }

        public Builder connectTimeout(Duration v) { this.connectTimeout = v; return this; }

        public Builder apiCallAttemptTimeout(Duration v) { this.apiCallAttemptTimeout = v; return this; }

        public Builder apiCallTimeout(Duration v) { this.apiCallTimeout = v; return this; }

        public Builder maxConcurrentInvokes(int v) { this.maxConcurrentInvokes = v; return this; }

        public Builder maxRetries(int v) { this.maxRetries = v; return this; }

        public Builder revalidationInterval(Duration v) { this.revalidationInterval = v; return this; }

        public Builder minRevalidationInterval(Duration v) { this.minRevalidationInterval = v; return this; }

        public LambdaProviderSettings build() {
            return new LambdaProviderSettings(lambdaEndpoint, stsEndpoint, assumeRole, connectTimeout,
                    apiCallAttemptTimeout, apiCallTimeout, maxConcurrentInvokes, maxRetries,
                    revalidationInterval, minRevalidationInterval);
        }
    }
}
