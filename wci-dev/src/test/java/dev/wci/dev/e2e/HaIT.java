package dev.wci.dev.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.lease.LeaseEvent;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.local.lambda.ExecutionMode;
import dev.wci.local.lambda.InvocationRecord;
import dev.wci.local.lambda.LocalLambdaConfig;
import dev.wci.local.lambda.LocalLambdaRuntime;
import dev.wci.lambda.worker.it.DevServerExtension;
import dev.wci.server.config.ConfigLoader;
import dev.wci.server.config.HaConfig;
import dev.wci.server.config.WciConfig;
import dev.wci.server.lease.LeaseService;
import dev.wci.server.service.Providers;
import dev.wci.server.service.WciService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Issue 13: replicas share deployments through leases held in Temporal. All real and on loopback: the dev server,
 * the local Lambda runtime running wci-lambda-worker in a JVM per invocation, and WCI replicas as in-process
 * {@link WciService}s with distinct identities, 3 deployments under steady load.
 *
 * <ol>
 *   <li>2 replicas; the owner of a busy deployment is killed (stopped at once, leases abandoned, not released):
 *       the survivor takes it over.</li>
 *   <li>3 more replicas join (4 live, one through a TCP proxy): the spread rebalances through releases, a standby is
 *       ready; another owner is killed: taken over.</li>
 *   <li>The proxy is stopped: that replica, cut off from Temporal, stops invoking within the TTL and its
 *       deployments are taken over.</li>
 * </ol>
 * Over the whole run, from the runtime's invocation records attributed to the replica that sent each invoke, and
 * each replica's lease history: no invoke of one replica arrives while another holds that deployment's lease, and
 * no two replicas' holds of a deployment overlap (0 double invokes). Takeover times and the tasks' extra wait are
 * printed; only a generous takeover bound is asserted (the ≤ 10 s goal is printed, not raced).
 */
@ExtendWith(DevServerExtension.class)
class HaIT {

    static final int DEPLOYMENTS = 3;
    static final Duration TTL = HaConfig.DEFAULT_TTL;
    static final Duration RENEW = HaConfig.DEFAULT_RENEW;

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final List<String> deployments = new ArrayList<>();
    final List<Replica> replicas = new CopyOnWriteArrayList<>();
    final Map<String, Sent> sentByRequestId = new ConcurrentHashMap<>();
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();
    String target;
    String namespace;
    LocalLambdaRuntime runtime;
    HaLoad load;

    record Sent(String replica, String deployment, Instant sentAt) {
    }

    record Takeover(String deployment, String from, String to, Instant killedAt, Instant acquiredAt) {
        long millis() {
            return Duration.between(killedAt, acquiredAt).toMillis();
        }
    }

    final class Replica {
        final String identity;
        final WciService wci;
        final LambdaComputeProvider lambda;
        final TcpProxy proxy;
        volatile boolean dead;
        volatile Instant deadAt;

        Replica(String identity, TcpProxy proxy) throws Exception {
            this.identity = identity;
            this.proxy = proxy;
            String yaml = """
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
                    %s""".formatted(proxy == null ? target : proxy.address(), namespace, runtime.endpoint(), identity,
                    load.deploymentsYaml(runtime));
            Path file = Files.createTempFile("wci-ha-", ".yaml");
            Files.writeString(file, yaml);
            WciConfig config = new ConfigLoader(System::getenv).load(file);
            Files.delete(file);
            lambda = Providers.lambda(config.aws(),
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")), Clock.systemUTC());
            wci = new WciService(config, Map.of(lambda.type(), new Recording(lambda, identity)), Clock.systemUTC());
            wci.start();
        }

        boolean holds(String deployment) {
            LeaseService.Status s = wci.haStatus();
            return !dead && s != null && s.leases().stream().anyMatch(l -> l.deployment().equals(deployment) && l.held());
        }

        int held() {
            return (int) deployments.stream().filter(this::holds).count();
        }

        /** Stopped at once, as by SIGKILL: its leases are abandoned (the others wait for their TTL). */
        void kill() {
            dead = true;
            wci.crash();
            deadAt = Instant.now();
        }

        /** The sum of a metric's samples on this replica's /metrics whose labels contain {@code with}. */
        double metric(String name, String with) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + wci.httpPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return WciTestBed.metric(r.body(), name, with);
        }

