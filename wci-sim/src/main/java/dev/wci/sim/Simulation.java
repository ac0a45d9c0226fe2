package dev.wci.sim;

import dev.wci.core.census.CensusSnapshot;
import dev.wci.core.census.CensusStatus;
import dev.wci.core.census.CensusWorker;
import dev.wci.core.census.SlotLoad;
import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.signal.BacklogObservation;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.core.version.ScalingGroup;
import dev.wci.core.version.TaskQueueType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * One run: a workload's arrivals against one algorithm, on the Temporal matching model
 * ({@link TaskQueueModel}) and the Lambda model ({@link SimLambda}).
 *
 * <p>Temporal: a task arriving finds a ready worker of its version with a free slot and starts at
 * once (sync match, schedule-to-start 0), or joins the FIFO backlog and raises a raw sync-match
 * failure (batched by {@link PushBatcher} for push algorithms). A worker pulls from the backlog
 * whenever a slot frees.
 *
 * <p>Worker lifetime: ready after its cold start; stops taking tasks at function timeout − shutdown
 * buffer and ends when its tasks finish; at the hard timeout, tasks still running are lost and
 * re-added to the queue (Temporal's retry; a new attempt for latency). With idle exit, a ready
 * worker with nothing in flight for the idle period ends.
 *
 * <p>The run ends when all arrivals happened, every task completed and every worker ended, or at
 * the horizon (last arrival + drain limit), whichever is first. Single-threaded, no wall clock.
 *
 * <p>Worker census (Temporal's {@code ListWorkers}, see {@link #census}): a worker is listed {@code RUNNING} from its
 * first heartbeat, {@link #HEARTBEAT_MIN}–{@link #HEARTBEAT_MIN} + {@link #HEARTBEAT_SPREAD} after it became ready
 * (spread per worker, deterministically), with its ready time as start time and the run's slots per worker (as the
 * heartbeat's slot infos report them); while running, with its latest periodic heartbeat ({@link #HEARTBEAT_INTERVAL}
 * apart) as its heartbeat time and that heartbeat's load: the slots in use when it was sent and the tasks completed in
 * the interval before it, nothing fresher; {@code SHUTTING_DOWN} once it stops
 * polling at its shutdown buffer; {@code SHUTDOWN} (its last heartbeat: when it ended) for {@link #SHUTDOWN_LISTED} after it ended, then gone. A worker
 * that ended before its first periodic heartbeat is listed by its shutdown heartbeat; one that never became ready
 * (ended while starting) is never listed.
 */
public final class Simulation implements SimContext, SimLambda.Host {

    /** Task queue name and type of every version in the built-in workloads. */
    public static final String QUEUE = "q";
    public static final TaskQueueType QUEUE_TYPE = TaskQueueType.ACTIVITY;

    private final String workloadName;
    private final SimConfig config;
    private final Arrivals arrivals;
    private final SimAlgorithm algorithm;
    private final SimClock clock = new SimClock();
    private final EventQueue events = new EventQueue(clock);
    private final RandomGenerator algorithmRandom;
    private final List<DeploymentVersion> versions;
    private final List<ScalingGroup> groups;
    private final Map<DeploymentVersion, Integer> versionIndex = new HashMap<>();
    private final Map<String, DeploymentVersion> byAddress = new HashMap<>();
    private final TaskQueueModel[] queues;
    private final int[] liveByVersion;
    private final SimLambda lambda;
    private final PushBatcher batcher;
    private final TargetFacts facts;
    private final long stopAcceptingAfter;
    private final long hardTimeout;
    private final long idleExit;

    /** First heartbeat after ready: at least this ... */
    static final long HEARTBEAT_MIN = 1_000_000_000L;
    /** ... plus up to this, per worker. */
    static final long HEARTBEAT_SPREAD = 1_000_000_000L;
    /** Between a worker's periodic heartbeats (the worker library's default). */
    static final long HEARTBEAT_INTERVAL = 1_000_000_000L;
    /** An ended worker stays listed as shut down this long. */
    static final long SHUTDOWN_LISTED = 60_000_000_000L;

    private final List<SimWorker> liveWorkers = new ArrayList<>();
    /** Per version: workers the census may still list. */
    private final List<List<SimWorker>> censusWorkers = new ArrayList<>();
    private int live;
    private int nextArrival;
    private long outstanding;
    // Results.
    private long[] latencies = new long[1024];
    private int latencyCount;
    private long completed;
    private long workerNanos;
    private long idleNanos;
    private int peak;
    private long describeCalls;
    private int[] seriesBacklog = new int[256];
    private int[] seriesLive = new int[256];
    private int[][] seriesBacklogByVersion;
    private int[][] seriesLiveByVersion;
    private int seriesSize;
    private boolean finished;
    private long runAtLeast;

    /**
     * @param workloadName name for the results
     * @param arrivals     the tasks (generated from the workload stream of {@code streams})
     * @param algorithm    a fresh algorithm instance
     * @param config       model parameters
     * @param versionCount versions the arrivals refer to
     * @param streams      the run's random streams (lambda and algorithm streams are used here)
     */
    public Simulation(String workloadName, Arrivals arrivals, SimAlgorithm algorithm, SimConfig config,
                      int versionCount, RandomStreams streams) {
        this.workloadName = workloadName;
        this.arrivals = arrivals;
        this.algorithm = algorithm;
        this.config = config;
        this.algorithmRandom = streams.algorithm();
        List<DeploymentVersion> vs = new ArrayList<>();
        List<ScalingGroup> gs = new ArrayList<>();
        this.queues = new TaskQueueModel[versionCount];
        for (int i = 0; i < versionCount; i++) {
            DeploymentVersion v = new DeploymentVersion("sim", "v" + (i + 1));
            String arn = "arn:aws:lambda:us-east-1:123456789012:function:worker:" + (i + 1);
            vs.add(v);
            gs.add(ScalingGroup.allTypes(v, new ComputeTarget(SimLambda.TYPE, arn)));
            versionIndex.put(v, i);
            byAddress.put(arn, v);
            queues[i] = new TaskQueueModel(v, QUEUE, QUEUE_TYPE, config.staleness(), config.rateWindow(),
                    config.slots());
        }
        this.versions = List.copyOf(vs);
        this.groups = List.copyOf(gs);
        this.liveByVersion = new int[versionCount];
        this.seriesBacklogByVersion = new int[versionCount][256];
        this.seriesLiveByVersion = new int[versionCount][256];
        for (int i = 0; i < versionCount; i++) {
            censusWorkers.add(new ArrayList<>());
        }
        this.lambda = new SimLambda(events, config, streams.lambda(), this);
        this.batcher = algorithm.usesPushSignals()
                ? new PushBatcher(events, PushBatcher.DEFAULT_INTERVAL, algorithm::onSyncMatchFailure)
                : null;
        this.facts = TargetFacts.ofTimeout(config.functionTimeout());
        this.hardTimeout = config.functionTimeout().toNanos();
        this.stopAcceptingAfter = hardTimeout - config.shutdownBuffer().toNanos();
        this.idleExit = config.idleExit() == null ? -1 : config.idleExit().toNanos();
    }

    /**
     * Keeps the run going at least this long even when no work is left (a workload's duration may
     * end after its last arrival). Returns this.
     */
    public Simulation runAtLeast(Duration d) {
        runAtLeast = d.toNanos();
        return this;
    }

    /** Runs to the end and returns the results. A simulation runs once. */
    public SimResult run() {
        if (finished) {
            throw new IllegalStateException("a simulation runs once");
        }
        long horizon = Math.max(arrivals.lastTime(), runAtLeast) + config.drainLimit().toNanos();
        long sample = config.sampleInterval().toNanos();
        events.at(0, new Runnable() {
            @Override
            public void run() {
                sample();
                events.after(sample, this);
            }
        });
        if (arrivals.size() > 0) {
            events.at(arrivals.times()[0], this::arrive);
        }
        algorithm.start(this);
        events.run(horizon, this::done);
        finished = true;
        return results();
    }

    private boolean done() {
        return nextArrival >= arrivals.size() && clock.nanos() >= runAtLeast && outstanding == 0 && live == 0 && lambda.pendingCalls() == 0;
    }

    // ---- Temporal matching -------------------------------------------------------------------

    /** All arrivals of this instant, then the next arrival event. */
    private void arrive() {
        long now = clock.nanos();
        long[] times = arrivals.times();
        while (nextArrival < times.length && times[nextArrival] == now) {
            outstanding++;
            addTask(new SimTask(arrivals.versions()[nextArrival], arrivals.durations()[nextArrival]));
            nextArrival++;
        }
        if (nextArrival < times.length) {
            events.at(times[nextArrival], this::arrive);
        }
    }

    private void addTask(SimTask task) {
        long now = clock.nanos();
        task.enqueuedAt = now;
        TaskQueueModel q = queues[task.version];
        q.recordAdd(now);
        SimWorker w = q.nextAvailable();
        if (w != null) {
            assign(q, w, task, now);
            if (w.inFlight.size() < config.slots()) {
                q.makeAvailable(w); // to the back: the next task goes to the longest-waiting poller
            }
            return;
        }
        q.pushBacklog(task, now);
        if (batcher != null) {
            batcher.onNotMatched(q.version, q.name, q.type);
        }
    }

    /** Starts {@code task} on {@code w} now. The caller keeps the poll order of {@code w} right. */
    private void assign(TaskQueueModel q, SimWorker w, SimTask task, long now) {
        q.recordDispatch(now);
        recordLatency(now - task.enqueuedAt);
        if (w.inFlight.isEmpty()) {
            w.idleNanos += now - w.idleSince;
            w.idleEpoch++; // cancels a pending idle-exit check
        }
        w.beat(now, HEARTBEAT_INTERVAL);
        w.inFlight.add(task);
        task.worker = w;
        events.after(task.duration, new Completion(task, task.attempt));
    }

    /** End of one attempt of a task; a small object rather than a capturing lambda per task. */
    private final class Completion implements Runnable {
        private final SimTask task;
        private final int attempt;

        Completion(SimTask task, int attempt) {
            this.task = task;
            this.attempt = attempt;
        }

        @Override
        public void run() {
            complete(task, attempt);
        }
    }

    private void complete(SimTask task, int attempt) {
        if (task.attempt != attempt) {
            return; // this attempt was lost at its worker's hard timeout
        }
        SimWorker w = task.worker;
        long now = clock.nanos();
        w.beat(now, HEARTBEAT_INTERVAL);
        task.worker = null;
        w.inFlight.remove(task);
        w.processed++;
        completed++;
        outstanding--;
        if (w.state == SimWorker.State.READY) {
            TaskQueueModel q = queues[w.version];
            // Invariant: a ready worker with a free slot is in the poll order exactly once; a full one is not.
            boolean wasFull = w.inFlight.size() + 1 == config.slots();
            SimTask next = q.pollBacklog(now);
            if (next != null) {
                assign(q, w, next, now); // the freed slot is taken at once: membership unchanged
                return;
            }
            if (wasFull) {
                q.makeAvailable(w);
            }
            if (w.inFlight.isEmpty()) {
                becomeIdle(w, now);
            }
        } else if (w.state == SimWorker.State.DRAINING && w.inFlight.isEmpty()) {
            end(w, now);
        }
    }

    private void becomeIdle(SimWorker w, long now) {
        w.idleSince = now;
        if (idleExit < 0) {
            return;
        }
        int epoch = ++w.idleEpoch;
        events.after(idleExit, () -> {
            if (w.state == SimWorker.State.READY && w.inFlight.isEmpty() && w.idleEpoch == epoch) {
                end(w, clock.nanos());
            }
        });
    }

    private void recordLatency(long nanos) {
        if (latencyCount == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencyCount * 2);
        }
        latencies[latencyCount++] = nanos;
    }

    // ---- Lambda workers ------------------------------------------------------------------------

    @Override
    public int liveEnvironments() {
        return live;
    }

    @Override
    public DeploymentVersion versionOf(String address) {
        return byAddress.get(address);
    }

    @Override
    public void accepted(DeploymentVersion version, String invocationId, long coldStartNanos) {
        long now = clock.nanos();
        SimWorker w = new SimWorker(invocationId, versionIndex.get(version), now);
        live++;
        liveByVersion[w.version]++;
        peak = Math.max(peak, live);
        liveWorkers.add(w);
        censusWorkers.get(w.version).add(w);
        events.after(coldStartNanos, () -> ready(w));
        events.at(now + stopAcceptingAfter, () -> stopAccepting(w));
        events.at(now + hardTimeout, () -> hardEnd(w));
    }

    private void ready(SimWorker w) {
        if (w.state != SimWorker.State.STARTING) {
            return;
        }
        long now = clock.nanos();
        w.state = SimWorker.State.READY;
        w.readyAt = now;
        w.listedAt = now + HEARTBEAT_MIN + Math.floorMod(w.invocationId.hashCode() * 2654435761L, HEARTBEAT_SPREAD);
        w.firstBeatAt = w.listedAt;
        w.idleNanos += now - w.acceptedAt; // the cold start is paid for and does no work
        w.idleSince = now;
        TaskQueueModel q = queues[w.version];
        SimTask t;
        while (w.inFlight.size() < config.slots() && (t = q.pollBacklog(now)) != null) {
            assign(q, w, t, now);
        }
        if (w.inFlight.size() < config.slots()) {
            q.makeAvailable(w);
        }
        if (w.inFlight.isEmpty()) {
            becomeIdle(w, now);
        }
    }

    private void stopAccepting(SimWorker w) {
        if (!w.live()) {
            return;
        }
        long now = clock.nanos();
        if (w.state == SimWorker.State.STARTING || w.inFlight.isEmpty()) {
            end(w, now);
            return;
        }
        w.state = SimWorker.State.DRAINING;
    }

    private void hardEnd(SimWorker w) {
        if (!w.live()) {
            return;
        }
        long now = clock.nanos();
        List<SimTask> lost = new ArrayList<>(w.inFlight);
        w.beat(now, HEARTBEAT_INTERVAL);
        end(w, now);
        w.inFlight.clear();
        for (SimTask t : lost) {
            // Temporal retries the task: a new attempt with its own schedule-to-start latency.
            t.attempt++;
            t.worker = null;
            addTask(t);
        }
    }

    private void end(SimWorker w, long now) {
        if (w.state == SimWorker.State.READY && w.inFlight.isEmpty()) {
            w.idleNanos += now - w.idleSince; // the current quiet stretch
        } else if (w.state == SimWorker.State.STARTING) {
            w.idleNanos += now - w.acceptedAt; // ended during its cold start
        }
        w.state = SimWorker.State.ENDED;
        w.endedAt = now;
        if (w.readyAt >= 0 && (w.listedAt < 0 || w.listedAt > now)) {
            w.listedAt = now; // the SDK's shutdown heartbeat lists it, even before its first periodic one
        }
        live--;
        liveByVersion[w.version]--;
        workerNanos += now - w.acceptedAt;
        idleNanos += w.idleNanos;
    }

    // ---- Series and results --------------------------------------------------------------------

    private void sample() {
        if (seriesSize == seriesBacklog.length) {
            seriesBacklog = Arrays.copyOf(seriesBacklog, seriesSize * 2);
            seriesLive = Arrays.copyOf(seriesLive, seriesSize * 2);
            for (int v = 0; v < queues.length; v++) {
                seriesBacklogByVersion[v] = Arrays.copyOf(seriesBacklogByVersion[v], seriesSize * 2);
                seriesLiveByVersion[v] = Arrays.copyOf(seriesLiveByVersion[v], seriesSize * 2);
            }
        }
        int backlog = 0;
        for (int v = 0; v < queues.length; v++) {
            int b = queues[v].backlogSize();
            backlog += b;
            seriesBacklogByVersion[v][seriesSize] = b;
            seriesLiveByVersion[v][seriesSize] = liveByVersion[v];
        }
        seriesBacklog[seriesSize] = backlog;
        seriesLive[seriesSize] = live;
        seriesSize++;
    }

    private SimResult results() {
        long now = clock.nanos();
        // Horizon reached: close the books on what is still running or waiting.
        for (SimWorker w : liveWorkers) {
            if (w.live()) {
                end(w, now);
            }
        }
        long unfinished = outstanding + (arrivals.size() - nextArrival);
        for (TaskQueueModel q : queues) {
            for (SimTask t : q.waiting()) {
                recordLatency(now - t.enqueuedAt); // censored: it waited at least this long
            }
        }
        long[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        return new SimResult(workloadName, algorithm.name(), pct(sorted, 0.50), pct(sorted, 0.95),
                pct(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e9, completed,
                lambda.acceptedCount(), workerNanos / 1e9, idleNanos / 1e9, peak, lambda.throttledCount(),
                describeCalls, unfinished, now / 1e9,
                new SimResult.TimeSeries(config.sampleInterval().toNanos() / 1e9,
                        Arrays.copyOf(seriesBacklog, seriesSize), Arrays.copyOf(seriesLive, seriesSize),
                        trim(seriesBacklogByVersion), trim(seriesLiveByVersion)));
    }

    private int[][] trim(int[][] byVersion) {
        int[][] out = new int[byVersion.length][];
        for (int v = 0; v < byVersion.length; v++) {
            out[v] = Arrays.copyOf(byVersion[v], seriesSize);
        }
        return out;
    }

    /** Nearest-rank percentile, in seconds. */
    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e9;
    }

    // ---- SimContext ----------------------------------------------------------------------------

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public void schedule(Duration delay, Runnable action) {
        events.after(delay, action);
    }

    @Override
    public List<ScalingGroup> groups() {
        return groups;
    }

    @Override
    public TargetFacts targetFacts(DeploymentVersion v) {
        index(v);
        return facts;
    }

    @Override
    public BacklogObservation observe(DeploymentVersion v) {
        describeCalls++;
        return queues[index(v)].observe(clock.nanos());
    }

    @Override
    public CensusSnapshot census(DeploymentVersion v) {
        long now = clock.nanos();
        List<SimWorker> ws = censusWorkers.get(index(v));
        List<CensusWorker> listed = new ArrayList<>();
        String arn = groups.get(index(v)).target().address();
        ws.removeIf(w -> w.state == SimWorker.State.ENDED && (w.listedAt < 0 || now - w.endedAt > SHUTDOWN_LISTED));
        for (SimWorker w : ws) {
            if (w.listedAt < 0 || w.listedAt > now) {
                continue;
            }
            CensusStatus status = switch (w.state) {
                case ENDED -> CensusStatus.SHUTDOWN;
                case DRAINING -> CensusStatus.SHUTTING_DOWN;
                default -> CensusStatus.RUNNING;
            };
            // A stopped worker's last heartbeat is its shutdown heartbeat: it dates the exit for the scaler. A
            // running one's is its latest periodic heartbeat, with what that saw of its slots and completions.
            long heartbeat = w.state == SimWorker.State.ENDED ? w.endedAt : now;
            SlotLoad load = null;
            if (w.state == SimWorker.State.READY) {
                w.beat(now, HEARTBEAT_INTERVAL);
                if (w.beatAt >= 0) {
                    heartbeat = w.beatAt;
                    load = new SlotLoad(w.beatUsed, w.beatProcessed, Duration.ofNanos(w.beatInterval));
                }
            }
            listed.add(new CensusWorker(SimLambda.requestId(w.invocationId) + "@" + arn, status,
                    SimClock.toInstant(w.readyAt), SimClock.toInstant(heartbeat), config.slots(), load));
        }
        return new CensusSnapshot(v, SimClock.toInstant(now), listed);
    }

    @Override
    public ComputeProvider compute() {
        return lambda;
    }

    @Override
    public int liveWorkersOracle(DeploymentVersion v) {
        return liveByVersion[index(v)];
    }

    @Override
    public RandomGenerator random() {
        return algorithmRandom;
    }

    /** The versions of this run, in group order. */
    public List<DeploymentVersion> versions() {
        return versions;
    }

    private int index(DeploymentVersion v) {
        Integer i = versionIndex.get(v);
        if (i == null) {
            throw new IllegalArgumentException("unknown version " + v);
        }
        return i;
    }
}
