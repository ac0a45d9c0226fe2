package dev.wci.server.prometheus;

import static dev.wci.server.prometheus.PrometheusBinaries.DOCKER;
import static dev.wci.server.prometheus.PrometheusBinaries.promtool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules and the Prometheus config of {@code docker/}, checked and unit-tested by the real {@code promtool}
 * (Debian's prometheus package, see {@link PrometheusBinaries}): the rules load, every alert fires on the input
 * series of {@code docker/prometheus-alerts.test.yml} when it should and not when it should not.
 */
class PromtoolIT {

    private final YAMLMapper yaml = new YAMLMapper();

    @Test
    void alertRulesPassPromtoolCheck() throws Exception {
        PrometheusBinaries.Result r = promtool(DOCKER, "check", "rules", "prometheus-alerts.yml");
        assertEquals(0, r.exitCode(), r.output());
    }

    @Test
    void alertRulesPassTheirPromtoolUnitTests() throws Exception {
        PrometheusBinaries.Result r = promtool(DOCKER, "test", "rules", "prometheus-alerts.test.yml");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }

    @Test
    void everyAlertHasAUnitTestInWhichItFires() throws Exception {
        Set<String> alerts = new TreeSet<>();
        for (JsonNode group : yaml.readTree(DOCKER.resolve("prometheus-alerts.yml").toFile()).path("groups")) {
            group.path("rules").forEach(rule -> alerts.add(rule.path("alert").asText()));
        }
        Set<String> firing = new TreeSet<>();
        for (JsonNode test : yaml.readTree(DOCKER.resolve("prometheus-alerts.test.yml").toFile()).path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                if (!check.path("exp_alerts").isEmpty()) {
                    firing.add(check.path("alertname").asText());
                }
            }
        }
        assertEquals(alerts, firing, "alerts with a promtool unit test that expects them to fire");
    }

    /** The harness can fail: a test that expects an alert on healthy input is reported as failed. */
    @Test
    void aWrongExpectationFailsThePromtoolUnitTest(@TempDir Path dir) throws Exception {
        Files.copy(DOCKER.resolve("prometheus-alerts.yml"), dir.resolve("prometheus-alerts.yml"));
        Files.writeString(dir.resolve("wrong.test.yml"), """
                rule_files: [prometheus-alerts.yml]
                tests:
                  - interval: 1m
                    input_series:
                      - series: 'up{job="wci", instance="wci:8080"}'
                        values: '1x10'
                    alert_rule_test:
                      - alertname: WciDown
                        eval_time: 5m
                        exp_alerts:
                          - exp_labels: {severity: critical, job: wci, instance: "wci:8080"}
                """);
        PrometheusBinaries.Result r = promtool(dir, "test", "rules", "wrong.test.yml");
        assertNotEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("FAILED"), r.output());
    }

    @Test
    void prometheusConfigIsValidWithItsRuleFile(@TempDir Path dir) throws Exception {
        // Its syntax as shipped; then the whole config, with the rule path that compose mounts pointed at docker/.
        PrometheusBinaries.Result syntax = promtool(DOCKER, "check", "config", "--syntax-only", "prometheus.yml");
        assertEquals(0, syntax.exitCode(), syntax.output());

        ObjectNode config = (ObjectNode) yaml.readTree(DOCKER.resolve("prometheus.yml").toFile());
        assertEquals("/etc/prometheus/prometheus-alerts.yml", config.path("rule_files").get(0).asText());
        config.putArray("rule_files").add(DOCKER.resolve("prometheus-alerts.yml").toString());
        Files.writeString(dir.resolve("prometheus.yml"), yaml.writeValueAsString(config));
        PrometheusBinaries.Result full = promtool(dir, "check", "config", "prometheus.yml");
        assertEquals(0, full.exitCode(), full.output());
        assertTrue(full.output().contains("rules found"), full.output());
    }
}
