package dev.wci.server.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.wci.server.cli.WciCommand;
import dev.wci.server.config.ConfigLoader;
import dev.wci.server.config.WciConfig;
import dev.wci.server.http.HttpSurface;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

/**
 * The container and monitoring files in {@code docker/} agree with each other, with the Maven build and with the
 * documentation. No Docker engine runs here, so the image is never built by the tests: this checks what can be
 * checked without one (see docs/operations.md, "What was exercised").
 */
class PackagingFilesTest {

    static final Path ROOT = Path.of("..");
    static final Path DOCKER = ROOT.resolve("docker");
    static final Path DOCS = ROOT.resolve("docs");

    /** What docker/wci.yaml needs from the environment (compose passes it through). */
    static final Map<String, String> ENV = Map.of("WCI_ORDERS_ROLE_EXTERNAL_ID", "orders-external-id-0451");

    static final Pattern PINNED_IMAGE = Pattern.compile(
            "(?<name>[a-z0-9][a-z0-9._/-]*):(?<tag>[A-Za-z0-9_][A-Za-z0-9._-]*)(?<digest>@sha256:[0-9a-f]{64})?");
    static final Pattern METRIC = Pattern.compile("\\bwci_[a-z0-9_]+\\b");
    static final Pattern METER_LITERAL = Pattern.compile("\"(wci(?:\\.[a-z0-9]+)+)\"");
    static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");

    private final YAMLMapper yaml = new YAMLMapper();
    private final ObjectMapper json = new ObjectMapper();

    // ---- Dockerfile ---------------------------------------------------------------------------------------------

    @Test
    void dockerfilePinsEveryBaseImageByTagAndDigest() throws Exception {
        List<Stage> stages = Dockerfile.parse(DOCKER.resolve("Dockerfile")).stages();
        assertEquals(2, stages.size(), "a build stage and a runtime stage");
        for (Stage s : stages) {
            assertPinned("Dockerfile FROM " + s.image(), s.image(), true);
        }
    }

    @Test
    void dockerfileBuildsWithTheWrapperAndAMavenCacheMountAndCopiesEveryModule() throws Exception {
        Stage build = Dockerfile.parse(DOCKER.resolve("Dockerfile")).stage("build");
        List<String> runs = build.args("RUN");
        assertEquals(1, runs.size(), "one RUN in the build stage: " + runs);
        String run = runs.get(0);
        assertTrue(run.startsWith("--mount=type=cache,") && run.contains("target=/root/.m2"),
                "the Maven repository is a build cache mount: " + run);
        for (String part : List.of("./mvnw", "-B", "-DskipTests", "package", "-pl wci-server -am",
                "-Dproject.build.outputTimestamp=${SOURCE_DATE_EPOCH}")) {
            assertTrue(run.contains(part), "build command has '" + part + "': " + run);
        }
        assertTrue(build.args("ARG").contains("SOURCE_DATE_EPOCH"), "SOURCE_DATE_EPOCH is a build argument");

        Set<String> copied = new HashSet<>();
        for (Copy c : build.copies()) {
            c.sources().forEach(src -> copied.add(src.replaceAll("/$", "")));
        }
        List<String> modules = modules();
        assertFalse(modules.isEmpty());
        for (String module : modules) {
            assertTrue(copied.contains(module), "the build stage copies module " + module + " (all modules: "
                    + modules + ", copied: " + copied + ")");
        }
        for (String needed : List.of(".mvn", "mvnw", "pom.xml")) {
            assertTrue(copied.contains(needed), "the build stage copies " + needed);
        }
    }

    /** The modules of development tooling (README, "Modules"): never on the service's class path. */
    static final Set<String> DEV_MODULES = Set.of("wci-sim", "wci-local", "wci-dev", "wci-lambda-worker");

