package dev.wci.server.push;

import dev.wci.core.registry.VersionLookup;
import dev.wci.core.version.DeploymentVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Managed versions, and an unpinned split by fixed percentages (Current keeps the rest of the Ramping share).
 */
final class FakeVersions implements VersionLookup {

    private final Set<DeploymentVersion> managed;
    private final Map<String, Map<DeploymentVersion, Integer>> unpinnedPercent;

    FakeVersions(Set<DeploymentVersion> managed, Map<String, Map<DeploymentVersion, Integer>> unpinnedPercent) {
        this.managed = Set.copyOf(managed);
        this.unpinnedPercent = Map.copyOf(unpinnedPercent);
    }

    @Override
    public boolean isManaged(DeploymentVersion version) {
        return managed.contains(version);
    }

    @Override
    public Map<DeploymentVersion, Long> attributeUnpinned(String deploymentName, long count) {
        Map<DeploymentVersion, Long> out = new LinkedHashMap<>();
        unpinnedPercent.getOrDefault(deploymentName, Map.of())
                .forEach((v, pct) -> out.put(v, count * pct / 100));
        return out;
    }
}
