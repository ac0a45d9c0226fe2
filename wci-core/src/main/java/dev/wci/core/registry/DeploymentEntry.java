package dev.wci.core.registry;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A managed deployment: its routing and its versions (mapped in the file or known to Temporal).
 *
 * @param name                the deployment name
 * @param targetsFromMetadata whether versions may name their target in Temporal metadata
 * @param existsInTemporal    whether Temporal knows the deployment
 * @param routing             its routing config
 * @param versions            versions by build ID, in build ID order
 * @param syncedAt            when Temporal was last read for it; empty before the first sync
 */
public record DeploymentEntry(String name, boolean targetsFromMetadata, boolean existsInTemporal, Routing routing,
                              Map<String, VersionEntry> versions, Optional<Instant> syncedAt) {

    public DeploymentEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(syncedAt, "syncedAt");
        versions = Collections.unmodifiableMap(new LinkedHashMap<>(versions));
    }
}
