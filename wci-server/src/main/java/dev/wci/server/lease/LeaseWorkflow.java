package dev.wci.server.lease;

import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The lease of one deployment, held in Temporal: one workflow per deployment (ID {@code wci-lease/<namespace>/
 * <deployment>}), so Temporal's workflow-ID uniqueness makes it the single writer of who owns the deployment.
 * Claims and releases are Updates, answered by whichever replica's lease worker picks the workflow task; a claim
 * the lease does not allow is rejected by the validator, which writes nothing to the history.
 */
@WorkflowInterface
public interface LeaseWorkflow {

    /** Runs while the lease is held; ends once it was released, or a TTL after it lapsed unclaimed. */
    @WorkflowMethod
    void run(LeaseState state);

    /**
     * Grants or renews the lease to {@code owner} for {@code ttlMillis} from now (workflow time: when this workflow
     * task started, which is after the claim was sent).
     */
    @UpdateMethod
    LeaseGrant claim(String owner, long ttlMillis);

    /** Rejects a claim while another owner's TTL runs, with a {@link LeaseHeldException}. */
    @UpdateValidatorMethod(updateName = "claim")
    void validateClaim(String owner, long ttlMillis);

    /** Frees the lease at once. */
    @UpdateMethod
    void release(String owner);

    /** Rejects a release by a replica that is not the owner. */
    @UpdateValidatorMethod(updateName = "release")
    void validateRelease(String owner);

    /**
     * A claim refused because another replica holds the lease; the client reads holder and since back from the
     * message. A plain exception, not an {@code ApplicationFailure}: the SDK logs those as workflow failures, and a
     * standby's refused claims are routine.
     */
    final class LeaseHeldException extends RuntimeException {

        private static final String SINCE = " since ";

        public LeaseHeldException(String owner, long sinceMillis) {
            super(owner + SINCE + sinceMillis, null, false, false);
        }

        /** The holder and since from a refusal's message, or null when the message is not one. */
        static Object[] parse(String message) {
            int at = message == null ? -1 : message.lastIndexOf(SINCE);
            if (at <= 0) {
                return null;
            }
            try {
                return new Object[] {message.substring(0, at), Long.parseLong(message.substring(at + SINCE.length()))};
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /**
     * The lease's state, carried across continue-as-new.
     *
     * @param owner           the holder, or null when free
     * @param sinceMillis     when the holder's uninterrupted hold began
     * @param expiresAtMillis when the holder's TTL ends unless renewed
     * @param ttlMillis       the last TTL asked for (the workflow lingers one TTL after a lapse)
     */
    record LeaseState(String owner, long sinceMillis, long expiresAtMillis, long ttlMillis) {
        static final LeaseState FREE = new LeaseState(null, 0, 0, 0);
    }

    /**
     * A granted claim.
     *
     * @param previousOwner the replica whose lapsed lease this claim took over, or null
     */
    record LeaseGrant(long sinceMillis, long expiresAtMillis, String previousOwner) {
    }
}
