package dev.wci.server.service;

import dev.wci.core.scaling.ScalerObserver;
import dev.wci.core.version.ScalingGroupId;
import dev.wci.server.metrics.WciMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the scaler learned from the worker census, turned into metrics (real cold starts, failed starts, adopted
 * workers) and a WARN per failed start, at most one per group every {@link #WARN_EVERY} (a function that fails at
 * every start must not flood the log; the count of the ones in between is in the next line and the metric).
 */
final class CensusEvents implements ScalerObserver {

    static final Duration WARN_EVERY = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(CensusEvents.class);

    private final WciMetrics metrics;
    private final Clock clock;
    // Guarded by this.
    private final Map<ScalingGroupId, Instant> lastWarned = new HashMap<>();
    private final Map<ScalingGroupId, Integer> suppressed = new HashMap<>();

    CensusEvents(WciMetrics metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void workerSeen(ScalingGroupId group, String invocationId, Duration coldStart) {
        metrics.coldStart(group, coldStart);
    }

    @Override
    public void workerAdopted(ScalingGroupId group, String identity) {
        metrics.adopted(group);
    }

    @Override
    public void failedStart(ScalingGroupId group, String invocationId, String requestId, Duration unseenFor) {
        metrics.failedStart(group);
        int more;
        synchronized (this) {
            Instant now = clock.instant();
            Instant last = lastWarned.get(group);
            if (last != null && Duration.between(last, now).compareTo(WARN_EVERY) < 0) {
                suppressed.merge(group, 1, Integer::sum);
                return;
            }
            lastWarned.put(group, now);
            Integer m = suppressed.remove(group);
            more = m == null ? 0 : m;
        }
        log.warn("failed start: invocation {} (Lambda request {}) of {} never appeared in the worker census within "
                        + "{} s: the function failed before its worker polled, or its worker polls another version{}",
                invocationId, requestId, group, unseenFor.toSeconds(),
                more == 0 ? "" : " (" + more + " more failed start(s) since the last warning)");
    }
}
