package dev.wci.core.registry;

import dev.wci.core.version.DeploymentVersion;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a deployment routes unpinned work (new workflows, Auto-Upgrade and unversioned tasks), as Temporal's
 * routing config says. An empty version stands for unversioned workers, as in Temporal's API.
 *
 * @param current           the Current version; empty: unversioned workers (or nobody) get the work
 * @param ramping           the Ramping version; empty with a non-zero percentage: the ramp goes to unversioned
 *                          workers
 * @param rampingPercentage share of unpinned work (0..100) routed to the ramp instead of Current
 */
public record Routing(Optional<DeploymentVersion> current, Optional<DeploymentVersion> ramping,
                      double rampingPercentage) {

    /** No Current, no ramp: what a deployment unknown to Temporal has. */
    public static final Routing NONE = new Routing(Optional.empty(), Optional.empty(), 0);

    public Routing {
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(ramping, "ramping");
        if (!(rampingPercentage >= 0 && rampingPercentage <= 100)) {
            throw new IllegalArgumentException("ramping percentage must be within 0..100, got " + rampingPercentage);
        }
        if (current.isPresent() && current.equals(ramping)) {
            throw new IllegalArgumentException("version " + current.get() + " cannot be Current and Ramping");
        }
    }

    /** Current is {@code version}, nothing ramps. */
    public static Routing current(DeploymentVersion version) {
        return new Routing(Optional.of(version), Optional.empty(), 0);
    }

    @Override
    public String toString() {
        String cur = current.map(DeploymentVersion::toString).orElse("unversioned");
        if (ramping.isEmpty() && rampingPercentage == 0) {
            return "current=" + cur;
        }
        return "current=" + cur + " ramping=" + ramping.map(DeploymentVersion::toString).orElse("unversioned")
                + "@" + rampingPercentage + "%";
    }
}
