package dev.wci.server.service;

import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.lambda.LambdaProviderSettings;
import dev.wci.server.config.AwsConfig;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/** Builds the compute providers a configuration needs. */
public final class Providers {

    private Providers() {
    }

    /** The Lambda provider settings for the {@code aws} section. */
    public static LambdaProviderSettings lambdaSettings(AwsConfig aws) {
        LambdaProviderSettings.Builder b = LambdaProviderSettings.builder()
                .apiCallTimeout(aws.invokeTimeout())
                // One attempt may take the whole call timeout when it is short; retries need room otherwise.
                .apiCallAttemptTimeout(aws.invokeTimeout().compareTo(Duration.ofSeconds(3)) < 0
                        ? aws.invokeTimeout() : Duration.ofSeconds(3))
                .maxRetries(aws.maxRetries());
        aws.endpoint().ifPresent(b::lambdaEndpoint);
        aws.stsEndpoint().ifPresent(b::stsEndpoint);
        aws.assumeRole().ifPresent(b::assumeRole);
        return b.build();
    }

    /**
     * The Lambda provider for the {@code aws} section.
     *
     * @param credentials base credentials (the default provider chain in production)
     */
    public static LambdaComputeProvider lambda(AwsConfig aws, AwsCredentialsProvider credentials, Clock clock) {
        return new LambdaComputeProvider(lambdaSettings(aws), credentials, clock);
    }
}
