package dev.wci.dev.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.server.config.DeploymentConfig;
import dev.wci.server.config.WciConfig;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WCI configuration a comparison run writes ({@link Compare#wciYaml}, on {@link DevStack#wciConfigHead}) loads as
 * {@code wci run} would load it, and carries the run's options; a generated configuration that does not load, or
 * cannot be written, is named in the error.
 */
class CompareConfigTest {

    @TempDir
    Path dir;

    @Test
    void theWorkerThroughputOptionSetsEveryDeploymentsDefault() {
        CompareOptions o = CompareOptions.parse(new String[] {"--controller", "wci-push", "--versions", "2",
                "--lambda-concurrency", "7", "--wci-worker-throughput", "20"});
        WciConfig config = load(yaml(o, 9090, 9091));
        assertEquals(List.of("cmp-1", "cmp-2"), config.deployments().stream().map(DeploymentConfig::name).toList());
        for (DeploymentConfig d : config.deployments()) {
            assertEquals(20.0, d.scaling().defaultWorkerThroughput(), d.name());
            assertEquals(7, d.scaling().maxWorkersPerVersion(), d.name());
        }
        assertEquals(7, config.scaling().maxWorkersTotal());
    }

    @Test
    void withoutItWciKeepsItsOwnDefault() {
        String yaml = yaml(CompareOptions.parse(new String[] {"--controller", "wci-stats"}), 0, 0);
        assertFalse(yaml.contains("defaultWorkerThroughput"), yaml);
        assertFalse(yaml.contains("signals:"), "wci-stats reads temporal-stats only:\n" + yaml);
        assertEquals(ScalingPolicy.defaults().defaultWorkerThroughput(),
                load(yaml).deployments().get(0).scaling().defaultWorkerThroughput());
    }

    @Test
    void aGeneratedConfigurationThatDoesNotLoadOrCannotBeWrittenIsNamed() {
        IllegalStateException broken = assertThrows(IllegalStateException.class, () -> DevStack.writeConfig(
                dir.resolve("wci.yaml"), "deployments: 3\n", Map.<String, String>of()::get, "the test's configuration"));
        assertTrue(broken.getMessage().startsWith("the test's configuration does not load:\n"), broken.getMessage());
        Path noDir = dir.resolve("missing").resolve("wci.yaml");
        UncheckedIOException unwritable = assertThrows(UncheckedIOException.class, () -> DevStack.writeConfig(noDir,
                "deployments: []\n", Map.<String, String>of()::get, "the test's configuration"));
        assertTrue(unwritable.getMessage().startsWith("cannot write " + noDir + ": "), unwritable.getMessage());
    }

    private static String yaml(CompareOptions o, int metricsPort, int endpointPort) {
        return Compare.wciYaml(o, "127.0.0.1:7233", "http://127.0.0.1:9001", CompareConfigTest::arn, metricsPort,
                endpointPort, "secret");
    }

    private WciConfig load(String yaml) {
        return DevStack.writeConfig(dir.resolve("wci.yaml"), yaml, Map.<String, String>of()::get, "the run's configuration");
    }

    private static String arn(int i, String build) {
        return "arn:aws:lambda:us-east-1:000000000000:function:cmp:" + i;
    }
}
