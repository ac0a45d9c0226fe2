package dev.wci.server.service;

import dev.wci.core.scaling.ScalerObserver;
import dev.wci.core.version.ScalingGroupId;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what the worker census taught the scaler, then hands each event on (to the metrics, which count every one).
 * A failed start is a WARN: the function failed at start, or its workers poll another version. Adoptions and failed
 * starts are logged at most once per {@link #EVERY} per group and kind: a fleet adopted after a restart, or a
 * function failing at every start, is a few lines that say how many were left out.
 */
final class ScalerEventLog implements ScalerObserver {

    static final Duration EVERY = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(ScalerEventLog.class);

    private record Key(ScalingGroupId group, String kind) {
    }

    private final ScalerObserver next;
    private final LogThrottle<Key> throttle;

    ScalerEventLog(ScalerObserver next, Clock clock) {
        this.next = next;
        this.throttle = new LogThrottle<>(clock, EVERY, 10_000);
    }

    @Override
    public void workerSeen(ScalingGroupId group, String invocationId, Duration coldStart) {
        log.debug("worker of invocation {} ({}) listed by the census {} ms after the invoke", invocationId, group,
                coldStart.toMillis());
        next.workerSeen(group, invocationId, coldStart);
    }

    @Override
    public void workerAdopted(ScalingGroupId group, String identity) {
        OptionalInt skipped = throttle.admit(new Key(group, "adopted"));
        if (skipped.isPresent()) {
            // Expected after a WCI restart or a lease takeover: workers started by the previous owner keep running.
            log.info("worker {} of {} runs but was not started by this WCI process (a previous process or another "
                    + "starter invoked it): counted as live capacity, not charged to this process's budget{}",
                    identity, group, LogThrottle.more(skipped.getAsInt()));
        }
        next.workerAdopted(group, identity);
    }

    @Override
    public void failedStart(ScalingGroupId group, String invocationId, String requestId, Duration unseenFor) {
        OptionalInt skipped = throttle.admit(new Key(group, "failedStart"));
        if (skipped.isPresent()) {
            log.warn("invocation {} (Lambda request id {}) of {} was accepted, but its worker never appeared in "
                    + "Temporal's worker census within {} s: the function failed at start or its worker polls another "
                    + "version; see the function's logs for that request id{}", invocationId, requestId, group,
                    unseenFor.toSeconds(), LogThrottle.more(skipped.getAsInt()));
        }
        next.failedStart(group, invocationId, requestId, unseenFor);
    }
}
