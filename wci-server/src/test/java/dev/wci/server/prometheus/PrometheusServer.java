package dev.wci.server.prometheus;

import static dev.wci.server.prometheus.PrometheusBinaries.DOCKER;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Prometheus (Debian's binary, see {@link PrometheusBinaries}) on 127.0.0.1 that scrapes one WCI with the
 * {@code wci} job of {@code docker/prometheus.yml} and evaluates the rules of {@code docker/prometheus-alerts.yml}.
 *
 * <p>Its config is generated: the job's settings with WCI's address as the only target, a 2 s scrape and 1 s evaluation
 * interval, and the rules with every duration (each {@code for} and each range selector) divided by
 * {@value #TIME_COMPRESSION}, so a 10 min window is 30 s and an alert's {@code for} keeps its ratio to its window.
 * Everything else in the rules (expressions, thresholds, labels) is as shipped. It runs in a directory of its own and
 * is stopped by PID on {@link #close()} (and from a shutdown hook, should the test JVM end first).
 */
public final class PrometheusServer implements AutoCloseable {

    /** How many times shorter every duration in the rules is than in the shipped file. */
    public static final int TIME_COMPRESSION = 20;

    private static final Pattern RANGE = Pattern.compile("\\[(\\d+)([smhd])]");

    private final Process process;
    private final Thread hook;
    private final URI base;
    private final Path dir;
    private final Instant started = Instant.now();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private PrometheusServer(Process process, URI base, Path dir) {
        this.process = process;
        this.base = base;
        this.dir = dir;
        this.hook = new Thread(process::destroyForcibly, "prometheus-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Starts Prometheus in a new temporary directory (deleted on {@link #close()}), scraping WCI at
     * {@code wciHostPort}, and waits until it has scraped WCI once.
     */
    public static PrometheusServer scraping(String wciHostPort) throws IOException {
        Path binary = PrometheusBinaries.require("prometheus");
        Path dir = Files.createTempDirectory("wci-prometheus-");
        YAMLMapper yaml = new YAMLMapper();
        Files.writeString(dir.resolve("alerts.yml"),
                yaml.writeValueAsString(compressed(yaml.readTree(DOCKER.resolve("prometheus-alerts.yml").toFile()))));
        Files.writeString(dir.resolve("prometheus.yml"), yaml.writeValueAsString(
                config(yaml.readTree(DOCKER.resolve("prometheus.yml").toFile()), wciHostPort, dir.resolve("alerts.yml"))));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(binary.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        PrometheusServer server = new PrometheusServer(p, URI.create("http://127.0.0.1:" + port), dir);
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> {
                        if (!p.isAlive()) {
                            throw new IllegalStateException("prometheus exited: " + server.log());
                        }
                        return server.query("up{job=\"wci\"} == 1").size() == 1;
                    });
        } catch (RuntimeException e) {
            server.close();
            throw new IllegalStateException("prometheus did not scrape WCI at " + wciHostPort + "; its log:\n"
                    + server.log(), e);
        }
        return server;
    }

    /** docker/prometheus.yml with only its {@code wci} job, aimed at {@code wci}, fast intervals, our rules. */
    static ObjectNode config(JsonNode shipped, String wci, Path rules) {
        ObjectNode config = shipped.deepCopy();
        ObjectNode global = (ObjectNode) config.get("global");
        // 2 s: a loaded machine can take over 1 s to answer a scrape (seen here), and a timed-out scrape is up == 0.
        global.put("scrape_interval", "2s").put("scrape_timeout", "2s").put("evaluation_interval", "1s");
        config.putArray("rule_files").add(rules.toString());
        ArrayNode jobs = config.putArray("scrape_configs");
        for (JsonNode job : shipped.path("scrape_configs")) {
            if ("wci".equals(job.path("job_name").asText())) {
                ObjectNode copy = job.deepCopy();
                ArrayNode targets = copy.putArray("static_configs").addObject().putArray("targets");
                targets.add(wci);
                jobs.add(copy);
            }
        }
        if (jobs.isEmpty()) {
            throw new IllegalStateException("docker/prometheus.yml has no job named wci");
        }
        return config;
    }

    /** The rules with every {@code for} and range selector divided by {@link #TIME_COMPRESSION}. */
    static JsonNode compressed(JsonNode shipped) {
        JsonNode rules = shipped.deepCopy();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                ObjectNode r = (ObjectNode) rule;
                if (r.has("for")) {
                    r.put("for", shorter(r.get("for").asText()));
                }
                Matcher m = RANGE.matcher(r.get("expr").asText());
                StringBuilder expr = new StringBuilder();
                while (m.find()) {
                    m.appendReplacement(expr, "[" + shorter(m.group(1) + m.group(2)) + "]");
                }
                m.appendTail(expr);
                r.put("expr", expr.toString());
            }
        }
        return rules;
    }

    static String shorter(String duration) {
        Matcher m = Pattern.compile("(\\d+)([smhd])").matcher(duration);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a simple Prometheus duration: " + duration);
        }
        long seconds = Long.parseLong(m.group(1)) * switch (m.group(2)) {
            case "s" -> 1;
            case "m" -> 60;
            case "h" -> 3600;
            default -> 86400;
        };
        return Math.max(1, (seconds + TIME_COMPRESSION - 1) / TIME_COMPRESSION) + "s";
    }

    /** The result vector of an instant query now. */
    public JsonNode query(String promql) throws IOException, InterruptedException {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("result");
    }

    /** The {@code data} of a range query from {@code from} to now, one point per {@code stepSeconds}. */
    public JsonNode queryRange(String promql, Instant from, int stepSeconds) throws IOException, InterruptedException {
        return api("/api/v1/query_range?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&start=" + from.getEpochSecond() + "&end=" + Instant.now().getEpochSecond() + "&step=" + stepSeconds);
    }

    /** The values of a label over the series {@code match} selects (Grafana's {@code label_values}). */
    public List<String> labelValues(String label, String match) throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        api("/api/v1/label/" + label + "/values?match[]=" + URLEncoder.encode(match, StandardCharsets.UTF_8))
                .forEach(v -> out.add(v.asText()));
        return out;
    }

    /** Alerts now pending or firing ({@code /api/v1/alerts}). */
    public List<JsonNode> alerts() throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        api("/api/v1/alerts").path("alerts").forEach(out::add);
        return out;
    }

    /**
     * Waits until alert {@code name} is in one of {@code states} ("pending", "firing") for the series whose labels
     * include {@code labels}, and returns it.
     */
    public JsonNode awaitAlert(String name, Set<String> states, Map<String, String> labels,
                               Duration atMost) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(() -> {
            for (JsonNode a : alerts()) {
                JsonNode l = a.path("labels");
                if (name.equals(l.path("alertname").asText()) && states.contains(a.path("state").asText())
                        && labels.entrySet().stream().allMatch(e -> e.getValue().equals(l.path(e.getKey()).asText()))) {
                    found[0] = a;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** When this Prometheus started (range queries over "the whole run" start here). */
    public Instant started() {
        return started;
    }

    /** Prometheus's own log so far (for failure messages). */
    public String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private JsonNode api(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = json.readTree(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new IllegalStateException(pathAndQuery + " -> " + r.statusCode() + " " + r.body());
        }
        return body.path("data");
    }

    /** Stops Prometheus by its PID (SIGTERM, then SIGKILL if it has not exited after a generous wait). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
