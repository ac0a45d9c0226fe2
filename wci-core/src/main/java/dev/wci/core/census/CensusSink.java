package dev.wci.core.census;

import dev.wci.core.version.DeploymentVersion;

/** Where a worker census source delivers what it reads. Implementations are thread-safe. */
public interface CensusSink {

    /** The census of one version was read. */
    void onCensus(CensusSnapshot snapshot);

    /**
     * The census cannot be read for this version (the server has no worker heartbeats, or the read failed):
     * decisions fall back to the ledger's model until the next snapshot.
     */
    void onCensusUnavailable(DeploymentVersion version, String reason);
}
