package dev.wci.core.limits;

import dev.wci.core.compute.ComputeFailure;
import java.util.Optional;

/**
 * How many invocations a target may take at once after trouble: a circuit breaker that re-closes only through
 * one probe invocation and a ramp. Not thread-safe: the scaler confines it.
 *
 * <ul>
 *   <li>{@link State#CLOSED}: no restriction here.</li>
 *   <li>{@link State#OPEN}: the provider said the target is invalid (not found, access denied, rejected), or a
 *       validation failed. Nothing goes until a validation passes <em>and</em> the probe wait has passed. A passing
 *       validation only allows the probe: it reads the control plane ({@code GetFunction*}), which can succeed while
 *       {@code Invoke} is still denied (a KMS key, an invoke-only permission).</li>
 *   <li>{@link State#HALF_OPEN}: one probe invocation may go, and nothing else while it is in flight. Entered from
 *       OPEN as above, and after a throttle or transient failure (whose wait {@link ThrottleBackoff} times), so that a
 *       backoff ends with one invocation, not a full batch.</li>
 *   <li>{@link State#RAMPING}: the probe was accepted. Each accepted request doubles how many may go in the next one,
 *       one request at a time, until that reaches the ramp ceiling (the target's invoke burst) and the circuit
 *       closes.</li>
 * </ul>
 * A probe or ramp request that fails re-opens the circuit (an invalid target: the probe wait doubles per failed probe,
 * up to a maximum) or returns it to half-open (a throttle or transient failure). Results of requests decided before
 * the restricted request was sent say nothing about it: they cannot move the ramp on.
 */
public final class TargetCircuit {

    /** The circuit's states; see the class comment. */
    public enum State { CLOSED, OPEN, HALF_OPEN, RAMPING }

    private static final long NONE = Long.MIN_VALUE;

    private final long probeWaitBaseMillis;
    private final long probeWaitMaxMillis;
    private final int rampCeiling;

    private State state = State.CLOSED;
    private ComputeFailure openedBy;
    private boolean validated;
    private long probeAtMillis;
    private int failedProbes;
    private int allowance = 1;
    /** When the restricted request in flight was admitted, or NONE. */
    private long pendingSinceMillis = NONE;

    /**
     * @param probeWaitBaseMillis wait before the probe after a first failed probe; doubles per failed probe
     * @param probeWaitMaxMillis  longest wait between probes; also how long a probe whose result never comes back
     *                            blocks the next one
     * @param rampCeiling         invocations at once at which the ramp ends and the circuit closes
     */
    public TargetCircuit(long probeWaitBaseMillis, long probeWaitMaxMillis, int rampCeiling) {
        if (probeWaitBaseMillis <= 0 || probeWaitMaxMillis < probeWaitBaseMillis || rampCeiling < 1) {
            throw new IllegalArgumentException("probe waits must be positive and ordered, the ramp ceiling at least 1");
        }
        this.probeWaitBaseMillis = probeWaitBaseMillis;
        this.probeWaitMaxMillis = probeWaitMaxMillis;
        this.rampCeiling = rampCeiling;
    }

    /**
     * The target is invalid: an invalid-target result of a request decided at {@code decidedAtMillis}, or a failed
     * validation (pass the current time). A failed probe or ramp request makes the next probe wait longer.
     */
    public void open(ComputeFailure failure, long decidedAtMillis, long nowMillis) {
        openedBy = failure;
        validated = false;
        if (state == State.OPEN) {
            return;
        }
        if (state != State.CLOSED && isOwnResult(decidedAtMillis)) {
            int shift = Math.min(failedProbes, 30);
            probeAtMillis = nowMillis + Math.min(probeWaitMaxMillis, probeWaitBaseMillis << shift);
            failedProbes++;
        } else {
            // A first failure: the validation that must pass before the probe is wait enough (it is rate-limited).
            probeAtMillis = nowMillis;
        }
        state = State.OPEN;
        pendingSinceMillis = NONE;
    }

    /** A validation passed: an open circuit may send its probe once the probe wait has passed. It does not close. */
    public void validated() {
        if (state == State.OPEN) {
            validated = true;
        }
    }

    /**
     * A throttle or transient failure of a request decided at {@code decidedAtMillis}: the next admission after the
     * backoff is one probe. An open circuit stays open.
     */
    public void transientFailure(long decidedAtMillis) {
        if (state == State.OPEN) {
            return;
        }
        if (state == State.CLOSED || isOwnResult(decidedAtMillis)) {
            pendingSinceMillis = NONE;
        }
        state = State.HALF_OPEN;
        allowance = 1;
    }

    /** A request decided at {@code decidedAtMillis} was accepted: if it was the probe or a ramp step, ramp on. */
    public void accepted(long decidedAtMillis) {
        if ((state != State.HALF_OPEN && state != State.RAMPING) || !isOwnResult(decidedAtMillis)) {
            return;
        }
        pendingSinceMillis = NONE;
        failedProbes = 0;
        allowance = state == State.HALF_OPEN ? 2 : (int) Math.min(Integer.MAX_VALUE, 2L * allowance);
        state = State.RAMPING;
        if (allowance >= rampCeiling) {
            state = State.CLOSED;
            openedBy = null;
            allowance = 1;
        }
    }

    /** A request decided at {@code decidedAtMillis} ended otherwise (e.g. an internal error): the next may go. */
    public void released(long decidedAtMillis) {
        if (isOwnResult(decidedAtMillis)) {
            pendingSinceMillis = NONE;
        }
    }

    /** How many of {@code requested} invocations may go now (nothing is consumed; see {@link #sent}). */
    int allowed(int requested, long nowMillis) {
        return switch (state) {
            case CLOSED -> requested;
            case OPEN -> validated && nowMillis >= probeAtMillis ? Math.min(requested, 1) : 0;
            case HALF_OPEN, RAMPING -> pending(nowMillis) ? 0 : Math.min(requested, allowance);
        };
    }

    /** Invocations were admitted at {@code nowMillis} while restricted: they are the request in flight. */
    void sent(long nowMillis) {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.OPEN) {
            state = State.HALF_OPEN;
            allowance = 1;
            validated = false;
        }
        pendingSinceMillis = nowMillis;
    }

    private boolean pending(long nowMillis) {
        // A result that never comes back must not hold the target forever (the executor always reports one).
        return pendingSinceMillis != NONE && nowMillis - pendingSinceMillis < probeWaitMaxMillis;
    }

    private boolean isOwnResult(long decidedAtMillis) {
        return pendingSinceMillis != NONE && decidedAtMillis >= pendingSinceMillis;
    }

    public State state() {
        return state;
    }

    /** Whether the target is held as invalid (nothing but a probe after a passing validation goes). */
    public boolean isOpen() {
        return state == State.OPEN;
    }

    /** Why the circuit is open, or empty when it is not. */
    public Optional<ComputeFailure> openedBy() {
        return state == State.OPEN ? Optional.ofNullable(openedBy) : Optional.empty();
    }
}
