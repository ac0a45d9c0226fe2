package dev.wci.core.registry;

import dev.wci.core.version.DeploymentVersion;
import java.util.Map;

/**
 * What signal sources need to know about versions: which ones WCI manages, and which versions receive a
 * deployment's unpinned work (Current, and Ramping by its percentage). Implementations are thread-safe.
 */
public interface VersionLookup {

    /** Whether WCI invokes workers for this version (mapped to a target, not managed by the server's own WCI). */
    boolean isManaged(DeploymentVersion version);

    /**
     * Splits {@code count} unpinned tasks of a deployment between the versions that will receive them: Current,
     * and Ramping by its ramp percentage. Only managed versions appear; empty when none receives the work.
     */
    Map<DeploymentVersion, Long> attributeUnpinned(String deploymentName, long count);
}
