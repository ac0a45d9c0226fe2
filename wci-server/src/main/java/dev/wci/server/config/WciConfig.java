package dev.wci.server.config;

import dev.wci.core.scaling.ScalingPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The whole configuration of a WCI process, as loaded from one YAML file. Immutable; every value is
 * already checked and defaulted by the loader.
 *
 * @param file        the file it was loaded from (for messages)
 * @param scaling     the policy every deployment starts from: the global {@code scaling} section over the
 *                    documented defaults, with the totals of the {@code limits} section
 * @param deployments the managed deployments, in file order
 * @param ha          replicas sharing the deployments (off by default)
 */
public record WciConfig(Path file, TemporalConfig temporal, AwsConfig aws, LimitsConfig limits, ScalingPolicy scaling,
                        HttpConfig http, SignalsConfig signals, LoggingConfig logging,
                        List<DeploymentConfig> deployments, HaConfig ha) {

    /** A configuration without an {@code ha} section: a single process. */
    public WciConfig(Path file, TemporalConfig temporal, AwsConfig aws, LimitsConfig limits, ScalingPolicy scaling,
                     HttpConfig http, SignalsConfig signals, LoggingConfig logging, List<DeploymentConfig> deployments) {
        this(file, temporal, aws, limits, scaling, http, signals, logging, deployments,
                HaConfig.off(ConfigLoader.defaultIdentity(System::getenv)));
    }

    public WciConfig {
        Objects.requireNonNull(ha, "ha");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(temporal, "temporal");
        Objects.requireNonNull(aws, "aws");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(scaling, "scaling");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(signals, "signals");
        Objects.requireNonNull(logging, "logging");
        deployments = List.copyOf(deployments);
    }
}
