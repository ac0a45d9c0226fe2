package dev.wci.server.config;

import java.time.Duration;

/**
 * Running several replicas ({@code ha} section, off by default): replicas share the deployments through leases
 * held in Temporal (see {@code docs/ha.md}).
 *
 * @param enabled       whether this process is one replica of several (off: it invokes for every deployment)
 * @param identity      this replica's name in the leases (default host name + pid)
 * @param leaseTtl      how long a renewal keeps a lease (default 6 s)
 * @param renewInterval how often leases are renewed (default 2 s; at most a third of the TTL)
 */
public record HaConfig(boolean enabled, String identity, Duration leaseTtl, Duration renewInterval) {

    public static final Duration DEFAULT_TTL = Duration.ofSeconds(6);
    public static final Duration DEFAULT_RENEW = Duration.ofSeconds(2);

    /** HA off, as when the section is absent. */
    public static HaConfig off(String identity) {
        return new HaConfig(false, identity, DEFAULT_TTL, DEFAULT_RENEW);
    }
}
