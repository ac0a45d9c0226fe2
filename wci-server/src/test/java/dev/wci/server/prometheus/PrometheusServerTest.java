package dev.wci.server.prometheus;

import static dev.wci.server.prometheus.PrometheusBinaries.DOCKER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The config and rules the e2e Prometheus gets: the shipped ones, aimed at the test's WCI, durations compressed. */
class PrometheusServerTest {

    private final YAMLMapper yaml = new YAMLMapper();

    @Test
    void durationsAreDividedByTwentyRoundedUp() {
        assertEquals("30s", PrometheusServer.shorter("10m"));
        assertEquals("6s", PrometheusServer.shorter("2m"));
        assertEquals("3s", PrometheusServer.shorter("1m"));
        assertEquals("90s", PrometheusServer.shorter("30m"));
        assertEquals("180s", PrometheusServer.shorter("1h"));
        assertEquals("1s", PrometheusServer.shorter("5s"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusServer.shorter("1h30m"));
    }

    @Test
    void rulesKeepTheirExpressionsWithShorterWindowsAndFor() throws Exception {
        JsonNode shipped = yaml.readTree(DOCKER.resolve("prometheus-alerts.yml").toFile());
        JsonNode compressed = PrometheusServer.compressed(shipped);
        JsonNode before = shipped.path("groups").get(0).path("rules");
        JsonNode after = compressed.path("groups").get(0).path("rules");
        assertEquals(before.size(), after.size());
        Pattern longRange = Pattern.compile("\\[\\d+[mhd]]");
        for (int i = 0; i < before.size(); i++) {
            JsonNode b = before.get(i);
            JsonNode a = after.get(i);
            String name = b.path("alert").asText();
            assertEquals(name, a.path("alert").asText());
            assertEquals(b.has("for"), a.has("for"), name);
            if (b.has("for")) {
                assertEquals(PrometheusServer.shorter(b.path("for").asText()), a.path("for").asText(), name);
            }
            assertFalse(longRange.matcher(a.path("expr").asText()).find(), name + ": " + a.path("expr"));
            // Only the windows change.
            assertEquals(b.path("expr").asText().replaceAll("\\[\\w+]", "[]"),
                    a.path("expr").asText().replaceAll("\\[\\w+]", "[]"), name);
            assertEquals(b.path("labels"), a.path("labels"), name);
            assertEquals(b.path("annotations"), a.path("annotations"), name);
        }
        assertTrue(after.toString().contains("[6s]"), "the 2 m windows became 6 s");
    }

    @Test
    void configIsTheShippedWciJobAimedAtTheTestsWci() throws Exception {
        JsonNode shipped = yaml.readTree(DOCKER.resolve("prometheus.yml").toFile());
        JsonNode config = PrometheusServer.config(shipped, "127.0.0.1:1234", Path.of("/tmp/alerts.yml"));
        assertEquals(1, config.path("scrape_configs").size());
        JsonNode job = config.path("scrape_configs").get(0);
        assertEquals("wci", job.path("job_name").asText(), "alert rules select job=\"wci\"");
        assertEquals("/metrics", job.path("metrics_path").asText());
        assertEquals("127.0.0.1:1234", job.path("static_configs").get(0).path("targets").get(0).asText());
        assertEquals("/tmp/alerts.yml", config.path("rule_files").get(0).asText());
        assertEquals("2s", config.path("global").path("scrape_interval").asText());
        assertEquals("1s", config.path("global").path("evaluation_interval").asText());
    }
}
