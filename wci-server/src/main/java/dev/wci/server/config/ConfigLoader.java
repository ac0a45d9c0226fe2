package dev.wci.server.config;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.lease.LeaseSettings;
import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.core.version.TaskQueueType;
import dev.wci.lambda.arn.InvalidArnException;
import dev.wci.server.scrape.MatchingMetricsSettings;
import dev.wci.lambda.arn.LambdaFunctionArn;
import dev.wci.server.config.Kinds.HostPort;
import dev.wci.server.config.NodeReader.Mapping;
import dev.wci.server.config.NodeReader.Scalar;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads and checks a {@code wci.yaml} file (reference: {@code docs/configuration.md}).
 *
 * <p>Every mistake is collected, with its file, line, column and field path, and thrown at the end as one
 * {@link ConfigException}: unknown keys (with the closest allowed key), wrong types, unset environment
 * variables, malformed or mutable Lambda targets, duplicate names and targets, and the limits of the
 * scaling policy and the assume-role settings. Secrets (the Temporal API key, the push token, external IDs)
 * never appear in a message.
 *
 * <p>{@code ${NAME}} and {@code ${NAME:-default}} in a value are replaced from the environment before the
 * value is read; {@code $${} is a literal {@code ${}. A value that is empty (after interpolation) counts as
 * not written.
 */
public final class ConfigLoader {

    static final List<String> ROOT_KEYS =
            List.of("temporal", "aws", "limits", "scaling", "http", "signals", "logging", "deployments", "ha");
    static final List<String> TEMPORAL_KEYS =
            List.of("address", "namespace", "apiKey", "tls", "describeBudgetPerSecond", "rpcTimeout");
    static final List<String> TLS_KEYS = List.of("serverCaFile", "clientCertFile", "clientKeyFile", "serverName");
    static final List<String> AWS_KEYS =
            List.of("region", "endpoint", "stsEndpoint", "assumeRole", "invokeTimeout", "maxRetries");
    static final List<String> LIMITS_KEYS = List.of("maxWorkersTotal", "workerSecondsPerHourTotal", "maxInFlightInvokes");
    static final List<String> HTTP_KEYS = List.of("listen");
    static final List<String> SIGNALS_KEYS = List.of("temporalStats", "push", "matchingMetrics", "census",
            "lambdaEndpoint");
    static final List<String> CENSUS_KEYS =
            List.of("enabled", "activeInterval", "idleInterval", "idleAfter", "readsPerSecond", "maxPages");
    static final List<String> MATCHING_METRICS_KEYS = List.of("enabled", "endpoints", "interval", "timeout", "metricPrefix",
            "maxSeries", "maxTasksPerSecond");
    static final List<String> TEMPORAL_STATS_KEYS = List.of("enabled", "activeInterval", "idleInterval", "idleAfter");
    static final List<String> PUSH_KEYS = List.of("enabled", "listen", "token");
    static final List<String> LAMBDA_ENDPOINT_KEYS = List.of("enabled", "listen", "accessKeyId", "secretAccessKey");
    static final List<String> LOGGING_KEYS = List.of("format", "level");
    static final List<String> HA_KEYS = List.of("enabled", "identity", "leaseTtl", "renewInterval");
    static final List<String> DEPLOYMENT_KEYS = List.of("name", "targetsFromMetadata", "scaling", "versions");
    static final List<String> VERSION_KEYS =
            List.of("buildId", "target", "allowMutableTarget", "taskQueueTypes", "assumeRole");

    /** The Temporal server's default limit of describe calls per second per namespace. */
    static final double MAX_DESCRIBE_BUDGET = 50;
    static final int MIN_PUSH_TOKEN_LENGTH = 16;
    static final int MAX_IN_FLIGHT_INVOKES = 10_000;
    /** Largest configuration file read; a real one is a few KiB, and SnakeYAML holds all of it in memory. */
    static final int MAX_FILE_BYTES = 1024 * 1024;

    private static final String PROVIDER = "aws-lambda";
    private static final String QUALIFIED_ARN = "a version-qualified Lambda function ARN (...:function:NAME:VERSION)";

    private final Function<String, String> env;

    /**
     * @param env looks up an environment variable, null when unset; the server passes {@code System::getenv}
     */
    public ConfigLoader(Function<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    /**
     * Reads, interpolates and checks {@code file}. Relative file paths inside it ({@code temporal.tls.*File})
     * are resolved against the file's directory.
     *
     * @throws ConfigException with every mistake found, each on one line
     */
    public WciConfig load(Path file) throws ConfigException {
        NodeReader r = new NodeReader(file, new Interpolator(env));
        Optional<Node> root = compose(r, file);
        if (root.isEmpty()) {
            throw new ConfigException(r.errors());
        }
        WciConfig config = new Reading(r, file, env).read(root.get());
        if (r.hasErrors()) {
            throw new ConfigException(r.errors());
        }
        return config;
    }

    /** A replica's default identity: the host name (the {@code HOSTNAME} variable, else the system's) and the pid. */
    public static String defaultIdentity(Function<String, String> env) {
        String host = env.apply("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "localhost";
            }
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    private static Optional<Node> compose(NodeReader r, Path file) {
        ConfigLocation wholeFile = new ConfigLocation(file, 0, 0);
        String expected = "a readable configuration file";
        String text;
        try {
            if (Files.isDirectory(file)) {
                r.error(wholeFile, "", expected, "a directory");
                return Optional.empty();
            }
            if (Files.isRegularFile(file) && Files.size(file) > MAX_FILE_BYTES) {
                r.error(wholeFile, "", "a configuration file of at most 1 MiB", "a file of " + Files.size(file)
                        + " bytes");
                return Optional.empty();
            }
            text = readAtMost(file);
            if (text == null) {
                r.error(wholeFile, "", "a configuration file of at most 1 MiB", "more than " + MAX_FILE_BYTES
                        + " bytes");
                return Optional.empty();
            }
        } catch (NoSuchFileException e) {
            r.error(wholeFile, "", expected, "no such file");
            return Optional.empty();
        } catch (AccessDeniedException e) {
            r.error(wholeFile, "", expected, "a file this process may not read (permission denied)");
            return Optional.empty();
        } catch (CharacterCodingException e) {
            r.error(wholeFile, "", "a UTF-8 text file", "bytes that are not UTF-8");
            return Optional.empty();
        } catch (IOException e) {
            r.error(wholeFile, "", expected, "an error reading it (" + e.getMessage() + ")");
            return Optional.empty();
        }
        try {
            LoaderOptions options = new LoaderOptions();
            options.setCodePointLimit(MAX_FILE_BYTES);
            Node root = new Yaml(options).compose(new StringReader(text));
            if (root == null) {
                r.error(new ConfigLocation(file, 1, 1), "", "a mapping with the sections temporal and deployments",
                        "an empty file");
                return Optional.empty();
            }
            return Optional.of(root);
        } catch (MarkedYAMLException e) {
            Mark at = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String context = e.getContext() == null ? ""
                    : " (" + e.getContext() + (e.getContextMark() == null || e.getContextMark() == at ? ""
                    : " at " + (e.getContextMark().getLine() + 1) + ":" + (e.getContextMark().getColumn() + 1)) + ")";
            r.error(r.at(at), "", "valid YAML", "a syntax error: " + Objects.toString(e.getProblem(), e.getMessage()) + context);
            return Optional.empty();
        } catch (YAMLException e) {
            r.error(wholeFile, "", "valid YAML", "a syntax error: " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The file as UTF-8, or null when it holds more than {@link #MAX_FILE_BYTES} (a pipe or device has no size to
     * check up front, so only that much is ever read).
     */
    private static String readAtMost(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            return null;
        }
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
    }

    /** One load: the reader with its errors, and the cross-checks that span deployments. */
    private static final class Reading {
        private final NodeReader r;
        private final Function<String, String> env;
        private final Path baseDir;
        private final Map<String, Owner> targetOwners = new HashMap<>();

        /** Which Temporal version a Lambda target was first mapped to, and where. */
        private record Owner(String deployment, String buildId, ConfigLocation location) {
        }

        Reading(NodeReader r, Path file, Function<String, String> env) {
            this.r = r;
            this.env = env;
            Path parent = file.toAbsolutePath().getParent();
            this.baseDir = parent == null ? Path.of("").toAbsolutePath() : parent;
        }

        WciConfig read(Node rootNode) {
            Optional<Mapping> rootMapping = r.mapping(rootNode, "", "a mapping with the sections temporal and deployments",
                    ROOT_KEYS);
            if (rootMapping.isEmpty()) {
                return null;
            }
            Mapping root = rootMapping.get();
            TemporalConfig temporal = temporal(root);
            AwsConfig aws = aws(section(root, "aws", AWS_KEYS));
            Mapping limits = section(root, "limits", LIMITS_KEYS);
            Mapping scaling = section(root, "scaling", ScalingSection.KEYS, ScalingSection.TOTAL_KEYS);
            ScalingSection.rejectTotals(r, scaling, "the global scaling section");
            List<ScalingSection.Setting> settings = new ArrayList<>(ScalingSection.read(r, limits, ScalingSection.TOTALS));
            settings.addAll(ScalingSection.read(r, scaling, ScalingSection.FIELDS));
            ScalingPolicy policy = ScalingSection.apply(r, ScalingPolicy.defaults(), settings, scaling.node(), scaling.path());
            int maxInFlight = r.value(limits, "maxInFlightInvokes",
                    Kinds.integer(1, MAX_IN_FLIGHT_INVOKES, "an integer from 1 to " + MAX_IN_FLIGHT_INVOKES), 64);
            HttpConfig http = http(section(root, "http", HTTP_KEYS));
            SignalsConfig signals = signals(section(root, "signals", SIGNALS_KEYS));
            LoggingConfig logging = logging(section(root, "logging", LOGGING_KEYS));
            List<DeploymentConfig> deployments = deployments(root, policy);
            HaConfig ha = ha(section(root, "ha", HA_KEYS));
            if (r.hasErrors()) {
                return null;
            }
            return new WciConfig(r.file(), temporal, aws, new LimitsConfig(maxInFlight), policy, http, signals,
                    logging, deployments, ha);
        }

        /** An optional section: its mapping, or an empty one (so defaults apply) when absent or wrong. */
        private Mapping section(Mapping parent, String key, List<String> keys) {
            return section(parent, key, keys, List.of());
        }

        private Mapping section(Mapping parent, String key, List<String> keys, List<String> misplaced) {
            String expected = "a mapping with the keys " + String.join(", ", keys);
            return parent.rawValue(key)
                    .flatMap(node -> r.mapping(node, parent.path(key), expected, keys, misplaced))
                    .orElseGet(() -> r.absent(parent.keyNode(key).orElse(parent.node()), parent.path(key)));
        }

        // ---- temporal ----

        private TemporalConfig temporal(Mapping root) {
            Optional<Node> node = root.value("temporal");
            if (node.isEmpty()) {
                if (root.misspelt("temporal")) {
                    return null;
                }
                r.error(root.keyNode("temporal").orElse(root.node()), "temporal",
                        "a temporal section with at least the address of the Temporal frontend", "nothing");
                return null;
            }
            Optional<Mapping> mapping = r.mapping(node.get(), "temporal",
                    "a mapping with the keys " + String.join(", ", TEMPORAL_KEYS), TEMPORAL_KEYS);
            if (mapping.isEmpty()) {
                return null;
            }
            Mapping m = mapping.get();
            Optional<HostPort> address = r.required(m, "address",
                    Kinds.hostPort(1, "host:port of the Temporal frontend, like 127.0.0.1:7233"));
            String namespace = r.value(m, "namespace", Kinds.text("a namespace name"), "default");
            Optional<Secret> apiKey = r.value(m, "apiKey", Kinds.text("an API key").asSecret()).map(Secret::new);
            Optional<TemporalConfig.TlsConfig> tls = m.has("tls") ? tls(section(m, "tls", TLS_KEYS)) : Optional.empty();
            double budget = r.value(m, "describeBudgetPerSecond", Kinds.number(v -> v > 0 && v <= MAX_DESCRIBE_BUDGET,
                    "a number of describe calls per second above 0 and at most 50 (the Temporal server's default "
                            + "limit per namespace)"), 10.0);
            Duration rpcTimeout = r.value(m, "rpcTimeout", Kinds.positiveDuration(), Duration.ofSeconds(10));
            return address.map(a -> new TemporalConfig(hostPortText(a), namespace, tls, apiKey, budget, rpcTimeout))
                    .orElse(null);
        }

        private Optional<TemporalConfig.TlsConfig> tls(Mapping m) {
            int before = r.errorCount();
            Optional<Path> ca = readableFile(m, "serverCaFile",
                    "a readable PEM file of the CA certificates that sign the server's certificate");
            int beforeCert = r.errorCount();
            Optional<Path> cert = readableFile(m, "clientCertFile", "a readable PEM file of the client certificate");
            // A file that was written but failed its check still counts as written: no second error for the pair.
            boolean certWritten = cert.isPresent() || r.errorCount() != beforeCert;
            int beforeKey = r.errorCount();
            Optional<Path> key = readableFile(m, "clientKeyFile", "a readable PEM file of the client's private key");
            boolean keyWritten = key.isPresent() || r.errorCount() != beforeKey;
            if (certWritten && !keyWritten) {
                r.error(m.node(), m.path("clientKeyFile"),
                        "a client key file to go with clientCertFile (mTLS needs both, or neither)", "nothing");
            } else if (keyWritten && !certWritten) {
                r.error(m.node(), m.path("clientCertFile"),
                        "a client certificate file to go with clientKeyFile (mTLS needs both, or neither)", "nothing");
            }
            Optional<String> serverName = r.value(m, "serverName", Kinds.text("the host name the server's certificate names"));
            if (r.errorCount() != before) {
                return Optional.empty();
            }
            return Optional.of(new TemporalConfig.TlsConfig(ca, cert, key, serverName));
        }

        /** A file named relative to the configuration file's directory, which must be readable now. */
        private Optional<Path> readableFile(Mapping m, String key, String expected) {
            return r.scalar(m, key, expected, false).flatMap(s -> {
                Path resolved;
                try {
                    resolved = baseDir.resolve(s.text()).normalize();
                } catch (InvalidPathException e) {
                    r.error(s.node(), m.path(key), expected, NodeReader.found(s, false) + ", which is not a file path");
                    return Optional.empty();
                }
                String problem = !Files.exists(resolved) ? "which does not exist"
                        : !Files.isRegularFile(resolved) ? "which is not a regular file"
                        : !Files.isReadable(resolved) ? "which this process may not read" : null;
                if (problem != null) {
                    r.error(s.node(), m.path(key), expected, NodeReader.found(s, false)
                            + (s.text().equals(resolved.toString()) ? ", " : " (" + resolved + "), ") + problem);
                    return Optional.empty();
                }
                return Optional.of(resolved);
            });
        }

        // ---- aws ----

        private AwsConfig aws(Mapping m) {
            Optional<String> region = r.value(m, "region", Kinds.region());
            Optional<URI> endpoint = r.value(m, "endpoint",
                    Kinds.httpUri("an absolute http or https URL of the Lambda API, like http://127.0.0.1:9001"));
            Optional<URI> stsEndpoint = r.value(m, "stsEndpoint",
                    Kinds.httpUri("an absolute http or https URL of the STS API"));
            Optional<AssumeRoleSection.Role> role = m.value("assumeRole")
                    .flatMap(node -> AssumeRoleSection.read(r, node, m.path("assumeRole")));
            Duration invokeTimeout = r.value(m, "invokeTimeout", Kinds.positiveDuration(), Duration.ofSeconds(10));
            int maxRetries = r.value(m, "maxRetries", Kinds.integer(0, 10, "an integer from 0 to 10"), 2);
            return new AwsConfig(region, endpoint, stsEndpoint, role.map(AssumeRoleSection.Role::settings),
                    invokeTimeout, maxRetries);
        }

        // ---- http, signals, logging ----

        private HttpConfig http(Mapping m) {
            HostPort listen = r.value(m, "listen", Kinds.hostPort(0,
                    "host:port to listen on, like 127.0.0.1:8080 (port 0 picks a free port)"), new HostPort("127.0.0.1", 8080));
            return new HttpConfig(listen.host(), listen.port());
        }

        private SignalsConfig signals(Mapping m) {
            Mapping stats = section(m, "temporalStats", TEMPORAL_STATS_KEYS);
            SignalsConfig.TemporalStats temporalStats = new SignalsConfig.TemporalStats(
                    r.value(stats, "enabled", Kinds.bool(), true),
                    r.value(stats, "activeInterval", Kinds.positiveDuration(), Duration.ofSeconds(1)),
                    r.value(stats, "idleInterval", Kinds.positiveDuration(), Duration.ofSeconds(10)),
                    r.value(stats, "idleAfter", Kinds.positiveDuration(), Duration.ofSeconds(60)));
            Mapping p = section(m, "push", PUSH_KEYS);
            boolean enabled = r.value(p, "enabled", Kinds.bool(), false);
            HostPort listen = r.value(p, "listen", Kinds.hostPort(0,
                    "host:port to listen on, like 127.0.0.1:7939 (port 0 picks a free port)"), new HostPort("127.0.0.1", 7939));
            String tokenExpected = "a token of at least " + MIN_PUSH_TOKEN_LENGTH + " characters";
            int before = r.errorCount();
            Optional<Scalar> tokenScalar = r.scalar(p, "token", tokenExpected, true);
            Optional<Secret> token = Optional.empty();
            if (tokenScalar.isPresent()) {
                Scalar s = tokenScalar.get();
                if (s.text().length() < MIN_PUSH_TOKEN_LENGTH) {
                    r.error(s.node(), p.path("token"), tokenExpected, "a shorter value");
                } else {
                    token = Optional.of(new Secret(s.text()));
                }
            } else if (enabled && r.errorCount() == before) {
                r.error(p.keyNode("token").orElse(p.node()), p.path("token"), tokenExpected
                        + " when push is enabled (producers must authenticate)", "nothing");
            }
            return new SignalsConfig(temporalStats, new SignalsConfig.Push(enabled, listen.host(), listen.port(), token),
                    matchingMetrics(section(m, "matchingMetrics", MATCHING_METRICS_KEYS)),
                    census(section(m, "census", CENSUS_KEYS)),
                    lambdaEndpoint(section(m, "lambdaEndpoint", LAMBDA_ENDPOINT_KEYS)));
        }

        private SignalsConfig.LambdaEndpoint lambdaEndpoint(Mapping m) {
            SignalsConfig.LambdaEndpoint d = SignalsConfig.LAMBDA_ENDPOINT_OFF;
            boolean enabled = r.value(m, "enabled", Kinds.bool(), false);
            HostPort listen = r.value(m, "listen", Kinds.hostPort(0,
                    "host:port to listen on, like 127.0.0.1:7940 (port 0 picks a free port)"),
                    new HostPort(d.host(), d.port()));
            int before = r.errorCount();
            Optional<String> keyId = r.value(m, "accessKeyId", Kinds.text("the AWS access key ID the Temporal"
                    + " server signs its Lambda calls with"));
            Optional<Secret> secret = r.value(m, "secretAccessKey", Kinds.text("its secret access key").asSecret())
                    .map(Secret::new);
            if (enabled && r.errorCount() == before) {
                if (keyId.isEmpty()) {
                    r.error(m.keyNode("accessKeyId").orElse(m.node()), m.path("accessKeyId"), "the access key ID"
                            + " the Temporal server signs with, when lambdaEndpoint is enabled", "nothing");
                }
                if (secret.isEmpty()) {
                    r.error(m.keyNode("secretAccessKey").orElse(m.node()), m.path("secretAccessKey"), "the secret"
                            + " access key the Temporal server signs with, when lambdaEndpoint is enabled", "nothing");
                }
            }
            return new SignalsConfig.LambdaEndpoint(enabled, listen.host(), listen.port(), keyId, secret);
        }

        private SignalsConfig.Census census(Mapping m) {
            SignalsConfig.Census d = SignalsConfig.DEFAULT_CENSUS;
            return new SignalsConfig.Census(
                    r.value(m, "enabled", Kinds.bool(), d.enabled()),
                    r.value(m, "activeInterval", Kinds.positiveDuration(), d.activeInterval()),
                    r.value(m, "idleInterval", Kinds.positiveDuration(), d.idleInterval()),
                    r.value(m, "idleAfter", Kinds.positiveDuration(), d.idleAfter()),
                    r.value(m, "readsPerSecond", Kinds.number(v -> v > 0 && v <= 10,
                            "a number of ListWorkers calls per second above 0 and at most 10 (the Temporal server's "
                                    + "default visibility limit per namespace)"), d.readsPerSecond()),
                    r.value(m, "maxPages", Kinds.integer(1, 100, "an integer from 1 to 100"), d.maxPages()));
        }

        private SignalsConfig.MatchingMetrics matchingMetrics(Mapping m) {
            boolean enabled = r.value(m, "enabled", Kinds.bool(), false);
            String path = m.path("endpoints");
            String expected = "a list of http(s) URLs of the matching service's metrics, like http://matching:9090/metrics";
            List<URI> endpoints = new ArrayList<>();
            m.value("endpoints").flatMap(n -> r.sequence(n, path, expected)).ifPresent(items -> {
                NodeReader.Kind<URI> kind = Kinds.httpUri(expected);
                for (int i = 0; i < items.size(); i++) {
                    String itemPath = path + "[" + i + "]";
                    r.scalar(items.get(i), itemPath, kind.expected(), false)
                            .flatMap(sc -> r.parse(sc, itemPath, kind)).ifPresent(endpoints::add);
                }
            });
            if (enabled && endpoints.isEmpty() && r.errorCount() == 0) {
                r.error(m.keyNode("endpoints").orElse(m.node()), path, expected + " when matchingMetrics is enabled",
                        "nothing");
            }
            Duration interval = r.value(m, "interval", Kinds.positiveDuration(), Duration.ofMillis(500));
            if (interval.compareTo(MatchingMetricsSettings.MIN_INTERVAL) < 0) {
                r.error(m.value("interval").orElse(m.node()), m.path("interval"), "a duration of at least "
                        + MatchingMetricsSettings.MIN_INTERVAL.toMillis() + "ms", interval.toMillis() + "ms");
                interval = MatchingMetricsSettings.MIN_INTERVAL;
            }
            Duration timeout = r.value(m, "timeout", Kinds.positiveDuration(), Duration.ofSeconds(1));
            String prefix = r.value(m, "metricPrefix", Kinds.text("a metric name prefix"), "");
            int maxSeries = r.value(m, "maxSeries", Kinds.integer(MatchingMetricsSettings.MIN_MAX_SERIES,
                    MatchingMetricsSettings.MAX_MAX_SERIES, "an integer from " + MatchingMetricsSettings.MIN_MAX_SERIES
                            + " to " + MatchingMetricsSettings.MAX_MAX_SERIES), MatchingMetricsSettings.DEFAULT_MAX_SERIES);
            double maxTasksPerSecond = r.value(m, "maxTasksPerSecond", Kinds.number(
                    v -> v > 0 && v <= MatchingMetricsSettings.MAX_MAX_TASKS_PER_SECOND,
                    "a number above 0, at most 1e9"), MatchingMetricsSettings.DEFAULT_MAX_TASKS_PER_SECOND);
            if (enabled && !endpoints.isEmpty()) {
                try {
                    // The source's own rules (interval floor, distinct endpoints, prefix syntax), checked now.
                    new MatchingMetricsSettings(endpoints, interval, timeout, "namespace", prefix, maxSeries,
                            maxTasksPerSecond);
                } catch (IllegalArgumentException e) {
                    r.error(m.node(), m.path(), "usable matching-metrics settings",
                            e.getMessage());
                }
            }
            return new SignalsConfig.MatchingMetrics(enabled, endpoints, interval, timeout, prefix, maxSeries,
                    maxTasksPerSecond);
        }

        private LoggingConfig logging(Mapping m) {
            LoggingConfig.Format format = r.value(m, "format", Kinds.oneOf(
                    Map.of("text", LoggingConfig.Format.TEXT, "json", LoggingConfig.Format.JSON), "text or json"),
                    LoggingConfig.Format.TEXT);
            Map<String, String> levels = new LinkedHashMap<>();
            for (String level : List.of("trace", "debug", "info", "warn", "error", "off")) {
                levels.put(level, level.toUpperCase(Locale.ROOT));
            }
            String level = r.value(m, "level", Kinds.oneOf(levels, "one of trace, debug, info, warn, error, off"), "INFO");
            return new LoggingConfig(format, level);
        }

        private HaConfig ha(Mapping m) {
            boolean enabled = r.value(m, "enabled", Kinds.bool(), false);
            String identity = r.value(m, "identity", Kinds.text("a replica name unique among the replicas, like "
                    + "wci-a"), defaultIdentity(env));
            Duration ttl = r.value(m, "leaseTtl", Kinds.positiveDuration(), HaConfig.DEFAULT_TTL);
            Duration renew = r.value(m, "renewInterval", Kinds.positiveDuration(), HaConfig.DEFAULT_RENEW);
            if (ttl.compareTo(LeaseSettings.MIN_TTL) < 0) {
                r.error(m.value("leaseTtl").orElse(m.node()), m.path("leaseTtl"), "a duration of at least "
                        + Kinds.format(LeaseSettings.MIN_TTL), Kinds.format(ttl));
            } else if (renew.multipliedBy(3).compareTo(ttl) > 0) {
                r.error(m.value("renewInterval").orElse(m.node()), m.path("renewInterval"),
                        "at most a third of ha.leaseTtl (" + Kinds.format(ttl.dividedBy(3))
                                + "), so one failed renewal never loses a lease", Kinds.format(renew));
            }
            return new HaConfig(enabled, identity, ttl, renew);
        }

        // ---- deployments ----

        private List<DeploymentConfig> deployments(Mapping root, ScalingPolicy global) {
            Optional<Node> node = root.value("deployments");
            String expected = "a list of deployments, each with a name and its versions";
            if (node.isEmpty()) {
                if (root.misspelt("deployments")) {
                    return List.of();
                }
                r.error(root.keyNode("deployments").orElse(root.node()), "deployments", expected, "nothing");
                return List.of();
            }
            Optional<List<Node>> items = r.sequence(node.get(), "deployments", expected);
            if (items.isEmpty()) {
                return List.of();
            }
            if (items.get().isEmpty()) {
                r.error(node.get(), "deployments", "at least one deployment", "an empty list");
                return List.of();
            }
            List<DeploymentConfig> result = new ArrayList<>();
            Map<String, ConfigLocation> names = new HashMap<>();
            for (int i = 0; i < items.get().size(); i++) {
                deployment(items.get().get(i), "deployments[" + i + "]", global, names).ifPresent(result::add);
            }
            return result;
        }

        private Optional<DeploymentConfig> deployment(Node node, String path, ScalingPolicy global,
                                                      Map<String, ConfigLocation> names) {
            Optional<Mapping> mapping = r.mapping(node, path, "a mapping with the keys " + String.join(", ", DEPLOYMENT_KEYS),
                    DEPLOYMENT_KEYS);
            if (mapping.isEmpty()) {
                return Optional.empty();
            }
            Mapping m = mapping.get();
            Optional<Scalar> name = r.requiredScalar(m, "name", "the name of a Temporal Worker Deployment", false);
            name.ifPresent(s -> {
                ConfigLocation first = names.putIfAbsent(s.text(), r.at(s.node()));
                if (first != null) {
                    r.error(s.node(), m.path("name"), "each deployment name once",
                            NodeReader.found(s, false) + " again (first at " + NodeReader.lineColumn(first) + ")");
                }
            });
            boolean fromMetadata = r.value(m, "targetsFromMetadata", Kinds.bool(), false);
            Mapping scaling = section(m, "scaling", ScalingSection.KEYS, ScalingSection.TOTAL_KEYS);
            ScalingSection.rejectTotals(r, scaling, "a deployment's scaling section (it sets per-version values)");
            ScalingPolicy policy = ScalingSection.apply(r, global, ScalingSection.read(r, scaling, ScalingSection.FIELDS),
                    scaling.node(), scaling.path());
            List<VersionConfig> versions = versions(m, name.map(Scalar::text).orElse("?"), fromMetadata);
            return name.map(n -> new DeploymentConfig(n.text(), policy, fromMetadata, versions, r.at(m.node())));
        }

        private List<VersionConfig> versions(Mapping deployment, String deploymentName, boolean fromMetadata) {
            String path = deployment.path("versions");
            String needed = "at least one version (or targetsFromMetadata: true)";
            Optional<Node> node = deployment.value("versions");
            if (node.isEmpty()) {
                if (!fromMetadata && !deployment.misspelt("versions")) {
                    r.error(deployment.keyNode("versions").orElse(deployment.node()), path, needed, "nothing");
                }
                return List.of();
            }
            Optional<List<Node>> items = r.sequence(node.get(), path, "a list of versions, each with a buildId and a target");
            if (items.isEmpty()) {
                return List.of();
            }
            if (items.get().isEmpty() && !fromMetadata) {
                r.error(node.get(), path, needed, "an empty list");
            }
            List<VersionConfig> result = new ArrayList<>();
            Map<String, ConfigLocation> buildIds = new HashMap<>();
            for (int i = 0; i < items.get().size(); i++) {
                version(items.get().get(i), path + "[" + i + "]", deploymentName, buildIds).ifPresent(result::add);
            }
            return result;
        }

        private Optional<VersionConfig> version(Node node, String path, String deploymentName,
                                                Map<String, ConfigLocation> buildIds) {
            Optional<Mapping> mapping = r.mapping(node, path, "a mapping with the keys " + String.join(", ", VERSION_KEYS),
                    VERSION_KEYS);
            if (mapping.isEmpty()) {
                return Optional.empty();
            }
            Mapping m = mapping.get();
            int before = r.errorCount();
            Optional<Scalar> buildId = r.requiredScalar(m, "buildId", "the build ID of a Temporal Worker Deployment Version", false);
            buildId.ifPresent(s -> {
                ConfigLocation first = buildIds.putIfAbsent(s.text(), r.at(s.node()));
                if (first != null) {
                    r.error(s.node(), m.path("buildId"), "each buildId once in a deployment (one Temporal version maps "
                            + "to exactly one Lambda version)", NodeReader.found(s, false) + " again (first at " + NodeReader.lineColumn(first) + ")");
                }
            });
            boolean allowMutable = r.value(m, "allowMutableTarget", Kinds.bool(), false);
            Optional<String> target = r.requiredScalar(m, "target", QUALIFIED_ARN, false)
                    .flatMap(s -> target(s, m.path("target"), allowMutable, deploymentName,
                            buildId.map(Scalar::text).orElse("?")));
            Set<TaskQueueType> types = m.value("taskQueueTypes")
                    .map(n -> taskQueueTypes(n, m.path("taskQueueTypes")))
                    .orElse(EnumSet.allOf(TaskQueueType.class));
            Map<String, String> settings = m.value("assumeRole")
                    .flatMap(n -> AssumeRoleSection.read(r, n, m.path("assumeRole")))
                    .map(AssumeRoleSection.Role::targetSettings)
                    .orElse(Map.of());
            // A misspelt buildId or target was reported with the mapping's keys, before "before": check both.
            if (r.errorCount() != before || buildId.isEmpty() || target.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new VersionConfig(buildId.get().text(),
                    new ComputeTarget(PROVIDER, target.get(), allowMutable, settings), types, r.at(m.node())));
        }

        private Optional<String> target(Scalar s, String path, boolean allowMutable, String deployment, String buildId) {
            LambdaFunctionArn arn;
            try {
                arn = LambdaFunctionArn.parse(s.text());
            } catch (InvalidArnException e) {
                r.error(s.node(), path, QUALIFIED_ARN, NodeReader.found(s, false) + ": " + e.getMessage());
                return Optional.empty();
            }
            if (arn.kind().isMutable() && !allowMutable) {
                r.error(s.node(), path, QUALIFIED_ARN, NodeReader.found(s, false) + ", " + mutableExplanation(arn));
                return Optional.empty();
            }
            Owner first = targetOwners.putIfAbsent(arn.arn(), new Owner(deployment, buildId, r.at(s.node())));
            if (first != null) {
                r.error(s.node(), path, "each Lambda function version to run one Temporal version",
                        NodeReader.found(s, false) + ", already the target of " + first.deployment() + "/"
                                + first.buildId() + " at " + NodeReader.lineColumn(first.location()));
                return Optional.empty();
            }
            return Optional.of(arn.arn());
        }

        private static String mutableExplanation(LambdaFunctionArn arn) {
            String what = switch (arn.kind()) {
                case NONE -> "which is unqualified, so Lambda runs $LATEST";
                case LATEST -> "which names $LATEST, the function's unpublished code";
                case ALIAS -> "which names the alias \"" + arn.qualifier() + "\", which can be repointed at any time";
                case PUBLISHED_VERSION -> throw new IllegalStateException("a published version is immutable");
            };
            return what + ": code that changes under running workflows breaks Pinned ones with non-determinism errors "
                    + "(see docs/targets.md); publish a version and use its ARN (" + arn.unqualifiedArn()
                    + ":<version>), or set allowMutableTarget: true (development only)";
        }

        private Set<TaskQueueType> taskQueueTypes(Node node, String path) {
            String expected = "a list of task queue types from workflow, activity, nexus";
            Optional<List<Node>> items = r.sequence(node, path, expected);
            if (items.isEmpty()) {
                return EnumSet.allOf(TaskQueueType.class);
            }
            if (items.get().isEmpty()) {
                r.error(node, path, "at least one of workflow, activity, nexus (leave the key out for all)", "an empty list");
                return EnumSet.allOf(TaskQueueType.class);
            }
            Map<String, TaskQueueType> byName = new LinkedHashMap<>();
            for (TaskQueueType type : TaskQueueType.values()) {
                byName.put(type.name().toLowerCase(Locale.ROOT), type);
            }
            NodeReader.Kind<TaskQueueType> kind = Kinds.oneOf(byName, "workflow, activity or nexus");
            Set<TaskQueueType> types = EnumSet.noneOf(TaskQueueType.class);
            for (int i = 0; i < items.get().size(); i++) {
                String itemPath = path + "[" + i + "]";
                Node item = items.get().get(i);
                if (NodeReader.isNull(item)) {
                    r.error(item, itemPath, kind.expected(), "nothing");
                    continue;
                }
                r.scalar(item, itemPath, kind.expected(), false)
                        .ifPresent(s -> r.parse(s, itemPath, kind).ifPresent(type -> {
                            if (!types.add(type)) {
                                r.error(s.node(), itemPath, "each task queue type once", NodeReader.found(s, false) + " again");
                            }
                        }));
            }
            return types;
        }

        private static String hostPortText(HostPort a) {
            return a.host().contains(":") ? "[" + a.host() + "]:" + a.port() : a.host() + ":" + a.port();
        }
    }
}
