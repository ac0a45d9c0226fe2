package dev.wci.server.config;

import dev.wci.core.scaling.ScalingPolicy;
import java.util.List;

/**
 * One managed Worker Deployment ({@code deployments[]}).
 *
 * @param name                the Temporal deployment name
 * @param scaling             the global policy with this deployment's overrides applied
 * @param targetsFromMetadata also manage versions that carry their Lambda target in Temporal version
 *                            metadata (key {@code wci.lambda.target}); YAML wins on conflict (default false)
 * @param versions            versions mapped in the file
 */
public record DeploymentConfig(String name, ScalingPolicy scaling, boolean targetsFromMetadata,
                               List<VersionConfig> versions, ConfigLocation location) {

    public DeploymentConfig {
        versions = List.copyOf(versions);
    }
}
