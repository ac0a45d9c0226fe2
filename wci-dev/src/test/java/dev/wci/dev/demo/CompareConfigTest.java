package dev.wci.dev.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.server.config.ConfigLoader;
import dev.wci.server.config.DeploymentConfig;
import dev.wci.server.config.WciConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WCI configuration a comparison run writes loads, and carries the run's options. */
class CompareConfigTest {

    @TempDir
    Path dir;

    @Test
    void theWorkerThroughputOptionSetsEveryDeploymentsDefault() throws Exception {
        CompareOptions o = CompareOptions.parse(new String[] {"--controller", "wci-push", "--versions", "2",
                "--lambda-concurrency", "7", "--wci-worker-throughput", "20"});
        WciConfig config = load(o, 9090, 9091);
        assertEquals(List.of("cmp-1", "cmp-2"), config.deployments().stream().map(DeploymentConfig::name).toList());
        for (DeploymentConfig d : config.deployments()) {
            assertEquals(20.0, d.scaling().defaultWorkerThroughput(), d.name());
            assertEquals(7, d.scaling().maxWorkersPerVersion(), d.name());
        }
        assertEquals(7, config.scaling().maxWorkersTotal());
    }

    @Test
    void withoutItWciKeepsItsOwnDefault() throws Exception {
        WciConfig config = load(CompareOptions.parse(new String[] {"--controller", "wci-stats"}), 0, 0);
        assertEquals(ScalingPolicy.defaults().defaultWorkerThroughput(),
                config.deployments().get(0).scaling().defaultWorkerThroughput());
        String yaml = Compare.wciYaml(CompareOptions.parse(new String[] {"--controller", "wci-stats"}),
                "127.0.0.1:7233", "http://127.0.0.1:9001", (i, b) -> arn(i, b), 0, 0, "s");
        assertFalse(yaml.contains("defaultWorkerThroughput"), yaml);
        assertFalse(yaml.contains("signals:"), "wci-stats reads temporal-stats only:\n" + yaml);
    }

    private WciConfig load(CompareOptions o, int metricsPort, int endpointPort) throws Exception {
        String yaml = Compare.wciYaml(o, "127.0.0.1:7233", "http://127.0.0.1:9001", (i, b) -> arn(i, b),
                metricsPort, endpointPort, "secret");
        assertTrue(yaml.contains("cmp-1"), yaml);
        Path file = Files.writeString(dir.resolve("wci.yaml"), yaml);
        return new ConfigLoader(Map.<String, String>of()::get).load(file);
    }

    private static String arn(int i, String build) {
        return "arn:aws:lambda:us-east-1:000000000000:function:cmp:" + i;
    }
}
