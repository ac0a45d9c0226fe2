package dev.wci.server.temporal;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.compute.v1.ComputeConfig;
import io.temporal.api.compute.v1.ComputeConfigScalingGroup;
import io.temporal.api.compute.v1.ComputeConfigScalingGroupSummary;
import io.temporal.api.compute.v1.ComputeConfigSummary;
import io.temporal.api.compute.v1.ComputeProvider;
import io.temporal.api.deployment.v1.RoutingConfig;
import io.temporal.api.deployment.v1.VersionDrainageInfo;
import io.temporal.api.deployment.v1.VersionMetadata;
import io.temporal.api.deployment.v1.WorkerDeploymentInfo;
import io.temporal.api.deployment.v1.WorkerDeploymentVersion;
import io.temporal.api.deployment.v1.WorkerDeploymentVersionInfo;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.enums.v1.VersionDrainageStatus;
import io.temporal.api.enums.v1.WorkerDeploymentVersionStatus;
import io.temporal.api.namespace.v1.NamespaceInfo;
import io.temporal.api.taskqueue.v1.TaskQueueStats;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceResponse;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentResponse;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentVersionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkerDeploymentVersionResponse;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoResponse;
import io.temporal.api.workflowservice.v1.ListWorkersRequest;
import io.temporal.api.workflowservice.v1.ListWorkersResponse;
import io.temporal.api.worker.v1.WorkerHeartbeat;
import io.temporal.api.worker.v1.WorkerInfo;
import io.temporal.api.worker.v1.WorkerListInfo;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scriptable Temporal frontend on an in-process channel: deployments, versions and task queue stats are
 * set by the test, errors can be queued per method, and every call is recorded with the injected clock's time.
 * Answers GetSystemInfo (the stubs ask for it before their first call) and DescribeNamespace, and lists the
 * census entries a test sets per version ({@link #workers}) with ListWorkers, in pages.
 */
final class FakeTemporal extends WorkflowServiceGrpc.WorkflowServiceImplBase implements AutoCloseable {

    static final String NAMESPACE = "default";

    record Call(String method, Instant at, Object request) {
    }

    /** A version as the fake serves it. */
    static final class Version {
        final String deployment;
        final String buildId;
        WorkerDeploymentVersionStatus status = WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_INACTIVE;
        VersionDrainageStatus drainage = VersionDrainageStatus.VERSION_DRAINAGE_STATUS_UNSPECIFIED;
        boolean computeConfig;
        /** The function the compute config's details name ({@code {"arn": ...}}), or null for none. */
        String computeArn;
        final Map<String, Payload> metadata = new LinkedHashMap<>();
        final Map<String, TaskQueueStats> queues = new LinkedHashMap<>(); // key: name + "/" + type number

        Version(String deployment, String buildId) {
            this.deployment = deployment;
            this.buildId = buildId;
        }

        Version queue(String name, TaskQueueType type, TaskQueueStats stats) {
            queues.put(name + "/" + type.getNumber(), stats);
            return this;
        }

        Version backlog(String name, TaskQueueType type, long backlog, float addRate) {
            return queue(name, type, TaskQueueStats.newBuilder().setApproximateBacklogCount(backlog)
                    .setTasksAddRate(addRate).build());
        }

        Version jsonMetadata(String key, String json) {
            metadata.put(key, Payload.newBuilder()
                    .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
                    .setData(ByteString.copyFrom(json, StandardCharsets.UTF_8)).build());
            return this;
        }
    }

    /** A deployment as the fake serves it. */
    static final class Deployment {
        final String name;
        RoutingConfig routing = RoutingConfig.getDefaultInstance();
        final Map<String, Version> versions = new LinkedHashMap<>();

        Deployment(String name) {
            this.name = name;
        }

        Version version(String buildId) {
            return versions.computeIfAbsent(buildId, b -> new Version(name, b));
        }

        Deployment current(String buildId) {
            routing = routing.toBuilder().setCurrentDeploymentVersion(ref(name, buildId)).build();
            return this;
        }

        Deployment ramping(String buildId, float percentage) {
            routing = routing.toBuilder().setRampingDeploymentVersion(ref(name, buildId))
                    .setRampingVersionPercentage(percentage).build();
            return this;
        }
    }

    static WorkerDeploymentVersion ref(String deployment, String buildId) {
        return WorkerDeploymentVersion.newBuilder().setDeploymentName(deployment).setBuildId(buildId).build();
    }

    private final Clock clock;
    private final Map<String, Deployment> deployments = new HashMap<>();
    private final Map<String, Deque<Status>> failures = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private final Server server;
    private final ManagedChannel channel;
    final TemporalRpcMetrics metrics = new TemporalRpcMetrics(new SimpleMeterRegistry());
    final WorkflowServiceStubs stubs;
    /** Whether the namespace advertises completing a stopping worker's polls (as a server configured for WCI). */
    volatile boolean pollsCompletedOnShutdown = true;
    /** Whether the namespace advertises worker heartbeats (ListWorkers). */
    volatile boolean workerHeartbeats = true;
    /** Whether ListWorkers also fills the deprecated workers_info field (with heartbeat times). */
    volatile boolean fillWorkersInfo = true;
    private final Map<String, List<WorkerHeartbeat>> census = new HashMap<>();
    private static final Pattern QUERY = Pattern.compile("DeploymentName=\"(.*)\" AND BuildId=\"(.*)\"");

    FakeTemporal(Clock clock) throws Exception {
        this.clock = clock;
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(this).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setChannel(channel)
                .build());
    }

    synchronized Deployment deployment(String name) {
        return deployments.computeIfAbsent(name, Deployment::new);
    }

    synchronized void removeDeployment(String name) {
        deployments.remove(name);
    }

    /** The next {@code times} calls of {@code method} fail with {@code status}. */
    synchronized void fail(String method, Status status, int times) {
        Deque<Status> q = failures.computeIfAbsent(method, m -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            q.add(status);
        }
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized List<Call> calls(String method) {
        return calls.stream().filter(c -> c.method().equals(method)).toList();
    }

    synchronized void clearCalls() {
        calls.clear();
    }

    private synchronized boolean failed(String method, Object request, StreamObserver<?> observer) {
        calls.add(new Call(method, clock.instant(), request));
        Deque<Status> q = failures.get(method);
        if (q != null && !q.isEmpty()) {
            observer.onError(q.poll().asRuntimeException());
            return true;
        }
        return false;
    }

    @Override
    public void getSystemInfo(GetSystemInfoRequest request, StreamObserver<GetSystemInfoResponse> observer) {
        if (failed("GetSystemInfo", request, observer)) {
            return;
        }
        observer.onNext(GetSystemInfoResponse.newBuilder().setServerVersion("fake-1.0")
                .setCapabilities(GetSystemInfoResponse.Capabilities.newBuilder().setInternalErrorDifferentiation(true))
                .build());
        observer.onCompleted();
    }

    @Override
    public void describeNamespace(DescribeNamespaceRequest request, StreamObserver<DescribeNamespaceResponse> observer) {
        if (failed("DescribeNamespace", request, observer)) {
            return;
        }
        if (!request.getNamespace().equals(NAMESPACE)) {
            observer.onError(Status.NOT_FOUND.withDescription("namespace " + request.getNamespace() + " not found")
                    .asRuntimeException());
            return;
        }
        observer.onNext(DescribeNamespaceResponse.newBuilder()
                .setNamespaceInfo(NamespaceInfo.newBuilder().setName(NAMESPACE)
                        .setCapabilities(NamespaceInfo.Capabilities.newBuilder()
                                .setWorkerPollCompleteOnShutdown(pollsCompletedOnShutdown)
                                .setWorkerHeartbeats(workerHeartbeats)))
                .build());
        observer.onCompleted();
    }

    @Override
    public synchronized void describeWorkerDeployment(DescribeWorkerDeploymentRequest request,
                                                      StreamObserver<DescribeWorkerDeploymentResponse> observer) {
        if (failed("DescribeWorkerDeployment", request, observer)) {
            return;
        }
        Deployment d = deployments.get(request.getDeploymentName());
        if (d == null) {
            observer.onError(Status.NOT_FOUND.withDescription("no deployment").asRuntimeException());
            return;
        }
        WorkerDeploymentInfo.Builder info = WorkerDeploymentInfo.newBuilder().setName(d.name)
                .setRoutingConfig(d.routing);
        for (Version v : d.versions.values()) {
            WorkerDeploymentInfo.WorkerDeploymentVersionSummary.Builder s =
                    WorkerDeploymentInfo.WorkerDeploymentVersionSummary.newBuilder()
                            .setDeploymentVersion(ref(d.name, v.buildId)).setVersion(d.name + ":" + v.buildId)
                            .setStatus(v.status).setDrainageStatus(v.drainage);
            if (v.computeConfig) {
                s.setComputeConfig(ComputeConfigSummary.newBuilder().putScalingGroups("default",
                        ComputeConfigScalingGroupSummary.newBuilder().setProviderType("aws-lambda").build()));
            }
            info.addVersionSummaries(s);
        }
        observer.onNext(DescribeWorkerDeploymentResponse.newBuilder().setWorkerDeploymentInfo(info).build());
        observer.onCompleted();
    }

    @Override
    public synchronized void describeWorkerDeploymentVersion(
            DescribeWorkerDeploymentVersionRequest request,
            StreamObserver<DescribeWorkerDeploymentVersionResponse> observer) {
        if (failed("DescribeWorkerDeploymentVersion", request, observer)) {
            return;
        }
        WorkerDeploymentVersion ref = request.getDeploymentVersion();
        Deployment d = deployments.get(ref.getDeploymentName());
        Version v = d == null ? null : d.versions.get(ref.getBuildId());
        if (v == null) {
            observer.onError(Status.NOT_FOUND.withDescription("no version").asRuntimeException());
            return;
        }
        WorkerDeploymentVersionInfo.Builder info = WorkerDeploymentVersionInfo.newBuilder()
                .setDeploymentVersion(ref(v.deployment, v.buildId)).setStatus(v.status)
                .setDrainageInfo(VersionDrainageInfo.newBuilder().setStatus(v.drainage));
        if (!v.metadata.isEmpty()) {
            info.setMetadata(VersionMetadata.newBuilder().putAllEntries(v.metadata));
        }
        if (v.computeConfig) {
            info.setComputeConfig(ComputeConfig.newBuilder().putScalingGroups("default",
                    ComputeConfigScalingGroup.newBuilder()
                            .setProvider(computeProvider(v.computeArn)).build()));
        }
        DescribeWorkerDeploymentVersionResponse.Builder response = DescribeWorkerDeploymentVersionResponse.newBuilder();
        for (Map.Entry<String, TaskQueueStats> q : v.queues.entrySet()) {
            String[] parts = q.getKey().split("/");
            DescribeWorkerDeploymentVersionResponse.VersionTaskQueue.Builder tq =
                    DescribeWorkerDeploymentVersionResponse.VersionTaskQueue.newBuilder().setName(parts[0])
                            .setType(TaskQueueType.forNumber(Integer.parseInt(parts[1])));
            if (request.getReportTaskQueueStats()) {
                tq.setStats(q.getValue());
            }
            response.addVersionTaskQueues(tq);
        }
        observer.onNext(response.setWorkerDeploymentVersionInfo(info).build());
        observer.onCompleted();
    }

    /** The census entries of one version (replaces the previous ones); the list is live for the test. */
    synchronized List<WorkerHeartbeat> workers(String deployment, String buildId) {
        return census.computeIfAbsent(deployment + "/" + buildId, k -> new ArrayList<>());
    }

    @Override
    public synchronized void listWorkers(ListWorkersRequest request, StreamObserver<ListWorkersResponse> observer) {
        if (failed("ListWorkers", request, observer)) {
            return;
        }
        Matcher m = QUERY.matcher(request.getQuery());
        if (!m.matches()) {
            observer.onError(Status.INVALID_ARGUMENT.withDescription("bad query " + request.getQuery())
                    .asRuntimeException());
            return;
        }
        List<WorkerHeartbeat> all = census.getOrDefault(m.group(1) + "/" + m.group(2), List.of());
        int from = request.getNextPageToken().isEmpty() ? 0 : Integer.parseInt(request.getNextPageToken().toStringUtf8());
        int size = request.getPageSize() <= 0 ? 1000 : request.getPageSize();
        int to = Math.min(all.size(), from + size);
        ListWorkersResponse.Builder response = ListWorkersResponse.newBuilder();
        for (WorkerHeartbeat hb : all.subList(from, to)) {
            response.addWorkers(WorkerListInfo.newBuilder().setWorkerInstanceKey(hb.getWorkerInstanceKey())
                    .setWorkerIdentity(hb.getWorkerIdentity()).setTaskQueue(hb.getTaskQueue())
                    .setDeploymentVersion(hb.getDeploymentVersion()).setStatus(hb.getStatus())
                    .setStartTime(hb.getStartTime()));
            if (fillWorkersInfo) {
                response.addWorkersInfo(WorkerInfo.newBuilder().setWorkerHeartbeat(hb));
            }
        }
        if (to < all.size()) {
            response.setNextPageToken(ByteString.copyFromUtf8(Integer.toString(to)));
        }
        observer.onNext(response.build());
        observer.onCompleted();
    }

    @Override
    public void close() throws Exception {
        stubs.shutdownNow();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static ComputeProvider computeProvider(String arn) {
        ComputeProvider.Builder p = ComputeProvider.newBuilder().setType("aws-lambda");
        if (arn != null) {
            p.setDetails(Payload.newBuilder()
                    .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
                    .setData(ByteString.copyFromUtf8("{\"arn\":\"" + arn + "\"}")));
        }
        return p.build();
    }
}
