package dev.wci.lambda.credentials;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;

/**
 * Hands out one credentials provider per (role, region), built once and reused: the base provider when no
 * role is configured, else the SDK's {@link StsAssumeRoleCredentialsProvider}, which caches the temporary
 * credentials and refreshes them in the background before they expire. Credentials are never built per call.
 *
 * <p>STS is called in the target's region (regional endpoints work in every partition), or at the configured
 * endpoint override.
 */
public final class CredentialsResolver implements AutoCloseable {

    private final AwsCredentialsProvider base;
    private final URI stsEndpoint;
    private final Duration apiCallTimeout;
    private final Map<Region, StsClient> stsClients = new ConcurrentHashMap<>();
    private final Map<RoleInRegion, StsAssumeRoleCredentialsProvider> roles = new ConcurrentHashMap<>();
    private SdkHttpClient stsHttpClient;

    private record RoleInRegion(AssumeRoleSettings role, Region region) {
    }

    /**
     * @param base           credentials used directly, and to call STS (usually the default provider chain)
     * @param stsEndpoint    STS endpoint override, or null
     * @param apiCallTimeout timeout of one STS call
     */
    public CredentialsResolver(AwsCredentialsProvider base, URI stsEndpoint, Duration apiCallTimeout) {
        this.base = Objects.requireNonNull(base, "base");
        this.stsEndpoint = stsEndpoint;
        this.apiCallTimeout = Objects.requireNonNull(apiCallTimeout, "apiCallTimeout");
    }

    /** The provider for {@code role} in {@code region}, or the base provider when there is no role. */
    public AwsCredentialsProvider provider(Optional<AssumeRoleSettings> role, Region region) {
        if (role.isEmpty()) {
            return base;
        }
        return roles.computeIfAbsent(new RoleInRegion(role.get(), region), this::assumeRoleProvider);
    }

    private StsAssumeRoleCredentialsProvider assumeRoleProvider(RoleInRegion key) {
        AssumeRoleSettings role = key.role();
        AssumeRoleRequest.Builder request = AssumeRoleRequest.builder()
                .roleArn(role.roleArn())
                .roleSessionName(role.sessionName())
                .durationSeconds((int) role.sessionDuration().toSeconds());
        if (role.externalId() != null) {
            request.externalId(role.externalId());
        }
        return StsAssumeRoleCredentialsProvider.builder()
                .stsClient(stsClients.computeIfAbsent(key.region(), this::stsClient))
                .refreshRequest(request.build())
                // Refresh off the invoke path: a caller never waits for STS once the first credentials exist.
                .asyncCredentialUpdateEnabled(true)
                .build();
    }

    private StsClient stsClient(Region region) {
        var builder = StsClient.builder()
                .region(region)
                .credentialsProvider(base)
                .httpClient(sharedHttpClient())
                .overrideConfiguration(ClientOverrideConfiguration.builder().apiCallTimeout(apiCallTimeout).build());
        if (stsEndpoint != null) {
            builder.endpointOverride(stsEndpoint);
        }
        return builder.build();
    }

    private synchronized SdkHttpClient sharedHttpClient() {
        // Only built when a role is configured: most deployments never call STS.
        if (stsHttpClient == null) {
            stsHttpClient = Apache5HttpClient.builder().maxConnections(8).build();
        }
        return stsHttpClient;
    }

    @Override
    public synchronized void close() {
        roles.values().forEach(StsAssumeRoleCredentialsProvider::close);
        stsClients.values().forEach(StsClient::close);
        if (stsHttpClient != null) {
            stsHttpClient.close();
        }
        roles.clear();
        stsClients.clear();
    }

    @Override
    public String toString() {
        return "CredentialsResolver[roles=" + roles.size() + ", stsEndpoint=" + stsEndpoint + "]";
    }
}
