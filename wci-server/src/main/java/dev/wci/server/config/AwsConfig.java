package dev.wci.server.config;

import dev.wci.lambda.credentials.AssumeRoleSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The AWS side ({@code aws} section).
 *
 * @param region        region for clients when it cannot come from a target ARN (targets carry their own)
 * @param endpoint      Lambda endpoint override (local Lambda runtime, LocalStack)
 * @param stsEndpoint   STS endpoint override
 * @param assumeRole    role assumed for every target without its own
 * @param invokeTimeout timeout of one AWS call, retries included (default 10 s)
 * @param maxRetries    SDK retries of a transient control-plane failure; Invoke and throttles are never retried
 *                      by the SDK (default 2)
 */
public record AwsConfig(Optional<String> region, Optional<URI> endpoint, Optional<URI> stsEndpoint,
                        Optional<AssumeRoleSettings> assumeRole, Duration invokeTimeout, int maxRetries) {
}
