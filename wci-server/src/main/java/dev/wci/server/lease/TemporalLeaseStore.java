package dev.wci.server.lease;

import dev.wci.core.lease.LeaseStore;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Leases and membership in Temporal: {@link LeaseWorkflow} per deployment and one {@link MembersWorkflow} per
 * namespace, each claimed with update-with-start (conflict policy USE_EXISTING: the running workflow answers, or
 * a new one starts with the update in its first task). A refused claim comes back as the validator's
 * {@link LeaseWorkflow.LeaseHeldException}, holder and since in its message.
 */
public final class TemporalLeaseStore implements LeaseStore {

    /** The task queue the replicas' lease workers poll. */
    public static final String TASK_QUEUE = "wci-leases";

    private final WorkflowClient client;
    private final String namespace;
    private final Duration workflowTaskTimeout;

    /**
     * @param workflowTaskTimeout the workflows' task timeout: a task in flight in a replica that dies (SIGKILL) holds
     *                            every claim of its workflow until it times out (Temporal's default is 10 s, longer
     *                            than a lease survives without renewal)
     */
    public TemporalLeaseStore(WorkflowClient client, Duration workflowTaskTimeout) {
        this.client = client;
        this.namespace = client.getOptions().getNamespace();
        this.workflowTaskTimeout = workflowTaskTimeout;
    }

    /** The lease workflow's ID for a deployment. */
    public static String leaseId(String namespace, String deployment) {
        return "wci-lease/" + namespace + "/" + deployment;
    }

    public static String membersId(String namespace) {
        return "wci-members/" + namespace;
    }

    @Override
    public Claim claim(String deployment, String identity, Duration ttl) {
        LeaseWorkflow lease = client.newWorkflowStub(LeaseWorkflow.class, options(leaseId(namespace, deployment)));
        WithStartWorkflowOperation<Void> start = new WithStartWorkflowOperation<>(lease::run,
                LeaseWorkflow.LeaseState.FREE);
        try {
            LeaseWorkflow.LeaseGrant g = WorkflowClient.executeUpdateWithStart(lease::claim, identity, ttl.toMillis(),
                    UpdateOptions.<LeaseWorkflow.LeaseGrant>newBuilder()
                            .setWaitForStage(WorkflowUpdateStage.COMPLETED).build(), start);
            return new Granted(Instant.ofEpochMilli(g.sinceMillis()), g.previousOwner());
        } catch (WorkflowUpdateException e) {
            if (e.getCause() instanceof ApplicationFailure f
                    && LeaseWorkflow.LeaseHeldException.class.getName().equals(f.getType())) {
                Object[] held = LeaseWorkflow.LeaseHeldException.parse(f.getOriginalMessage());
                if (held != null) {
                    return new Refused((String) held[0], Instant.ofEpochMilli((Long) held[1]));
                }
            }
            throw e;
        }
    }

    @Override
    public void release(String deployment, String identity) {
        client.newWorkflowStub(LeaseWorkflow.class, leaseId(namespace, deployment)).release(identity);
    }

    @Override
    public List<Member> heartbeat(String identity, int held, Duration ttl) {
        MembersWorkflow members = client.newWorkflowStub(MembersWorkflow.class, options(membersId(namespace)));
        WithStartWorkflowOperation<Void> start = new WithStartWorkflowOperation<>(members::run,
                List.<MembersWorkflow.MemberState>of());
        List<MembersWorkflow.MemberState> live = WorkflowClient.executeUpdateWithStart(members::heartbeat, identity,
                held, ttl.toMillis(), UpdateOptions.<List<MembersWorkflow.MemberState>>newBuilder()
                        .setWaitForStage(WorkflowUpdateStage.COMPLETED).build(), start);
        return live.stream().map(m -> new Member(m.identity(), m.held())).toList();
    }

    @Override
    public void leave(String identity) {
        client.newWorkflowStub(MembersWorkflow.class, membersId(namespace)).leave(identity);
    }

    private WorkflowOptions options(String workflowId) {
        return WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(TASK_QUEUE)
                .setWorkflowTaskTimeout(workflowTaskTimeout)
                .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .build();
    }
}
