package dev.wci.core.lease;

/**
 * How many leases one replica aims for and may hold when {@code deployments} are shared by {@code replicas}: the
 * target is ceil(D/N); one more is allowed only to adopt a lease whose holder is gone, until the membership
 * catches up (so a dead replica's deployments never wait for the count of replicas to drop).
 */
public record Spread(int target, int cap) {

    public static Spread of(int deployments, int replicas) {
        if (deployments < 0 || replicas < 1) {
            throw new IllegalArgumentException("need deployments >= 0 and replicas >= 1, got " + deployments + ", "
                    + replicas);
        }
        int target = (deployments + replicas - 1) / replicas;
        return new Spread(target, Math.min(deployments, target + 1));
    }
}
