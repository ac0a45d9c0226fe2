package dev.wci.server.lease;

import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * The live replicas of one namespace (workflow ID {@code wci-members/<namespace>}): each replica reports itself
 * alive for a TTL with the number of leases it holds, and learns the others, so leases spread evenly.
 */
@WorkflowInterface
public interface MembersWorkflow {

    /** Runs while a replica is alive; ends when every one has lapsed or left. */
    @WorkflowMethod
    void run(List<MemberState> members);

    /** Reports {@code identity} alive for {@code ttlMillis} (workflow time) and returns every live replica. */
    @UpdateMethod
    List<MemberState> heartbeat(String identity, int held, long ttlMillis);

    @UpdateMethod
    void leave(String identity);

    /** A replica as last heard of. */
    record MemberState(String identity, int held, long expiresAtMillis) {
    }
}
