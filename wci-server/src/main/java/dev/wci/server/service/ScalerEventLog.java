package dev.wci.server.service;

import dev.wci.core.scaling.ScalerObserver;
import dev.wci.core.version.ScalingGroupId;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what the worker census taught the scaler, then hands each event on (to the metrics). A failed start is a
 * WARN: the function failed at start, or its workers poll another version.
 */
final class ScalerEventLog implements ScalerObserver {

    private static final Logger log = LoggerFactory.getLogger(ScalerEventLog.class);

    private final ScalerObserver next;

    ScalerEventLog(ScalerObserver next) {
        this.next = next;
    }

    @Override
    public void workerSeen(ScalingGroupId group, String invocationId, Duration coldStart) {
        log.debug("worker of invocation {} ({}) listed by the census {} ms after the invoke", invocationId, group,
                coldStart.toMillis());
        next.workerSeen(group, invocationId, coldStart);
    }

    @Override
    public void workerAdopted(ScalingGroupId group, String identity) {
        log.info("worker {} of {} was not invoked by this process: counted as live capacity", identity, group);
        next.workerAdopted(group, identity);
    }

    @Override
    public void failedStart(ScalingGroupId group, String invocationId, String requestId, Duration unseenFor) {
        log.warn("invocation {} (Lambda request id {}) of {} was accepted, but its worker never appeared in Temporal's "
                + "worker census within {} s: the function failed at start or its worker polls another version; see "
                + "the function's logs for that request id", invocationId, requestId, group, unseenFor.toSeconds());
        next.failedStart(group, invocationId, requestId, unseenFor);
    }
}
