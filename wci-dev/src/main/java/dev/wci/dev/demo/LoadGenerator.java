package dev.wci.dev.demo;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the demo's workflows and records how each one ended. The timeline ({@link #run}): waiting workflows on
 * v1, a burst, a steady trickle; half-way through the trickle v2 becomes Current, and a few seconds later the
 * waiting workflows are signalled (Pinned ones finish on v1, Auto-Upgrade ones on v2).
 */
final class LoadGenerator implements AutoCloseable {

    /** Which part of the load a workflow belongs to. */
    enum Kind { BURST, TRICKLE, WAITER }

    /**
     * One finished workflow.
     *
     * @param buildId             the build ID whose worker ran its activity; {@link #UNKNOWN_BUILD_ID} when a result
     *                            carries none; null when it failed
     * @param firstTaskWaitMillis how long its first workflow task waited for a worker, or -1 when it failed
     * @param latencyMillis       start request → completion seen by the client
     * @param error               why it failed, or null
     */
    record Outcome(Kind kind, boolean pinned, String buildId, long firstTaskWaitMillis, long latencyMillis,
                   String error) {
        Outcome {
            // A worker that reports no build ID (unversioned, or an older worker) still counts, under its own key.
            if (error == null && (buildId == null || buildId.isBlank())) {
                buildId = UNKNOWN_BUILD_ID;
            }
        }

        boolean failed() {
            return error != null;
        }
    }

    /** Counters at one moment. */
    record Counts(int started, int done, int failed, Map<String, Integer> doneByBuildId) {
        int running() {
            return started - done - failed;
        }
    }

    /** Lets the timeline make v2 Current; returns when Temporal has propagated the change. */
    interface Switcher {
        void switchTo(String buildId);
    }

    /** Where a successful workflow whose result names no build ID is counted; not a valid build ID's look. */
    static final String UNKNOWN_BUILD_ID = "(unknown)";

    /** Waiters are signalled this long after the switch (v1's workers may have exited idle by then), or at the trickle's end. */
    static final Duration SIGNAL_AFTER_SWITCH = Duration.ofSeconds(5);
    static final Duration WAITERS_ON_V1_TIMEOUT = Duration.ofSeconds(90);
    private static final int START_THREADS = 16;
    private static final Logger log = LoggerFactory.getLogger(LoadGenerator.class);

    private final WorkflowClient client;
    private final String namespace;
    private final String taskQueue;
    private final String idPrefix;
    private final int activityMillis;
    private final LongSupplier nowMillis;
    private final ExecutorService starters;
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger sequence = new AtomicInteger();
    private final List<Outcome> outcomes = new ArrayList<>(); // guarded by this
    private final List<WorkflowStub> waiters = new ArrayList<>();
    private volatile boolean closed;

