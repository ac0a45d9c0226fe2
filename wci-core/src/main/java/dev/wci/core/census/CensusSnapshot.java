package dev.wci.core.census;

import dev.wci.core.version.DeploymentVersion;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Every worker the census lists for one version at one time. A worker of the version that is not listed
 * is not running (or its entry expired).
 *
 * @param version the Worker Deployment Version
 * @param asOf    when the census was read
 * @param workers the workers listed, in any order
 */
public record CensusSnapshot(DeploymentVersion version, Instant asOf, List<CensusWorker> workers) {

    public CensusSnapshot {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(asOf, "asOf");
        workers = List.copyOf(workers);
    }
}
