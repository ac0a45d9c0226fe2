package dev.wci.server.lease;

import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;

/** See {@link LeaseWorkflow}. Deterministic: time is workflow time only. */
public final class LeaseWorkflowImpl implements LeaseWorkflow {

    /** History length after which the lease continues as new (a renewal adds about five events). */
    static final long MAX_HISTORY = 2_000;

    /** How long a free lease waits for a claim before the workflow ends. */
    static final long LINGER_MILLIS = 60_000;

    private LeaseState state;
    private long freeSince;
    private boolean closing;

    @WorkflowInit
    public LeaseWorkflowImpl(LeaseState state) {
        // Set before any handler runs: update-with-start delivers the first claim in the first workflow task.
        this.state = state == null ? LeaseState.FREE : state;
    }

    @Override
    public void run(LeaseState initial) {
        freeSince = Workflow.currentTimeMillis();
        while (true) {
            long now = Workflow.currentTimeMillis();
            long endAt = state.owner() == null ? freeSince + LINGER_MILLIS : state.expiresAtMillis() + state.ttlMillis();
            if (now >= endAt) {
                // From here on every claim fails: one handled after this decision in the same workflow task must
                // not be granted by a run that ends (a new run would grant the lease again).
                closing = true;
                return;
            }
            boolean owned = state.owner() != null;
            // Wakes at the end or on release only: a renewal needs no timer of its own.
            Workflow.await(Duration.ofMillis(endAt - now), () -> owned && state.owner() == null);
            if (Workflow.getInfo().isContinueAsNewSuggested() || Workflow.getInfo().getHistoryLength() > MAX_HISTORY) {
                Workflow.await(Workflow::isEveryHandlerFinished);
                closing = true;
                Workflow.continueAsNew(state);
            }
        }
    }

    @Override
    public LeaseGrant claim(String owner, long ttlMillis) {
        if (closing) {
            throw ApplicationFailure.newNonRetryableFailure("the lease workflow is closing; claim again", "Closing");
        }
        long now = Workflow.currentTimeMillis();
        boolean renewal = owner.equals(state.owner()) && now < state.expiresAtMillis();
        String previous = state.owner() != null && !owner.equals(state.owner()) ? state.owner() : null;
        long since = renewal ? state.sinceMillis() : now;
        state = new LeaseState(owner, since, now + ttlMillis, ttlMillis);
        return new LeaseGrant(since, state.expiresAtMillis(), previous);
    }

    @Override
    public void validateClaim(String owner, long ttlMillis) {
        if (closing) {
            throw new IllegalStateException("the lease workflow is closing; claim again");
        }
        if (owner == null || owner.isBlank() || ttlMillis <= 0) {
            throw new IllegalArgumentException("a claim needs an owner and a positive TTL");
        }
        if (state.owner() != null && !state.owner().equals(owner)
                && Workflow.currentTimeMillis() < state.expiresAtMillis()) {
            throw new LeaseHeldException(state.owner(), state.sinceMillis());
        }
    }

    @Override
    public void release(String owner) {
        state = LeaseState.FREE;
        freeSince = Workflow.currentTimeMillis();
    }

    @Override
    public void validateRelease(String owner) {
        if (owner == null || !owner.equals(state.owner())) {
            throw new IllegalArgumentException("not the owner");
        }
    }
}
