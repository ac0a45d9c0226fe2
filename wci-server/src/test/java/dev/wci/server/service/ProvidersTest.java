package dev.wci.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.lambda.LambdaProviderSettings;
import dev.wci.lambda.credentials.AssumeRoleSettings;
import dev.wci.server.config.AwsConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

class ProvidersTest {

    private static final LambdaProviderSettings DEFAULTS = LambdaProviderSettings.defaults();

    @Test
    void emptyAwsSectionKeepsTheProviderDefaults() {
        LambdaProviderSettings s = Providers.lambdaSettings(new AwsConfig(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(10), 2));

        assertEquals(DEFAULTS, s);
        assertTrue(s.lambdaEndpointOverride().isEmpty());
        assertTrue(s.stsEndpointOverride().isEmpty());
        assertTrue(s.globalAssumeRole().isEmpty());
    }

    @Test
    void endpointsRoleTimeoutAndRetriesAreMapped() {
        AssumeRoleSettings role = new AssumeRoleSettings("arn:aws:iam::123456789012:role/wci-invoker", "ext-id-1234",
                "wci-test", Duration.ofHours(2));

        LambdaProviderSettings s = Providers.lambdaSettings(new AwsConfig(Optional.of("eu-west-1"),
                Optional.of(URI.create("http://127.0.0.1:9001")), Optional.of(URI.create("http://127.0.0.1:9002")),
                Optional.of(role), Duration.ofSeconds(20), 5));

        assertEquals(URI.create("http://127.0.0.1:9001"), s.lambdaEndpoint());
        assertEquals(URI.create("http://127.0.0.1:9002"), s.stsEndpoint());
        assertEquals(role, s.assumeRole());
        assertEquals(Duration.ofSeconds(20), s.apiCallTimeout());
        assertEquals(Duration.ofSeconds(3), s.apiCallAttemptTimeout(), "an attempt stays short so that retries fit");
        assertEquals(5, s.maxRetries());
        assertEquals(DEFAULTS.revalidationInterval(), s.revalidationInterval());
        assertEquals(DEFAULTS.maxConcurrentInvokes(), s.maxConcurrentInvokes());
    }

    @Test
    void invokeTimeoutShorterThanOneAttemptBoundsTheAttempt() {
        LambdaProviderSettings s = Providers.lambdaSettings(new AwsConfig(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Duration.ofMillis(1500), 0));

        assertEquals(Duration.ofMillis(1500), s.apiCallTimeout());
        assertEquals(Duration.ofMillis(1500), s.apiCallAttemptTimeout());
        assertEquals(0, s.maxRetries());
    }

    @Test
    void externalIdIsNotPrintedBySettings() {
        AssumeRoleSettings role = new AssumeRoleSettings("arn:aws:iam::123456789012:role/wci-invoker",
                "very-secret-external-id", null, null);

        LambdaProviderSettings s = Providers.lambdaSettings(new AwsConfig(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(role), Duration.ofSeconds(10), 2));

        assertFalse(s.toString().contains("very-secret-external-id"), s.toString());
    }

    @Test
    void lambdaProviderUsesTheMappedSettings() {
        AwsConfig aws = new AwsConfig(Optional.empty(), Optional.of(URI.create("http://127.0.0.1:9001")),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(4), 1);

        try (LambdaComputeProvider p = Providers.lambda(aws,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")),
                java.time.Clock.systemUTC())) {
            assertEquals(LambdaComputeProvider.TYPE, p.type());
            assertEquals(Providers.lambdaSettings(aws), p.settings());
            assertNull(p.settings().stsEndpoint());
        }
    }
}
