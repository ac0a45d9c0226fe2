package dev.wci.server.lease;

import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/** See {@link MembersWorkflow}. Deterministic: time is workflow time only. */
public final class MembersWorkflowImpl implements MembersWorkflow {

    private final TreeMap<String, MemberState> members = new TreeMap<>();
    private boolean closing;

    @WorkflowInit
    public MembersWorkflowImpl(List<MemberState> initial) {
        if (initial != null) {
            initial.forEach(m -> members.put(m.identity(), m));
        }
    }

    @Override
    public void run(List<MemberState> initial) {
        while (true) {
            long now = Workflow.currentTimeMillis();
            members.values().removeIf(m -> m.expiresAtMillis() <= now);
            if (members.isEmpty()) {
                closing = true; // a heartbeat handled after this decision fails, and is sent again
                return;
            }
            long next = members.values().stream().mapToLong(MemberState::expiresAtMillis).min().orElse(now);
            Workflow.sleep(Duration.ofMillis(Math.max(1, next - now)));
            if (Workflow.getInfo().isContinueAsNewSuggested()
                    || Workflow.getInfo().getHistoryLength() > LeaseWorkflowImpl.MAX_HISTORY) {
                Workflow.await(Workflow::isEveryHandlerFinished);
                closing = true;
                Workflow.continueAsNew(live(Workflow.currentTimeMillis()));
            }
        }
    }

    @Override
    public List<MemberState> heartbeat(String identity, int held, long ttlMillis) {
        if (closing) {
            throw ApplicationFailure.newNonRetryableFailure("the membership workflow is closing; send again",
                    "Closing");
        }
        long now = Workflow.currentTimeMillis();
        members.put(identity, new MemberState(identity, held, now + ttlMillis));
        return live(now);
    }

    @Override
    public void leave(String identity) {
        members.remove(identity);
    }

    private List<MemberState> live(long now) {
        List<MemberState> out = new ArrayList<>();
        for (MemberState m : members.values()) {
            if (m.expiresAtMillis() > now) {
                out.add(m);
            }
        }
        out.sort(Comparator.comparing(MemberState::identity));
        return out;
    }
}