    @Test
    void theServiceJarSetHoldsNoDevelopmentModule() throws Exception {
        // wci-server's runtime class path (target/lib, the image's /opt/wci/lib) is its non-test dependencies and
        // theirs: every WCI module on it is checked, down to wci-core.
        List<String> todo = new ArrayList<>(List.of("wci-server"));
        Set<String> seen = new TreeSet<>();
        while (!todo.isEmpty()) {
            String module = todo.remove(0);
            if (!seen.add(module)) {
                continue;
            }
            assertFalse(DEV_MODULES.contains(module), "the service's class path reaches " + module + " (" + seen
                    + ")");
            NodeList deps = xml(ROOT.resolve(module).resolve("pom.xml")).getElementsByTagName("dependency");
            for (int i = 0; i < deps.getLength(); i++) {
                Element dep = (Element) deps.item(i);
                String scope = text(dep, "scope");
                if ("dev.wci".equals(text(dep, "groupId")) && !"test".equals(scope) && !"import".equals(scope)) {
                    todo.add(text(dep, "artifactId"));
                }
            }
        }
        assertEquals(new TreeSet<>(Set.of("wci-core", "wci-lambda", "wci-server")), seen);
        assertTrue(modules().containsAll(DEV_MODULES), "the development modules are built: " + modules());
    }

    @Test
    void dockerfileCopiesWhatTheMavenBuildProducesAndRunsItAsBinWciDoes() throws Exception {
        Dockerfile file = Dockerfile.parse(DOCKER.resolve("Dockerfile"));
        Stage build = file.stage("build");
        Stage runtime = file.stages().get(file.stages().size() - 1);
        String workdir = build.args("WORKDIR").get(0);

        // What wci-server's POM produces: target/<finalName>.jar and the dependency plugin's output directory.
        Document pom = xml(ROOT.resolve("wci-server/pom.xml"));
        String finalName = text(pom.getDocumentElement(), "finalName");
        String libDir = null;
        NodeList plugins = pom.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            if ("maven-dependency-plugin".equals(text(plugin, "artifactId"))) {
                libDir = text(plugin, "outputDirectory").replace("${project.build.directory}", "target");
            }
        }
        assertNotNull(libDir, "wci-server's POM copies its runtime dependencies");
        String jarSource = workdir + "/wci-server/target/" + finalName + ".jar";
        String libSource = workdir + "/wci-server/" + libDir + "/";

        Map<String, String> fromBuild = new LinkedHashMap<>();
        for (Copy c : runtime.copies()) {
            assertEquals("build", c.from(), "the runtime stage copies only from the build stage: " + c);
            assertEquals(1, c.sources().size(), c.toString());
            fromBuild.put(c.sources().get(0), c.destination());
        }
        assertEquals(Set.of(jarSource, libSource), fromBuild.keySet(), "copied build outputs");
        String jar = fromBuild.get(jarSource);
        String lib = fromBuild.get(libSource);