    LoadGenerator(WorkflowClient client, String namespace, String taskQueue, String idPrefix, int activityMillis,
                  LongSupplier nowMillis) {
        this.client = client;
        this.namespace = namespace;
        this.taskQueue = taskQueue;
        this.idPrefix = idPrefix;
        this.activityMillis = activityMillis;
        this.nowMillis = nowMillis;
        this.starters = Executors.newFixedThreadPool(START_THREADS, r -> {
            Thread t = new Thread(r, "wci-demo-start");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The whole load: waiters, burst, trickle with the switch to v2 half-way, the waiters' signal.
     *
     * @param phase told the name of each phase as it begins
     */
    void run(DemoOptions options, Switcher switcher, Consumer<String> phase, StopSignal stop) {
        phase.accept("burst");
        for (int i = 0; i < options.waiters(); i++) {
            waiters.add(start(Kind.WAITER, true, true));
            waiters.add(start(Kind.WAITER, false, true));
        }
        burst(options.burst(), stop);

        phase.accept("trickle on v1");
        long t0 = nowMillis.getAsLong();
        long switchAt = t0 + options.switchAt().toMillis();
        long end = t0 + options.trickleSeconds() * 1000L;
        int count = options.trickleCount();
        int next = 0;
        boolean switched = false;
        boolean signalled = false;
        long signalAt = Long.MAX_VALUE;
        while (next < count || !switched || !signalled) {
            long now = nowMillis.getAsLong();
            long due = next < count ? t0 + Math.round(next * 1000.0 / options.rate()) : Long.MAX_VALUE;
            if (!switched && now >= switchAt) {
                switchToV2(switcher, phase, stop);
                switched = true;
                signalAt = Math.min(nowMillis.getAsLong() + SIGNAL_AFTER_SWITCH.toMillis(), end);
            } else if (switched && !signalled && now >= signalAt) {
                signalWaiters();
                signalled = true;
            } else if (now >= due) {
                start(Kind.TRICKLE, next % 2 == 0, false);
                next++;
            } else {
                long wake = Math.min(due, !switched ? switchAt : !signalled ? signalAt : Long.MAX_VALUE);
                stop.sleep(Duration.ofMillis(Math.max(1, Math.min(wake - now, 1000))));
            }
        }
    }

    private void switchToV2(Switcher switcher, Consumer<String> phase, StopSignal stop) {
        phase.accept("switch to v2");
        awaitWaitersOnV1(stop);
        switcher.switchTo("v2");
        phase.accept("trickle on v2");
    }

    /** A waiter whose first task has not run yet would start on v2 after the switch: wait for them all to be on v1. */
    private void awaitWaitersOnV1(StopSignal stop) {
        long deadline = nowMillis.getAsLong() + WAITERS_ON_V1_TIMEOUT.toMillis();
        for (WorkflowStub w : waiters) {
            while (!"v1".equals(buildIdOf(w.getExecution()))) {
                if (nowMillis.getAsLong() > deadline) {
                    throw new IllegalStateException("waiting workflow " + w.getExecution().getWorkflowId()
                            + " did not start on v1 within " + WAITERS_ON_V1_TIMEOUT.toSeconds() + " s");
                }
                stop.sleep(Duration.ofMillis(250));
            }
        }
    }

    private String buildIdOf(WorkflowExecution execution) {
        WorkflowExecutionInfo info = client.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
                DescribeWorkflowExecutionRequest.newBuilder().setNamespace(namespace).setExecution(execution).build())
                .getWorkflowExecutionInfo();
        return info.hasVersioningInfo() && info.getVersioningInfo().hasDeploymentVersion()
                ? info.getVersioningInfo().getDeploymentVersion().getBuildId() : null;
    }

    private void burst(int n, StopSignal stop) {
        List<Future<?>> starts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean pinned = i % 2 == 0;
            starts.add(starters.submit(() -> start(Kind.BURST, pinned, false)));
        }
        for (Future<?> f : starts) {
            while (!f.isDone()) {
                stop.sleep(Duration.ofMillis(20));
            }
        }
    }

    private void signalWaiters() {
        for (WorkflowStub w : waiters) {
            w.signal("proceed");
        }
    }

    /** Starts one workflow and records its outcome when it completes. */
    private WorkflowStub start(Kind kind, boolean pinned, boolean waitForSignal) {
        String id = String.format("%s-%s-%05d", idPrefix, kind.name().toLowerCase(java.util.Locale.ROOT),
                sequence.incrementAndGet());
        WorkflowStub stub = client.newUntypedWorkflowStub(pinned ? "Pinned" : "AutoUpgrade",
                WorkflowOptions.newBuilder().setTaskQueue(taskQueue).setWorkflowId(id).build());
        long at = nowMillis.getAsLong();
        try {
            stub.start(waitForSignal, activityMillis);
        } catch (RuntimeException e) {
            if (!closed) {
                log.warn("starting workflow {} failed: {}", id, e.toString());
                record(new Outcome(kind, pinned, null, -1, nowMillis.getAsLong() - at, "start failed: " + e));
                started.incrementAndGet();
            }
            return stub;
        }
        started.incrementAndGet();
        stub.getResultAsync(DemoWorkflows.Result.class).whenComplete((result, error) -> {
            if (closed) {
                return; // the demo is stopping: its connection is going away
            }
            long latency = nowMillis.getAsLong() - at;
            if (error != null) {
                log.warn("workflow {} failed: {}", id, error.toString());
                record(new Outcome(kind, pinned, null, -1, latency, error.toString()));
            } else {
                record(new Outcome(kind, pinned, result.buildId(), result.firstTaskWaitMillis(), latency, null));
            }
        });
        return stub;
    }

    private synchronized void record(Outcome outcome) {
        outcomes.add(outcome);
    }

    synchronized Counts counts() {
        return count(started.get(), outcomes);
    }

    /** The counters of {@code outcomes}, of {@code started} workflows. */
    static Counts count(int started, List<Outcome> outcomes) {
        int done = 0;
        int failed = 0;
        Map<String, Integer> byBuildId = new TreeMap<>();
        for (Outcome o : outcomes) {
            if (o.failed()) {
                failed++;
            } else {
                done++;
                byBuildId.merge(o.buildId(), 1, Integer::sum);
            }
        }
        return new Counts(started, done, failed, byBuildId);
    }

    synchronized List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    @Override
    public void close() {
        closed = true;
        starters.shutdownNow();
    }
}
