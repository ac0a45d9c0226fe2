package dev.wci.server.lease;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.lease.LeaseStore;
import dev.wci.lambda.worker.it.DevServerExtension;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The lease and membership workflows on a real dev server, through the store the replicas use: the single-writer
 * rules (refuse while held, renew keeps since, takeover after the TTL names the previous owner, release frees at
 * once) and the live member list.
 */
@ExtendWith(DevServerExtension.class)
class TemporalLeaseStoreIT {

    @Test
    void leasesAreGrantedRefusedRenewedReleasedAndTakenOver(DevServerExtension.DevServer server) {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(server.target()).build());
        WorkflowClient client = WorkflowClient.newInstance(stubs,
                WorkflowClientOptions.newBuilder().setNamespace(server.namespace()).build());
        WorkerFactory workers = WorkerFactory.newInstance(client);
        workers.newWorker(TemporalLeaseStore.TASK_QUEUE)
                .registerWorkflowImplementationTypes(LeaseWorkflowImpl.class, MembersWorkflowImpl.class);
        workers.start();
        try {
            TemporalLeaseStore store = new TemporalLeaseStore(client, Duration.ofSeconds(1));
            String d = "orders-" + UUID.randomUUID();
            Duration ttl = Duration.ofSeconds(3);

            LeaseStore.Granted first = assertInstanceOf(LeaseStore.Granted.class, store.claim(d, "a", ttl));
            assertNull(first.previousOwner());
            // A task in flight in a killed replica blocks the lease's claims for the task timeout only, not 10 s.
            assertEquals(1, stubs.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                    .setNamespace(server.namespace()).setExecution(WorkflowExecution.newBuilder()
                            .setWorkflowId(TemporalLeaseStore.leaseId(server.namespace(), d))).build())
                    .getExecutionConfig().getDefaultWorkflowTaskTimeout().getSeconds());
            LeaseStore.Refused refused = assertInstanceOf(LeaseStore.Refused.class, store.claim(d, "b", ttl));
            assertEquals(new LeaseStore.Refused("a", first.since()), refused);
            Instant lastRenewal = Instant.now(); // sent now: the store's TTL starts when it processes it, later
            LeaseStore.Granted renewed = assertInstanceOf(LeaseStore.Granted.class, store.claim(d, "a", ttl));
            assertEquals(first.since(), renewed.since(), "a renewal keeps the hold's start");

            // a stops renewing: b is refused until the TTL has run out, then takes it over from a.
            AtomicReference<LeaseStore.Claim> taken = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> taken.updateAndGet(c -> store.claim(d, "b", ttl)) instanceof LeaseStore.Granted);
            assertTrue(Duration.between(lastRenewal, Instant.now()).compareTo(ttl) >= 0, "not before the TTL");
            assertEquals("a", ((LeaseStore.Granted) taken.get()).previousOwner(), "a takeover names the lapsed owner");
            assertNull(assertInstanceOf(LeaseStore.Granted.class, store.claim(d, "b", ttl)).previousOwner());
            assertInstanceOf(LeaseStore.Refused.class, store.claim(d, "a", ttl), "a lost it");

            store.release(d, "b");
            LeaseStore.Granted afterRelease = assertInstanceOf(LeaseStore.Granted.class, store.claim(d, "c", ttl));
            assertNull(afterRelease.previousOwner(), "a release is no takeover");

            List<LeaseStore.Member> members = store.heartbeat("a", 1, Duration.ofSeconds(30));
            assertEquals(List.of(new LeaseStore.Member("a", 1)), members.stream()
                    .filter(m -> m.identity().equals("a")).toList());
            members = store.heartbeat("b", 0, Duration.ofSeconds(30));
            assertTrue(members.containsAll(List.of(new LeaseStore.Member("a", 1), new LeaseStore.Member("b", 0))),
                    members.toString());
            store.leave("a");
            assertTrue(store.heartbeat("b", 0, Duration.ofSeconds(30)).stream().noneMatch(m -> m.identity().equals("a")));
        } finally {
            workers.shutdownNow();
            stubs.shutdownNow();
        }
    }

}
