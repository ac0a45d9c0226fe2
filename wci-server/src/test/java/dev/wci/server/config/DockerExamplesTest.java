package dev.wci.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The example configurations shipped in {@code docker/} load, given the environment they document. */
class DockerExamplesTest {

    static final Path DOCKER = Path.of("../docker");

    /** The variables the examples say they need. */
    static final Map<String, String> ENV = Map.of("WCI_ORDERS_ROLE_EXTERNAL_ID", "orders-external-id-0451");

    @Test
    void everyExampleLoads() throws IOException {
        List<Path> examples;
        try (Stream<Path> files = Files.list(DOCKER)) {
            examples = files.filter(p -> p.getFileName().toString().endsWith(".yaml")
                    && p.getFileName().toString().startsWith("wci")).sorted().toList();
        }
        assertTrue(examples.size() >= 2, "examples found: " + examples);
        for (Path example : examples) {
            try {
                WciConfig config = new ConfigLoader(ENV::get).load(example);
                assertFalse(config.deployments().isEmpty(), example.toString());
            } catch (ConfigException e) {
                throw new AssertionError(example + " does not load:\n" + e.getMessage());
            }
        }
    }

    @Test
    void theComposeExampleTalksToTheTemporalServiceAndRealLambda() throws ConfigException {
        WciConfig c = new ConfigLoader(ENV::get).load(DOCKER.resolve("wci.yaml"));
        assertEquals("temporal:7233", c.temporal().address());
        assertEquals(Optional.empty(), c.aws().endpoint());
        assertFalse(c.signals().push().enabled());
        assertTrue(c.deployments().stream().flatMap(d -> d.versions().stream())
                .allMatch(v -> !v.target().mutableAllowed() && v.target().address().matches(".*:function:[\\w-]+:\\d+")));
    }

    @Test
    void theLocalExampleUsesTheDevServerAndTheLocalLambdaRuntime() throws ConfigException {
        WciConfig c = new ConfigLoader(name -> null).load(DOCKER.resolve("wci-local.yaml"));
        assertEquals("127.0.0.1:7233", c.temporal().address());
        assertEquals(Optional.of(URI.create("http://127.0.0.1:9001")), c.aws().endpoint());
        assertEquals(Optional.of("us-east-1"), c.aws().region());
        assertEquals(new HttpConfig("127.0.0.1", 8080), c.http());
        assertEquals(1, c.deployments().size());
        DeploymentConfig hello = c.deployments().get(0);
        assertEquals("hello", hello.name());
        assertEquals(List.of("v1", "v2"), hello.versions().stream().map(VersionConfig::buildId).toList());
        assertEquals(List.of("arn:aws:lambda:us-east-1:000000000000:function:hello-worker:1",
                        "arn:aws:lambda:us-east-1:000000000000:function:hello-worker:2"),
                hello.versions().stream().map(v -> v.target().address()).toList());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theHaComposeRunsTwoReplicasOfOneHaConfiguration() throws Exception {
        Map<String, Object> compose = new org.yaml.snakeyaml.Yaml().load(Files.readString(DOCKER.resolve("compose-ha.yaml")));
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        List<String> replicas = new java.util.ArrayList<>();
        for (String name : List.of("wci-a", "wci-b")) {
            Map<String, Object> service = (Map<String, Object>) services.get(name);
            assertEquals(List.of("./wci-ha.yaml:/etc/wci/wci.yaml:ro"), service.get("volumes"), name);
            replicas.add((String) ((Map<String, Object>) service.get("environment")).get("WCI_REPLICA"));
        }
        assertEquals(List.of("wci-a", "wci-b"), replicas, "distinct identities");
        WciConfig c = new ConfigLoader(Map.of("WCI_REPLICA", "wci-a")::get).load(DOCKER.resolve("wci-ha.yaml"));
        assertEquals(new HaConfig(true, "wci-a", java.time.Duration.ofSeconds(6), java.time.Duration.ofSeconds(2)),
                c.ha());
        assertEquals("temporal:7233", c.temporal().address());
        assertEquals(3, c.deployments().size());
        assertTrue(new ConfigLoader(name -> null).load(DOCKER.resolve("wci-ha.yaml")).ha().identity()
                .endsWith("-" + ProcessHandle.current().pid()), "without WCI_REPLICA: host name + pid");
    }
}