        // bin/wci runs `run` and `validate` as the image does:
        // java -cp "$JAR:$ROOT/wci-server/target/lib/*" dev.wci.server.cli.WciCommand "$@"
        String binWci = Files.readString(ROOT.resolve("bin/wci"));
        List<String> serviceLaunch = binWci.lines()
                .filter(l -> l.contains(" " + WciCommand.class.getName() + " ")).toList();
        assertEquals(1, serviceLaunch.size(), "bin/wci launches the service's entry point once: " + serviceLaunch);
        String launch = serviceLaunch.get(0);
        assertTrue(binWci.contains("JAR=\"$ROOT/wci-server/target/" + finalName + ".jar\"")
                && launch.contains("wci-server/" + libDir + "/*") && !launch.contains("wci-dev"),
                "bin/wci launches the same layout, without the development modules: " + launch);
        assertTrue(binWci.contains("run|validate)"), "bin/wci runs run and validate on the service's class path");
        List<String> entrypoint = jsonArray(runtime.args("ENTRYPOINT").get(0));
        assertEquals("java", entrypoint.get(0));
        int cp = entrypoint.indexOf("-cp");
        assertTrue(cp > 0, "ENTRYPOINT sets the class path: " + entrypoint);
        assertEquals(jar + ":" + lib.replaceAll("/$", "") + "/*", entrypoint.get(cp + 1));
        assertEquals(WciCommand.class.getName(), entrypoint.get(cp + 2), "main class");
        assertEquals(cp + 3, entrypoint.size(), "arguments come from CMD");
    }

    @Test
    void imageRunsTheServiceWithTheMountedConfigurationByDefault() throws Exception {
        Stage runtime = last(Dockerfile.parse(DOCKER.resolve("Dockerfile")).stages());
        List<String> cmd = jsonArray(runtime.args("CMD").get(0));
        assertEquals(List.of("run", "--config", "/etc/wci/wci.yaml"), cmd);

        CommandLine wci = new CommandLine(new WciCommand());
        CommandLine run = wci.getSubcommands().get("run");
        assertNotNull(run, "`wci run` exists (the image's default command); subcommands: "
                + wci.getSubcommands().keySet());
        assertNotNull(run.getCommandSpec().findOption("--config"), "`wci run` takes --config");

        JsonNode wciService = compose().path("services").path("wci");
        assertTrue(volumes(wciService).contains("./wci.yaml:/etc/wci/wci.yaml:ro"),
                "compose mounts docker/wci.yaml where the image reads it: " + volumes(wciService));
    }

    @Test
    void imageRunsAsANumericNonRootUser() throws Exception {
        Stage runtime = last(Dockerfile.parse(DOCKER.resolve("Dockerfile")).stages());
        List<String> users = runtime.args("USER");
        assertFalse(users.isEmpty(), "the runtime stage sets USER");
        String user = last(users);
        Matcher m = Pattern.compile("(\\d+)(?::(\\d+))?").matcher(user);
        assertTrue(m.matches(), "USER is numeric (uid[:gid]) so that runAsNonRoot can verify it: " + user);
        assertNotEquals(0, Integer.parseInt(m.group(1)), "not root");
        if (m.group(2) != null) {
            assertNotEquals(0, Integer.parseInt(m.group(2)), "not the root group");
        }
        int userIndex = runtime.instructions().lastIndexOf(new Instruction("USER", user));
        for (int i = userIndex + 1; i < runtime.instructions().size(); i++) {
            assertNotEquals("RUN", runtime.instructions().get(i).keyword(), "nothing runs as root after USER");
        }
    }

    @Test
    void healthcheckHitsHealthzOnTheConfiguredPortAndHealthzAnswers() throws Exception {
        Stage runtime = last(Dockerfile.parse(DOCKER.resolve("Dockerfile")).stages());
        String healthcheck = runtime.args("HEALTHCHECK").get(0);
        int at = healthcheck.indexOf(" CMD ");
        assertTrue(at > 0, "HEALTHCHECK ... CMD [...]: " + healthcheck);
        List<String> probe = jsonArray(healthcheck.substring(at + 5));
        assertEquals("wget", probe.get(0), "BusyBox wget: the JRE image has no curl");
        URI uri = URI.create(last(probe));
        assertEquals("/healthz", uri.getPath());
        assertEquals("127.0.0.1", uri.getHost());

        WciConfig config = new ConfigLoader(ENV::get).load(DOCKER.resolve("wci.yaml"));
        assertEquals(config.http().port(), uri.getPort(), "the probe targets docker/wci.yaml's http.listen port");
        assertEquals("0.0.0.0", config.http().host(), "docker/wci.yaml listens on all interfaces in the container");
        assertEquals(List.of(Integer.toString(config.http().port())), runtime.args("EXPOSE"));

        // Liveness: /healthz answers 200 even while the service is not ready.
        HttpSurface http = new HttpSurface("127.0.0.1", 0, new HttpSurface.Endpoints() {
            @Override
            public String metrics() {
                return "";
            }

            @Override
            public HttpSurface.Readiness readiness() {
                return new HttpSurface.Readiness(false, List.of("Temporal is not reachable"));
            }

            @Override
            public Object status() {
                return Map.of();
            }
        });
        try {
            http.start();
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + http.port() + uri.getPath())).timeout(Duration.ofSeconds(60))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            HttpResponse<String> ready = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + http.port() + "/readyz")).timeout(Duration.ofSeconds(60))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, ready.statusCode(), "readiness is separate from the health check: " + ready.body());
        } finally {
            http.close();
        }
    }

    @Test
    void dockerignoreKeepsBuildOutputLocalToolsAndGitOut() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve(".dockerignore")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        for (String needed : List.of("**/target/", ".venv/", ".git/")) {
            assertTrue(lines.contains(needed), ".dockerignore excludes " + needed + ": " + lines);
        }
    }

    // ---- compose and Prometheus ---------------------------------------------------------------------------------

    @Test
    void composeImagesArePinnedAndExternalOnesByDigest() throws Exception {
        JsonNode services = compose().path("services");
        assertEquals(Set.of("temporal", "wci", "prometheus", "grafana"), names(services));
        services.fields().forEachRemaining(e -> {
            String image = e.getValue().path("image").asText(null);
            assertNotNull(image, "service " + e.getKey() + " names its image");
            assertPinned("compose service " + e.getKey(), image, !e.getValue().has("build"));
        });
    }

    @Test
    void composeBuildsWciFromTheDockerfileAndEveryMountedFileExists() throws Exception {
        JsonNode services = compose().path("services");
        JsonNode build = services.path("wci").path("build");
        Path context = DOCKER.resolve(build.path("context").asText()).normalize();
        assertTrue(Files.isRegularFile(context.resolve("pom.xml")), "the build context is the repository root");
        assertTrue(Files.isRegularFile(context.resolve(build.path("dockerfile").asText())), "the Dockerfile exists");

        services.fields().forEachRemaining(e -> {
            for (String volume : volumes(e.getValue())) {
                String host = volume.split(":")[0];
                assertTrue(host.startsWith("./"), e.getKey() + ": bind mounts are relative to docker/: " + volume);
                assertTrue(Files.exists(DOCKER.resolve(host)), e.getKey() + " mounts " + host + ", which exists");
            }
        });
    }

    @Test
    void composeRunsTheTemporalDevServerReachableFromOtherContainers() throws Exception {
        JsonNode temporal = compose().path("services").path("temporal");
        List<String> command = strings(temporal.path("command"));
        assertEquals(List.of("server", "start-dev"), command.subList(0, 2));
        assertEquals("0.0.0.0", command.get(command.indexOf("--ip") + 1), "bound on all interfaces");
        assertTrue(temporal.path("image").asText().startsWith("temporalio/temporal:"), "the Temporal CLI image");

        WciConfig config = new ConfigLoader(ENV::get).load(DOCKER.resolve("wci.yaml"));
        assertEquals("temporal:7233", config.temporal().address(), "WCI reaches the compose service");
        String metricsPort = command.get(command.indexOf("--metrics-port") + 1);
        assertEquals(List.of("temporal:" + metricsPort), scrapeTargets("temporal"));
    }

    @Test
    void prometheusScrapesWciOnItsPortAndLoadsTheMountedAlertRules() throws Exception {
        WciConfig config = new ConfigLoader(ENV::get).load(DOCKER.resolve("wci.yaml"));
        assertEquals(List.of("wci:" + config.http().port()), scrapeTargets("wci"));
        JsonNode scrapeJob = job("wci");
        assertEquals("/metrics", scrapeJob.path("metrics_path").asText("/metrics"));

        JsonNode compose = compose();
        assertTrue(strings(compose.path("services").path("wci").path("ports"))
                        .contains("127.0.0.1:" + config.http().port() + ":" + config.http().port()),
                "compose publishes WCI's port on loopback");
        Map<String, String> mounts = new HashMap<>();
        for (String volume : volumes(compose.path("services").path("prometheus"))) {
            String[] parts = volume.split(":");
            mounts.put(parts[1], parts[0]);
        }
        List<String> rules = strings(prometheus().path("rule_files"));
        assertEquals(List.of("/etc/prometheus/prometheus-alerts.yml"), rules);
        assertEquals("./prometheus-alerts.yml", mounts.get(rules.get(0)), "the rule file is mounted from docker/");
        assertTrue(strings(compose.path("services").path("prometheus").path("command"))
                .contains("--config.file=" + mountTarget(mounts, "./prometheus.yml")));
    }

    @Test
    void alertRulesAreWellFormedUseDocumentedMetricsAndHaveARunbookEntry() throws Exception {
        JsonNode rules = yaml.readTree(DOCKER.resolve("prometheus-alerts.yml").toFile()).path("groups").get(0)
                .path("rules");
        Set<String> documented = documentedMetrics();
        Set<String> anchors = anchors(DOCS.resolve("operations.md"));
        Set<String> names = new HashSet<>();
        assertTrue(rules.size() >= 10, "alert rules: " + rules.size());
        for (JsonNode rule : rules) {
            String name = rule.path("alert").asText();
            assertTrue(name.matches("Wci[A-Z][A-Za-z]+"), "alert name: " + name);
            assertTrue(names.add(name), "alert " + name + " defined once");
            String expr = rule.path("expr").asText();
            assertFalse(expr.isBlank(), name + " has an expression");
            assertBalanced(name, expr);
            Set<String> used = metrics(expr);
            if (!name.equals("WciDown")) {
                assertFalse(used.isEmpty(), name + " uses a WCI metric: " + expr);
            }
            assertDocumented("alert " + name, used, documented);
            if (rule.has("for")) {
                assertTrue(rule.path("for").asText().matches("\\d+[smh]"), name + ": for is a duration");
            }
            assertTrue(SEVERITIES.contains(rule.path("labels").path("severity").asText()), name + ": severity");
            assertFalse(rule.path("annotations").path("summary").asText().isBlank(), name + ": summary");
            String runbook = rule.path("annotations").path("runbook_url").asText();
            assertEquals("docs/operations.md#" + name.toLowerCase(Locale.ROOT), runbook, name + ": runbook_url");
            assertTrue(anchors.contains(name.toLowerCase(Locale.ROOT)),
                    name + ": docs/operations.md has a '### " + name + "' entry");
        }
        // Every alert has an entry, and every alert entry in the runbook has an alert.
        Set<String> alertEntries = new TreeSet<>();
        for (String anchor : anchors) {
            if (anchor.matches("wci[a-z]+") && !anchor.equals("wci")) {
                alertEntries.add(anchor);
            }
        }
        Set<String> lower = new TreeSet<>();
        names.forEach(n -> lower.add(n.toLowerCase(Locale.ROOT)));
        assertEquals(lower, alertEntries, "runbook entries named like alerts");
    }

    // ---- Grafana ------------------------------------------------------------------------------------------------

    @Test
    void grafanaDashboardParsesAndUsesOnlyDocumentedMetrics() throws Exception {
        JsonNode dashboard = json.readTree(DOCKER.resolve("grafana/wci-dashboard.json").toFile());
        assertFalse(dashboard.path("uid").asText().isBlank(), "the dashboard has a stable uid");
        Set<String> documented = documentedMetrics();
        Set<Integer> ids = new HashSet<>();
        Set<String> used = new TreeSet<>();
        int graphs = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            assertTrue(ids.add(panel.path("id").asInt()), "panel ids are unique: " + panel.path("id"));
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            graphs++;
            String title = panel.path("title").asText();
            assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), title + ": data source");
            assertTrue(panel.path("targets").size() > 0, title + " has queries");
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                assertFalse(expr.isBlank(), title + ": query " + target.path("refId"));
                assertBalanced(title, expr);
                Set<String> metrics = metrics(expr);
                assertFalse(metrics.isEmpty(), title + " queries a WCI metric: " + expr);
                assertDocumented("dashboard panel '" + title + "'", metrics, documented);
                used.addAll(metrics);
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            assertDocumented("dashboard variable " + variable.path("name").asText(),
                    metrics(variable.path("definition").asText()), documented);
        }
        assertTrue(graphs >= 20, "panels: " + graphs);
        // The dashboard covers what the brief asks for.
        for (String m : List.of("wci_reaction_seconds", "wci_invocations_total", "wci_decisions_total",
                "wci_limit_trims_total", "wci_workers", "wci_backlog_tasks", "wci_budget_remaining_worker_seconds",
                "wci_target_circuit_open", "wci_target_throttle_backoff", "wci_target_invoke_loop_suspect",
                "wci_target_valid", "wci_temporal_rpc_requests_total", "wci_temporal_describe_budget",
                "wci_push_events_total")) {
            assertTrue(used.contains(m), "the dashboard plots " + m);
        }
    }

    @Test
    void grafanaProvisioningLoadsTheMountedDashboardFromTheComposePrometheus() throws Exception {
        JsonNode grafana = compose().path("services").path("grafana");
        Map<String, String> mounts = new HashMap<>();
        for (String volume : volumes(grafana)) {
            String[] parts = volume.split(":");
            mounts.put(parts[0], parts[1]);
        }
        String provisioning = mounts.get("./grafana/provisioning");
        assertEquals("/etc/grafana/provisioning", provisioning);
        String dashboardFile = mounts.get("./grafana/wci-dashboard.json");
        assertNotNull(dashboardFile, "the dashboard is mounted");

        JsonNode providers = yaml.readTree(DOCKER.resolve("grafana/provisioning/dashboards/wci.yaml").toFile());
        assertEquals(1, providers.path("apiVersion").asInt());
        assertEquals(Path.of(dashboardFile).getParent().toString(),
                providers.path("providers").get(0).path("options").path("path").asText());

        JsonNode sources = yaml.readTree(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yaml").toFile());
        JsonNode source = sources.path("datasources").get(0);
        assertEquals("prometheus", source.path("type").asText());
        URI url = URI.create(source.path("url").asText());
        assertTrue(compose().path("services").has(url.getHost()), "the data source is a compose service: " + url);
        assertEquals(9090, url.getPort());
    }

    // ---- the code and docs/metrics.md ---------------------------------------------------------------------------

    @Test
    void everyMeterTheCodeRegistersIsDocumentedAndEveryDocumentedMetricExists() throws Exception {
        Set<String> documented = documentedMetrics();
        Set<String> meters = meterNamesInMainCode();
        assertTrue(meters.contains("wci.reaction") && meters.contains("wci.push.requests"), "found: " + meters);
        for (String meter : meters) {
            String base = meter.replace('.', '_');
            assertTrue(documented.contains(base) || documented.contains(base + "_total")
                            || documented.contains(base + "_seconds"),
                    "meter '" + meter + "' is documented in docs/metrics.md as " + base + "[_total|_seconds]");
        }
        for (String metric : documented) {
            String base = metric.replaceAll("_(total|seconds_max|seconds_count|seconds_sum|seconds_bucket)$", "")
                    .replaceAll("_seconds$", "");
            boolean found = meters.contains(base.replace('_', '.'))
                    || meters.contains(metric.replace('_', '.'));
            assertTrue(found, "docs/metrics.md lists " + metric + ", but no main class registers a meter named "
                    + base.replace('_', '.') + " (meters: " + meters + ")");
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private JsonNode compose() throws IOException {
        return yaml.readTree(DOCKER.resolve("compose.yaml").toFile());
    }

    private JsonNode prometheus() throws IOException {
        return yaml.readTree(DOCKER.resolve("prometheus.yml").toFile());
    }

    private JsonNode job(String name) throws IOException {
        for (JsonNode job : prometheus().path("scrape_configs")) {
            if (job.path("job_name").asText().equals(name)) {
                return job;
            }
        }
        throw new AssertionError("prometheus.yml has no job " + name);
    }

    private List<String> scrapeTargets(String jobName) throws IOException {
        List<String> targets = new ArrayList<>();
        for (JsonNode group : job(jobName).path("static_configs")) {
            targets.addAll(strings(group.path("targets")));
        }
        return targets;
    }

    private static String mountTarget(Map<String, String> targetToHost, String host) {
        return targetToHost.entrySet().stream().filter(e -> e.getValue().equals(host)).map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new AssertionError(host + " is not mounted"));
    }

    private static List<String> volumes(JsonNode service) {
        return strings(service.path("volumes"));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Set<String> names(JsonNode object) {
        Set<String> out = new TreeSet<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private List<String> jsonArray(String text) throws IOException {
        List<String> out = new ArrayList<>();
        JsonNode node = json.readTree(text.strip());
        assertTrue(node.isArray(), "exec form (a JSON array): " + text);
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    private static void assertPinned(String where, String image, boolean digestRequired) {
        Matcher m = PINNED_IMAGE.matcher(image);
        assertTrue(m.matches(), where + ": image reference name:tag[@sha256:...]: " + image);
        assertNotEquals("latest", m.group("tag"), where + ": no latest tag");
        if (digestRequired) {
            assertNotNull(m.group("digest"), where + ": pinned by digest too: " + image);
        }
    }

    private static void assertBalanced(String where, String expr) {
        StringBuilder stack = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '"' && (i == 0 || expr.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            } else if (!quoted && "({[".indexOf(c) >= 0) {
                stack.append(c);
            } else if (!quoted && ")}]".indexOf(c) >= 0) {
                assertTrue(stack.length() > 0 && "({[".indexOf(stack.charAt(stack.length() - 1)) == ")}]".indexOf(c),
                        where + ": unbalanced '" + c + "' at " + i + " in " + expr);
                stack.setLength(stack.length() - 1);
            }
        }
        assertFalse(quoted, where + ": unterminated string in " + expr);
        assertEquals(0, stack.length(), where + ": unclosed '" + stack + "' in " + expr);
    }

    private static Set<String> metrics(String expr) {
        Set<String> out = new TreeSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    private static void assertDocumented(String where, Set<String> used, Set<String> documented) {
        for (String metric : used) {
            assertTrue(documented.contains(metric), where + " uses " + metric
                    + ", which docs/metrics.md does not list (documented: " + documented + ")");
        }
    }

    /**
     * The metric names docs/metrics.md lists: the first cell of each table row that starts with a {@code wci_}
     * name; for a summary, also its {@code _count} and {@code _sum} series; for a histogram, also {@code _bucket}.
     */
    static Set<String> documentedMetrics() throws IOException {
        Set<String> out = new TreeSet<>();
        Pattern row = Pattern.compile("^\\| `(wci_[a-z0-9_]+)` \\| ([^|]+) \\|");
        for (String line : Files.readAllLines(DOCS.resolve("metrics.md"))) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                String name = m.group(1);
                assertTrue(out.add(name), "docs/metrics.md lists " + name + " once");
                String type = m.group(2).strip();
                assertTrue(type.matches("(counter|gauge|summary|histogram)\\b.*"), name + ": type " + type);
                if (type.startsWith("summary") || type.startsWith("histogram")) {
                    out.add(name + "_count");
                    out.add(name + "_sum");
                }
                if (type.startsWith("histogram")) {
                    out.add(name + "_bucket");
                }
            }
        }
        assertTrue(out.size() > 20, "metrics found in docs/metrics.md: " + out);
        return out;
    }

    /** Micrometer names ("wci.x.y") in the main sources of every module that uses Micrometer. */
    static Set<String> meterNamesInMainCode() throws Exception {
        Set<String> out = new TreeSet<>();
        for (String module : modules()) {
            Path main = ROOT.resolve(module).resolve("src/main/java");
            if (!Files.isDirectory(main)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(main)) {
                for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String source = Files.readString(file);
                    if (!source.contains("import io.micrometer.")) {
                        continue; // e.g. the metadata key "wci.lambda.target" is not a meter
                    }
                    Matcher m = METER_LITERAL.matcher(source);
                    while (m.find()) {
                        out.add(m.group(1));
                    }
                }
            }
        }
        return out;
    }

    /** GitHub-style anchors of the headings of a Markdown file. */
    static Set<String> anchors(Path markdown) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(markdown)) {
            if (line.startsWith("```")) {
                fenced = !fenced;
            }
            if (!fenced && line.matches("#{1,6} .*")) {
                String heading = line.replaceFirst("#+ ", "").strip().toLowerCase(Locale.ROOT);
                out.add(heading.replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
            }
        }
        return out;
    }

    static List<String> modules() throws Exception {
        Document pom = xml(ROOT.resolve("pom.xml"));
        List<String> out = new ArrayList<>();
        NodeList modules = pom.getElementsByTagName("module");
        for (int i = 0; i < modules.getLength(); i++) {
            out.add(modules.item(i).getTextContent().strip());
        }
        return out;
    }

    private static Document xml(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(file.toFile());
    }

    /** The text of the first descendant element named {@code name}, or null. */
    private static String text(Element parent, String name) {
        NodeList nodes = parent.getElementsByTagName(name);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().strip();
    }

    // ---- a small Dockerfile reader: instructions per stage, continuations joined, comments dropped ----

    record Instruction(String keyword, String args) {
    }

    record Copy(String from, List<String> sources, String destination) {
    }

    record Stage(String image, String name, List<Instruction> instructions) {

        List<String> args(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList();
        }

        List<Copy> copies() {
            List<Copy> out = new ArrayList<>();
            for (String args : args("COPY")) {
                String from = null;
                List<String> paths = new ArrayList<>();
                for (String token : args.split("\\s+")) {
                    if (token.startsWith("--from=")) {
                        from = token.substring("--from=".length());
                    } else if (!token.startsWith("--")) {
                        paths.add(token);
                    }
                }
                assertTrue(paths.size() >= 2, "COPY has sources and a destination: " + args);
                out.add(new Copy(from, List.copyOf(paths.subList(0, paths.size() - 1)), last(paths)));
            }
            return out;
        }
    }

    record Dockerfile(List<Stage> stages) {

        static Dockerfile parse(Path file) throws IOException {
            List<String> logical = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String raw : Files.readAllLines(file)) {
                String line = raw.strip();
                if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
                    continue; // comments (also inside continuations) and blank lines
                }
                boolean continues = line.endsWith("\\");
                current.append(continues ? line.substring(0, line.length() - 1).strip() : line).append(' ');
                if (!continues) {
                    logical.add(current.toString().strip());
                    current.setLength(0);
                }
            }
            assertEquals(0, current.length(), "the Dockerfile ends inside a continuation");
            List<Stage> stages = new ArrayList<>();
            for (String line : logical) {
                String[] parts = line.split("\\s+", 2);
                String keyword = parts[0].toUpperCase(Locale.ROOT);
                String args = parts.length > 1 ? parts[1].strip() : "";
                if (keyword.equals("FROM")) {
                    String[] from = args.split("\\s+");
                    String name = from.length == 3 && from[1].equalsIgnoreCase("AS") ? from[2] : null;
                    stages.add(new Stage(from[0], name, new ArrayList<>()));
                } else {
                    assertFalse(stages.isEmpty(), "instruction before FROM: " + line);
                    last(stages).instructions().add(new Instruction(keyword, args));
                }
            }
            return new Dockerfile(stages);
        }

        Stage stage(String name) {
            return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                    .orElseThrow(() -> new AssertionError("no stage named " + name));
        }
    }
}