        JsonNode get(String path, int[] code) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + wci.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
            code[0] = r.statusCode();
            return json.readTree(r.body());
        }
    }

    /** Records which replica sent each accepted invoke (by the request id the runtime records too). */
    final class Recording implements ComputeProvider {
        final ComputeProvider delegate;
        final String replica;

        Recording(ComputeProvider delegate, String replica) {
            this.delegate = delegate;
            this.replica = replica;
        }

        @Override
        public String type() {
            return delegate.type();
        }

        @Override
        public CompletionStage<TargetValidation> validate(ComputeTarget t, DeploymentVersion version) {
            return delegate.validate(t, version);
        }

        @Override
        public CompletionStage<List<InvocationResult>> invoke(InvocationRequest request) {
            Instant sentAt = Instant.now();
            String deployment = request.group().version().deploymentName();
            return delegate.invoke(request).thenApply(results -> {
                for (InvocationResult r : results) {
                    if (r instanceof InvocationResult.Accepted a && a.providerRequestId() != null) {
                        sentByRequestId.put(a.providerRequestId(), new Sent(replica, deployment, sentAt));
                    }
                }
                return results;
            });
        }
    }

    @Test
    void replicasShareDeploymentsFailOverAndNeverDoubleInvoke(DevServerExtension.DevServer server) throws Exception {
        target = server.target();
        namespace = server.namespace();
        for (int i = 1; i <= DEPLOYMENTS; i++) {
            deployments.add("ha-" + id + "-d" + i);
        }
        load = new HaLoad(deployments, target, namespace);
        runtime = LocalLambdaRuntime.start(new LocalLambdaConfig(null, null, 50, ExecutionMode.PROCESS,
                load.functions()), 0);
        List<TcpProxy> proxies = new ArrayList<>();
        List<Takeover> takeovers = new ArrayList<>();
        Instant t0 = Instant.now();
        try {
            // ---- 2 replicas ----
            Replica r1 = start("r1", null);
            Replica r2 = start("r2", null);
            awaitEveryDeploymentHeld();
            await().atMost(Duration.ofSeconds(90)).until(() -> deployments.stream()
                    .allMatch(d -> runtime.invocations().stream().anyMatch(r -> r.function().equals(function(d)))));
            Instant loadFrom = Instant.now();
            load.start();
            // Steady load under way: workflows keep arriving and every deployment got a worker for them.
            await().atMost(Duration.ofSeconds(180)).until(() -> deployments.stream().allMatch(d -> load.workflows(d) >= 3
                    && runtime.invocations().stream().anyMatch(r -> r.function().equals(function(d))
                    && r.receivedAt().isAfter(loadFrom))));
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100)).until(() ->
                    r1.held() + r2.held() == DEPLOYMENTS && Math.max(r1.held(), r2.held()) <= 2);

            takeovers.add(killOwnerOf(deployments.get(0)));

            // ---- 4 live replicas (r3 through a proxy), rebalanced through releases ----
            TcpProxy proxy = new TcpProxy(target);
            proxies.add(proxy);
            Replica r3 = start("r3", proxy);
            await().atMost(Duration.ofSeconds(180)).until(() -> r3.held() >= 1);
            start("r4", null);
            start("r5", null);
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100)).until(() ->
                    live().stream().allMatch(r -> r.held() <= 1) && deployments.stream().allMatch(d -> owner(d) != null));
            // A standby (4 replicas, 3 deployments) is ready; /status shows its role and the service's own view.
            int[] code = new int[1];
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
                for (Replica r : live()) {
                    JsonNode status = r.get("/status", code);
                    JsonNode ha = status.get("ha");
                    if (ha != null && "standby".equals(ha.get("role").asText()) && ha.get("replicas").asInt() == 4
                            && status.get("deployments").isArray()) {
                        r.get("/readyz", code);
                        return code[0] == 200;
                    }
                }
                return false;
            });
            List<Long> rebalanceGaps = rebalanceGaps();
            standbyReadsNothing();

            // ---- kill the owner of a busy deployment (not the proxied one) ----
            // (On a slow host leases may lapse and move between live replicas at any time: wait for an owner.)
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100)).until(() ->
                    deployments.stream().anyMatch(d -> owner(d) != null && owner(d) != r3));
            String busy = deployments.stream().filter(d -> owner(d) != null && owner(d) != r3)
                    .max((a, b) -> Long.compare(load.workflows(a), load.workflows(b))).orElse(deployments.get(1));
            takeovers.add(killOwnerOf(busy));

            // ---- cut r3 off from Temporal ----
            await().atMost(Duration.ofSeconds(180)).until(() -> r3.held() >= 1);
            List<String> cutHeld = deployments.stream().filter(r3::holds).toList();
            Instant cutAt = Instant.now();
            proxy.stop();
            // Its rounds may hang on the dead connection; the lapse is recorded (dated when trust ended) once one runs.
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50)).until(() -> cutHeld.stream()
                    .allMatch(d -> r3.wci.leaseHistory().stream().anyMatch(e -> e.deployment().equals(d)
                            && e.kind() == LeaseEvent.Kind.LAPSED && e.at().isAfter(cutAt))));
            Instant fencedAt = r3.wci.leaseHistory().stream().filter(e -> e.kind() == LeaseEvent.Kind.LAPSED)
                    .map(LeaseEvent::at).max(Instant::compareTo).orElseThrow();
            for (String d : cutHeld) {
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50))
                        .until(() -> owner(d) != null && owner(d) != r3);
                takeovers.add(new Takeover(d, "r3", owner(d).identity, cutAt, acquiredAfter(owner(d), d, cutAt)));
            }
            assertTrue(!fencedAt.isAfter(cutAt.plus(TTL)), "cut off at " + cutAt + ", stopped trusting its lease at "
                    + fencedAt + ": within the TTL");
            long invokesAfterFence = sentByRequestId.values().stream()
                    .filter(s -> s.replica().equals("r3") && s.sentAt().isAfter(fencedAt)).count();
            assertEquals(0, invokesAfterFence, "the cut-off replica invoked after it stopped trusting its lease");

            // ---- let the load run a little under the survivors, then stop it ----
            load.stop();

            // ---- figures ----
            List<Long> times = takeovers.stream().map(Takeover::millis).sorted().toList();
            for (Takeover t : takeovers) {
                System.out.printf("HA takeover: %s from %s to %s in %.2f s (killed/cut at +%.1f s); tasks' extra "
                                + "wait: %s; first invoke by the new owner %s%n", t.deployment(), t.from(), t.to(),
                        t.millis() / 1000.0, Duration.between(t0, t.killedAt()).toMillis() / 1000.0,
                        load.extraWait(t.deployment(), t.killedAt(), t.acquiredAt()), firstInvokeAfter(t));
            }
            System.out.printf("HA takeovers: %d, times %s ms, max %.2f s (goal <= 10 s); rebalance gaps (release -> "
                            + "claim) %s ms; cut-off replica stopped trusting its leases %.2f s after the cut "
                            + "(TTL %d s); lapses over the run (cut-off and slow renewals included): %d; run %d s%n",
                    takeovers.size(), times, times.get(times.size() - 1) / 1000.0, rebalanceGaps,
                    Duration.between(cutAt, fencedAt).toMillis() / 1000.0, TTL.toSeconds(), flaps(),
                    Duration.between(t0, Instant.now()).toSeconds());
            for (Takeover t : takeovers) {
                assertTrue(t.millis() <= 60_000, "a takeover within a generous bound: " + t);
            }
        } finally {
            load.stop();
            for (Replica r : replicas) {
                if (!r.dead) {
                    r.wci.close();
                }
            }
            proxies.forEach(TcpProxy::stop);
        }
        int doubles = doubleInvokes();
        assertEquals(0, doubles, "double invokes");
        for (Replica r : replicas) {
            r.lambda.close();
        }
        runtime.close();
        load.close();
    }

    /**
     * A standby (4 live replicas, 3 deployments) reads nothing of the deployments it does not hold: over a window
     * longer than one registry sync interval (10 s) in which it holds no lease, it sends no DescribeWorkerDeployment
     * and no DescribeWorkerDeploymentVersion (registry sync and stats), no ListWorkers (census), its stats source polls
     * no version, and its /status says each deployment is held elsewhere. A standby that takes a lease meanwhile
     * (leases may move on a slow host) is looked at again.
     */
    private void standbyReadsNothing() throws Exception {
        List<String> reads = List.of("ListWorkers", "DescribeWorkerDeployment", "DescribeWorkerDeploymentVersion");
        for (int attempt = 0; attempt < 20; attempt++) {
            Replica standby = await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                    .until(() -> live().stream().filter(r -> r.held() == 0).findFirst(), Optional::isPresent)
                    .orElseThrow();
            Instant from = Instant.now();
            // One renew interval to finish a round begun while it still held a lease, then a window to watch.
            await().pollDelay(RENEW).atMost(Duration.ofSeconds(60)).until(() -> true);
            Map<String, Double> before = new HashMap<>();
            for (String method : reads) {
                before.put(method, standby.metric("wci_temporal_rpc_requests_total", "method=\"" + method + "\""));
            }
            await().pollDelay(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(60)).until(() -> true);
            Map<String, Double> after = new HashMap<>();
            for (String method : reads) {
                after.put(method, standby.metric("wci_temporal_rpc_requests_total", "method=\"" + method + "\""));
            }
            double polled = standby.metric("wci_temporal_stats_versions", "mode=");
            JsonNode status = standby.get("/status", new int[1]);
            boolean stayedStandby = standby.held() == 0 && standby.wci.leaseHistory().stream()
                    .noneMatch(e -> !e.at().isBefore(from.minus(RENEW)));
            if (stayedStandby) {
                assertEquals(before, after, "a standby sent reads of deployments it does not hold");
                assertEquals(0.0, polled, "a standby's stats source polls versions");
                for (JsonNode d : status.get("deployments")) {
                    assertTrue(d.get("notReadHere").asText("").startsWith("held by"),
                            "a standby's /status says the deployment is held elsewhere: " + d);
                }
                System.out.printf("HA standby %s: no registry, census or stats read over 12 s%n", standby.identity);
                return;
            }
        }
        throw new AssertionError("no replica stayed a standby long enough to be watched");
    }

    private Replica start(String identity, TcpProxy proxy) throws Exception {
        Replica r = new Replica(identity, proxy);
        replicas.add(r);
        return r;
    }

    private List<Replica> live() {
        return replicas.stream().filter(r -> !r.dead).toList();
    }

    private Replica owner(String d) {
        return replicas.stream().filter(r -> r.holds(d)).findFirst().orElse(null);
    }

    private void awaitEveryDeploymentHeld() {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
                .until(() -> deployments.stream().allMatch(d -> owner(d) != null));
    }

    /** Kills the owner of {@code d} and waits until another replica holds it. */
    private Takeover killOwnerOf(String d) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50)).until(() -> owner(d) != null);
        Replica victim = owner(d);
        Instant killedAt = Instant.now();
        victim.kill();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50))
                .until(() -> owner(d) != null);
        Replica taker = owner(d);
        return new Takeover(d, victim.identity, taker.identity, killedAt, acquiredAfter(taker, d, killedAt));
    }

    private static Instant acquiredAfter(Replica r, String d, Instant after) {
        return r.wci.leaseHistory().stream().filter(e -> e.deployment().equals(d) && e.kind().holds()
                && !e.at().isBefore(after)).map(LeaseEvent::at).findFirst().orElseThrow();
    }

    /** Release → next claim of the same deployment by another replica, for every release so far. */
    private List<Long> rebalanceGaps() {
        List<Long> gaps = new ArrayList<>();
        for (Replica r : replicas) {
            for (LeaseEvent e : r.wci.leaseHistory()) {
                if (e.kind() != LeaseEvent.Kind.RELEASED) {
                    continue;
                }
                replicas.stream().filter(o -> o != r).flatMap(o -> o.wci.leaseHistory().stream())
                        .filter(o -> o.deployment().equals(e.deployment()) && o.kind().holds() && !o.at().isBefore(e.at()))
                        .map(LeaseEvent::at).min(Instant::compareTo)
                        .ifPresent(at -> gaps.add(Duration.between(e.at(), at).toMillis()));
            }
        }
        Collections.sort(gaps);
        return gaps;
    }

    /** Lease changes of live replicas that were no kill's doing: lapses of slow renewals (printed, not judged). */
    private long flaps() {
        return replicas.stream().flatMap(r -> r.wci.leaseHistory().stream())
                .filter(e -> e.kind() == LeaseEvent.Kind.LAPSED).count();
    }

    private String firstInvokeAfter(Takeover t) {
        Optional<InvocationRecord> first = runtime.invocations().stream()
                .filter(r -> r.function().equals(function(t.deployment())) && r.receivedAt().isAfter(t.killedAt()))
                .findFirst();
        return first.map(r -> String.format("+%.2f s after the kill", Duration.between(t.killedAt(), r.receivedAt())
                .toMillis() / 1000.0)).orElse("none needed (the workers already running served the load)");
    }

    /** The double-invoke check over the runtime's records, attributed through the request ids each replica got. */
    private int doubleInvokes() {
        Map<String, Map<String, List<Instant[]>>> holds = new HashMap<>();
        for (Replica r : replicas) {
            Map<String, List<Instant[]>> byDeployment = new HashMap<>();
            for (String d : deployments) {
                byDeployment.put(d, DoubleInvokes.intervals(r.wci.leaseHistory(), d, r.dead ? r.deadAt : null));
            }
            holds.put(r.identity, byDeployment);
        }
        List<DoubleInvokes.Invoke> invokes = new ArrayList<>();
        int unattributed = 0;
        for (InvocationRecord rec : runtime.invocations()) {
            Sent s = sentByRequestId.get(rec.requestId());
            if (s == null) {
                unattributed++;
            } else {
                invokes.add(new DoubleInvokes.Invoke(s.replica(), s.deployment(), s.sentAt(), rec.receivedAt()));
            }
        }
        return DoubleInvokes.count(deployments, holds, invokes, unattributed);
    }

    private static String function(String d) {
        return HaLoad.function(d);
    }
}
