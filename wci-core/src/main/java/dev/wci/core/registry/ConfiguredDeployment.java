package dev.wci.core.registry;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A deployment WCI manages, as the configuration file describes it.
 *
 * @param name                the Temporal deployment name
 * @param targetsFromMetadata also manage versions that name their target in Temporal version metadata
 * @param versions            versions mapped in the file (distinct build IDs)
 */
public record ConfiguredDeployment(String name, boolean targetsFromMetadata, List<ConfiguredVersion> versions) {

    public ConfiguredDeployment {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("deployment name must not be blank");
        }
        versions = List.copyOf(versions);
        Set<String> seen = new HashSet<>();
        for (ConfiguredVersion v : versions) {
            if (!seen.add(v.buildId())) {
                throw new IllegalArgumentException("build ID '" + v.buildId() + "' is mapped twice in deployment '"
                        + name + "'");
            }
        }
    }
}
