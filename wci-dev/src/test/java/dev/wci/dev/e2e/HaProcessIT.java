package dev.wci.dev.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wci.core.lease.LeaseEvent;
import dev.wci.local.lambda.ExecutionMode;
import dev.wci.local.lambda.InvocationRecord;
import dev.wci.local.lambda.LocalLambdaConfig;
import dev.wci.local.lambda.LocalLambdaRuntime;
import dev.wci.lambda.worker.it.DevServerExtension;
import dev.wci.server.lease.TemporalLeaseStore;
import io.temporal.api.enums.v1.EventType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13 with real processes: WCI replicas are separate JVMs running the packaged service ({@code bin/wci run}),
 * next to a real Temporal dev server and the local Lambda runtime running wci-lambda-worker, 3 deployments under
 * steady load. The owner of a busy deployment, found from {@code /status}, is killed with SIGKILL; another replica
 * takes it over; the killed replica is started again (same identity and file) and gets its share back through a
 * release, the spread staying within ceil(D/N)+1.
 *
 * <ol>
 *   <li>Case A, 2 replicas: {@link #KILLS_WITH_TWO} kills, each followed by a restart.</li>
 *   <li>Case B, a third replica joins: {@link #KILLS_WITH_THREE} kills, each followed by a restart.</li>
 * </ol>
 * Each replica identity has a Lambda runtime of its own, so the runtime's invocation records name the replica that
 * sent each invoke; lease histories come from each process's {@code /status} ({@code ha.recent}), read every
 * 200 ms while it lives. Over the whole run: no invoke is received while a replica other than its sender holds the
 * deployment's lease, and no two replicas' holds overlap (0 double invokes). Takeover times (kill → another
 * replica's {@code /status} shows the lease held), their p99 and the tasks' extra wait are printed; only a generous
 * takeover bound is asserted (the ≤ 10 s goal is printed, not raced).
 */
@ExtendWith(DevServerExtension.class)
class HaProcessIT {

    static final int DEPLOYMENTS = 3;
    /**
     * Kills per case: one each keeps the suite's time in bounds; the measurement in docs/ha.md runs
     * {@code -Dwci.ha.killsWithTwo=2 -Dwci.ha.killsWithThree=3}.
     */
    static final int KILLS_WITH_TWO = Math.max(1, Integer.getInteger("wci.ha.killsWithTwo", 1));
    static final int KILLS_WITH_THREE = Math.max(1, Integer.getInteger("wci.ha.killsWithThree", 1));

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final List<String> deployments = new ArrayList<>();
    final Map<String, LocalLambdaRuntime> runtimes = new LinkedHashMap<>();
    final Map<String, Path> configs = new HashMap<>();
    final List<Replica> replicas = new CopyOnWriteArrayList<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    final ObjectMapper json = new ObjectMapper();
    final Path dir = Path.of("target", "ha-process-it", "run-" + id).toAbsolutePath();
    String target;
    String namespace;
    HaLoad load;

    record Takeover(String deployment, String from, String to, Instant killedAt, Instant seenAt,
                    Instant acquiredAt) {
        /** Kill → the new owner's {@code /status} shows the lease held. */
        long millis() {
            return Duration.between(killedAt, seenAt).toMillis();
        }
    }

    /** One life of a replica: a {@code bin/wci run} process, and the lease history its {@code /status} showed. */
    final class Replica {
        final String identity;
        final String name;
        final WciProcess process;
        final int port;
        final Map<String, LeaseEvent> history = new LinkedHashMap<>();
        volatile Instant deadAt;

        Replica(String identity, String name) throws Exception {
            this.identity = identity;
            this.name = name;
            this.process = WciProcess.start(configs.get(identity), dir.resolve(name + ".log"),
                    Map.of("WCI_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"));
            replicas.add(this);
            this.port = process.awaitHttpPort();
            assertTrue(port > 0, name + " did not start: " + Files.readString(process.log));
            assertTrue(process.isJava(), "the pid is the service's JVM, not a wrapper: " + process.process.info());
        }

        boolean alive() {
            return deadAt == null;
        }

        /** This replica's {@code ha} section now; its recent lease changes are added to {@link #history}. */
        JsonNode ha() throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/status")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode ha = json.readTree(r.body()).get("ha");
            synchronized (history) {
                for (JsonNode e : ha.get("recent")) {
                    LeaseEvent event = new LeaseEvent(e.get("deployment").asText(),
                            LeaseEvent.Kind.valueOf(e.get("kind").asText()), Instant.parse(e.get("at").asText()),
                            e.hasNonNull("other") ? e.get("other").asText() : null);
                    history.putIfAbsent(event.deployment() + "|" + event.kind() + "|" + event.at(), event);
                }
            }
            return ha;
        }

        /** The deployments whose lease this replica holds now (none once dead or unreachable). */
        List<String> held() {
            if (!alive()) {
                return List.of();
            }
            try {
                List<String> held = new ArrayList<>();
                for (JsonNode l : ha().get("leases")) {
                    if (l.get("held").asBoolean()) {
                        held.add(l.get("deployment").asText());
                    }
                }
                return held;
            } catch (Exception e) {
                return List.of();
            }
        }

        List<LeaseEvent> history() {
            synchronized (history) {
                return List.copyOf(history.values());
            }
        }

        void kill() throws InterruptedException {
            try {
                ha(); // the last lease changes before it dies
            } catch (Exception e) {
                // it may be unreachable: what was read so far stands
            }
            deadAt = Instant.now();
            process.kill();
        }
    }

    @Test
    void separateReplicaProcessesSurviveSigkillOfTheOwnerWithoutDoubleInvokes(DevServerExtension.DevServer server)
            throws Exception {
        target = server.target();
        namespace = server.namespace();
        Files.createDirectories(dir);
        for (int i = 1; i <= DEPLOYMENTS; i++) {
            deployments.add("hap-" + id + "-d" + i);
        }
        load = new HaLoad(deployments, target, namespace);
        int doubles;
        try {
            killOwnersRestartThemAndPrintFigures();
            doubles = doubleInvokes();
        } finally {
            runtimes.values().forEach(LocalLambdaRuntime::close); // and the worker processes they run
            load.close();
        }
        assertEquals(0, doubles, "double invokes");
    }

    /** Cases A and B; every replica process is killed on the way out, whatever happens. */
    private void killOwnersRestartThemAndPrintFigures() throws Exception {
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
        Thread hook = new Thread(() -> replicas.forEach(r -> r.process.process.destroyForcibly()));
        Runtime.getRuntime().addShutdownHook(hook);
        List<Takeover> takeovers = new ArrayList<>();
        List<Long> rebalanceGaps = new ArrayList<>();
        Instant t0 = Instant.now();
        try {
            // ---- case A: 2 replicas ----
            start("r1");
            start("r2");
            // Lease histories are read while each replica lives.
            poller.scheduleWithFixedDelay(() -> live().forEach(Replica::held), 0, 200, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                    .until(() -> deployments.stream().allMatch(d -> owner(d) != null));
            await().atMost(Duration.ofSeconds(180)).until(() -> deployments.stream().allMatch(d -> runtimes.values()
                    .stream().anyMatch(rt -> rt.invocations().stream().anyMatch(r -> r.function()
                            .equals(HaLoad.function(d))))));
            Instant loadFrom = Instant.now();
            load.start();
            // Steady load under way: workflows keep arriving and every deployment got a worker for them.
            await().atMost(Duration.ofSeconds(180)).until(() -> deployments.stream().allMatch(d -> load.workflows(d) >= 3
                    && runtimes.values().stream().anyMatch(rt -> rt.invocations().stream().anyMatch(r -> r.function()
                    .equals(HaLoad.function(d)) && r.receivedAt().isAfter(loadFrom)))));
            awaitSpread(2);
            for (int k = 0; k < KILLS_WITH_TWO; k++) {
                takeovers.add(killOwnerOf(deployments.get(takeovers.size() % DEPLOYMENTS)));
                rebalanceGaps.addAll(restartAndRebalance(takeovers.get(takeovers.size() - 1).from(), 2));
            }

            // ---- case B: 3 replicas ----
            start("r3");
            awaitSpread(3);
            for (int k = 0; k < KILLS_WITH_THREE; k++) {
                takeovers.add(killOwnerOf(deployments.get(takeovers.size() % DEPLOYMENTS)));
                rebalanceGaps.addAll(restartAndRebalance(takeovers.get(takeovers.size() - 1).from(), 3));
            }
            load.stop();

            // ---- figures ----
            for (Takeover t : takeovers) {
                System.out.printf("HA process takeover: %s from %s to %s in %.2f s (lease acquired +%.2f s after the "
                                + "kill; killed at +%.1f s); tasks' extra wait: %s; first invoke by the new owner %s%n",
                        t.deployment(), t.from(), t.to(), t.millis() / 1000.0,
                        Duration.between(t.killedAt(), t.acquiredAt()).toMillis() / 1000.0,
                        Duration.between(t0, t.killedAt()).toMillis() / 1000.0,
                        load.extraWait(t.deployment(), t.killedAt(), t.acquiredAt()), firstInvokeAfter(t));
            }
            List<Long> times = takeovers.stream().map(Takeover::millis).sorted().toList();
            long p99 = times.get((int) Math.ceil(0.99 * times.size()) - 1);
            System.out.printf("HA process takeovers (SIGKILL): %d, times %s ms, p99 %.2f s (goal <= 10 s); rebalance "
                            + "gaps (release -> claim) %s ms; lapses over the run: %d; lease workflow tasks that timed "
                            + "out (in flight in a killed replica): %d; run %d s%n", times.size(), times, p99 / 1000.0,
                    rebalanceGaps, lapses(), leaseTaskTimeouts(), Duration.between(t0, Instant.now()).toSeconds());
            for (Takeover t : takeovers) {
                assertTrue(t.millis() <= 60_000, "a takeover within a generous bound: " + t);
            }
        } finally {
            load.stop();
            poller.shutdownNow();
            poller.awaitTermination(10, TimeUnit.SECONDS);
            for (Replica r : replicas) {
                if (r.alive()) {
                    r.kill();
                }
            }
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    /** Starts a replica process: the first time for an identity, with a Lambda runtime and a file of its own. */
    private Replica start(String identity) throws Exception {
        if (!runtimes.containsKey(identity)) {
            LocalLambdaRuntime runtime = LocalLambdaRuntime.start(new LocalLambdaConfig(null, null, 50,
                    ExecutionMode.PROCESS, load.functions()), 0);
            runtimes.put(identity, runtime);
            Path file = dir.resolve(identity + ".yaml");
            Files.writeString(file, """
                    temporal:
                      address: %s
                      namespace: %s
                    aws:
                      endpoint: %s
                      region: us-east-1
                    http:
                      listen: 127.0.0.1:0
                    ha:
                      enabled: true
                      identity: %s
                    deployments:
                    %s""".formatted(target, namespace, runtime.endpoint(), identity, load.deploymentsYaml(runtime)));
            configs.put(identity, file);
        }
        long lives = replicas.stream().filter(r -> r.identity.equals(identity)).count();
        return new Replica(identity, identity + "-" + (lives + 1));
    }

    private List<Replica> live() {
        return replicas.stream().filter(Replica::alive).toList();
    }

    private Replica owner(String d) {
        return live().stream().filter(r -> r.held().contains(d)).findFirst().orElse(null);
    }

    /** Every deployment owned, none twice, and no replica above ceil(D/N)+1 (as the issue asks). */
    private void awaitSpread(int n) {
        int bound = (DEPLOYMENTS + n - 1) / n + 1;
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<List<String>> held = live().stream().map(Replica::held).toList();
            long total = held.stream().mapToLong(List::size).sum();
            return held.size() == n && total == DEPLOYMENTS && held.stream().allMatch(h -> !h.isEmpty()
                    && h.size() <= bound) && deployments.stream().allMatch(d -> held.stream().anyMatch(h -> h.contains(d)));
        });
    }

    /** SIGKILLs the owner of {@code d} (found from /status) and waits until another replica's /status holds it. */
    private Takeover killOwnerOf(String d) throws Exception {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50)).until(() -> owner(d) != null);
        Replica victim = owner(d);
        victim.kill();
        Instant killedAt = victim.deadAt;
        Replica[] taker = new Replica[1];
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50)).until(() -> {
            taker[0] = owner(d);
            return taker[0] != null;
        });
        Instant seenAt = Instant.now();
        Instant acquiredAt = taker[0].history().stream().filter(e -> e.deployment().equals(d) && e.kind().holds()
                && !e.at().isBefore(killedAt)).map(LeaseEvent::at).findFirst().orElse(seenAt);
        return new Takeover(d, victim.identity, taker[0].identity, killedAt, seenAt, acquiredAt);
    }

    /**
     * Starts the killed replica again (same identity and file) and waits for the spread over {@code n} replicas,
     * the restarted one holding a share it got through another replica's release. Returns the release → claim gaps.
     */
    private List<Long> restartAndRebalance(String identity, int n) throws Exception {
        Replica back = start(identity);
        awaitSpread(n);
        List<Long> gaps = new ArrayList<>();
        for (LeaseEvent got : back.history()) {
            if (got.kind() != LeaseEvent.Kind.ACQUIRED) {
                continue;
            }
            replicas.stream().filter(r -> r != back).flatMap(r -> r.history().stream())
                    .filter(e -> e.kind() == LeaseEvent.Kind.RELEASED && e.deployment().equals(got.deployment())
                            && !e.at().isAfter(got.at()))
                    .map(LeaseEvent::at).max(Instant::compareTo)
                    .ifPresent(released -> gaps.add(Duration.between(released, got.at()).toMillis()));
        }
        assertTrue(!gaps.isEmpty(), identity + " came back and got its share through a release (a handover, not a "
                + "lapse): " + back.history());
        return gaps;
    }

    private String firstInvokeAfter(Takeover t) {
        return runtimes.get(t.to()).invocations().stream().filter(r -> r.function().equals(HaLoad.function(
                        t.deployment())) && r.receivedAt().isAfter(t.killedAt())).findFirst()
                .map(r -> String.format("+%.2f s after the kill", Duration.between(t.killedAt(), r.receivedAt())
                        .toMillis() / 1000.0)).orElse("none needed (the workers already running served the load)");
    }

    /** Workflow task timeouts in the current runs of the lease and membership workflows. */
    private long leaseTaskTimeouts() {
        List<String> ids = new ArrayList<>(deployments.stream().map(d -> TemporalLeaseStore.leaseId(namespace, d))
                .toList());
        ids.add(TemporalLeaseStore.membersId(namespace));
        return ids.stream().mapToLong(wf -> load.client.fetchHistory(wf).getEvents().stream()
                .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT).count()).sum();
    }

    private long lapses() {
        return replicas.stream().flatMap(r -> r.history().stream()).filter(e -> e.kind() == LeaseEvent.Kind.LAPSED)
                .count();
    }

    /** Each runtime's records belong to its identity; the holds of an identity are those of all its lives. */
    private int doubleInvokes() {
        Map<String, Map<String, List<Instant[]>>> holds = new HashMap<>();
        for (Replica r : replicas) {
            Map<String, List<Instant[]>> byDeployment = holds.computeIfAbsent(r.identity, k -> new HashMap<>());
            for (String d : deployments) {
                byDeployment.computeIfAbsent(d, k -> new ArrayList<>())
                        .addAll(DoubleInvokes.intervals(r.history(), d, r.deadAt));
            }
        }
        List<DoubleInvokes.Invoke> invokes = new ArrayList<>();
        for (Map.Entry<String, LocalLambdaRuntime> e : runtimes.entrySet()) {
            for (InvocationRecord rec : e.getValue().invocations()) {
                deployments.stream().filter(d -> rec.function().equals(HaLoad.function(d))).findFirst().ifPresent(d ->
                        invokes.add(new DoubleInvokes.Invoke(e.getKey(), d, null, rec.receivedAt())));
            }
        }
        return DoubleInvokes.count(deployments, holds, invokes, 0);
    }
}
