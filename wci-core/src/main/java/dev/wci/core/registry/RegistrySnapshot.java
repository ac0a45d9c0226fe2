package dev.wci.core.registry;

import dev.wci.core.version.DeploymentVersion;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable view of the registry at one moment: readers never see half an update.
 *
 * @param deployments the managed deployments by name, in configuration order
 */
public record RegistrySnapshot(Map<String, DeploymentEntry> deployments) {

    public RegistrySnapshot {
        deployments = Collections.unmodifiableMap(new LinkedHashMap<>(deployments));
    }

    public Optional<VersionEntry> version(DeploymentVersion version) {
        DeploymentEntry d = deployments.get(version.deploymentName());
        return d == null ? Optional.empty() : Optional.ofNullable(d.versions().get(version.buildId()));
    }

    /** Every version, deployment by deployment. */
    public List<VersionEntry> versions() {
        return deployments.values().stream().flatMap(d -> d.versions().values().stream()).toList();
    }

    /** The versions WCI scales. */
    public List<VersionEntry> managed() {
        return versions().stream().filter(VersionEntry::isManaged).toList();
    }

    /** Every conflict, version by version. */
    public List<Conflict> conflicts() {
        return versions().stream().flatMap(v -> v.conflicts().stream()).toList();
    }
}
