package dev.wci.core.testing;

import dev.wci.core.registry.VersionLookup;
import dev.wci.core.version.DeploymentVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A {@link VersionLookup} for tests: fixed managed versions, and a fixed split of each deployment's unpinned tasks
 * by percent (rounded down; a version whose share rounds to none is left out, as in the registry).
 */
public final class FixedVersionLookup implements VersionLookup {

    private final Set<DeploymentVersion> managed;
    private final Map<String, Map<DeploymentVersion, Integer>> unpinnedPercent;

    public FixedVersionLookup(Set<DeploymentVersion> managed,
                              Map<String, Map<DeploymentVersion, Integer>> unpinnedPercent) {
        this.managed = Set.copyOf(managed);
        this.unpinnedPercent = Map.copyOf(unpinnedPercent);
    }

    /** Every given version is managed and is its deployment's Current (100 % of unpinned tasks). */
    public static FixedVersionLookup current(DeploymentVersion... versions) {
        Map<String, Map<DeploymentVersion, Integer>> split = new LinkedHashMap<>();
        for (DeploymentVersion v : versions) {
            split.put(v.deploymentName(), Map.of(v, 100));
        }
        return new FixedVersionLookup(Set.of(versions), split);
    }

    @Override
    public boolean isManaged(DeploymentVersion version) {
        return managed.contains(version);
    }

    @Override
    public Map<DeploymentVersion, Long> attributeUnpinned(String deploymentName, long count) {
        Map<DeploymentVersion, Long> out = new LinkedHashMap<>();
        unpinnedPercent.getOrDefault(deploymentName, Map.of()).forEach((v, pct) -> out.put(v, count * pct / 100));
        out.values().removeIf(n -> n == 0);
        return out;
    }
}
