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

    /**
     * A read of this version's census failed for a passing reason (Temporal unreachable, overloaded, a timeout):
     * the census is still the feed, it is only late. The last facts are held through the outage rather than read
     * as "every worker is gone" (see {@code CensusPolicy#outageHold}).
     */
    void onCensusReadFailed(DeploymentVersion version, String reason);
}
