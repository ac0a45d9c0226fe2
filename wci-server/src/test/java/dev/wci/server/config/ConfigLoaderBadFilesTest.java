package dev.wci.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file under {@code config/bad} against the exact message the loader must print: file, line, column,
 * field path, what was expected and what was found, every mistake of the file and nothing else.
 */
class ConfigLoaderBadFilesTest {

    static final Path DIR = Path.of("src/test/resources/config/bad");

    /** Variables the bad files may read; the values here must never show up in a message. */
    static final Map<String, String> ENV = Map.of(
            "WCI_PUSH_TOKEN", "tooShort1",
            "ORDERS_EXTERNAL_ID", "ext-id-0451",
            "TEMPORAL_NAMESPACE", "");

    private static final String QUALIFIED = "expected a version-qualified Lambda function ARN (...:function:NAME:VERSION)";
    private static final String FIX = ": code that changes under running workflows breaks Pinned ones with "
            + "non-determinism errors (see docs/targets.md); publish a version and use its ARN "
            + "(arn:aws:lambda:us-east-1:123456789012:function:%s:<version>), or set allowMutableTarget: true "
            + "(development only)";

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("unknown-key-typo.yaml", List.of(
                        "2:3: temporal.adress: expected one of the keys address, namespace, apiKey, tls, "
                                + "describeBudgetPerSecond, rpcTimeout, found unknown key \"adress\" (did you mean \"address\"?)",
                        "8:9: deployments[0].versions[0].taskQueueType: expected one of the keys buildId, target, "
                                + "allowMutableTarget, taskQueueTypes, assumeRole, found unknown key \"taskQueueType\" "
                                + "(did you mean \"taskQueueTypes\"?)")),
                arguments("versions-typo.yaml", List.of(
                        "1:1: temporl: expected one of the keys temporal, aws, limits, scaling, http, signals, logging, "
                                + "deployments, ha, found unknown key \"temporl\" (did you mean \"temporal\"?)",
                        "5:5: deployments[0].version: expected one of the keys name, targetsFromMetadata, scaling, "
                                + "versions, found unknown key \"version\" (did you mean \"versions\"?)",
                        "9:15: deployments[1].versions: expected at least one version (or targetsFromMetadata: true), "
                                + "found an empty list")),
                arguments("ha-timing.yaml", List.of(
                        "7:18: ha.renewInterval: expected at most a third of ha.leaseTtl (2s), so one failed renewal "
                                + "never loses a lease, found 3s",
                        "8:3: ha.lease: expected one of the keys enabled, identity, leaseTtl, renewInterval, found "
                                + "unknown key \"lease\"")),
                arguments("ha-short-ttl.yaml", List.of(
                        "4:12: ha.enabled: expected true or false, found \"yes please\"",
                        "5:13: ha.leaseTtl: expected a duration of at least 3s, found 1s")),
                arguments("wrong-type.yaml", List.of(
                        "4:15: aws.maxRetries: expected an integer from 0 to 10, found \"two\"",
                        "6:23: limits.maxInFlightInvokes: expected an integer from 1 to 10000, found a list",
                        "9:26: deployments[0].targetsFromMetadata: expected true or false, found \"yes\"")),
                arguments("bad-duration.yaml", List.of(
                        "3:15: temporal.rpcTimeout: expected a positive duration like 500ms, 8s, 2m, found \"10\"",
                        "5:18: aws.invokeTimeout: expected a positive duration like 500ms, 8s, 2m, found \"1.5s\"",
                        "8:21: signals.temporalStats.activeInterval: expected a positive duration like 500ms, 8s, 2m, "
                                + "found \"0s\"")),
                arguments("missing-required.yaml", List.of(
                        "1:1: temporal: expected a temporal section with at least the address of the Temporal frontend, "
                                + "found nothing",
                        "4:5: deployments[0].name: expected the name of a Temporal Worker Deployment, found nothing",
                        "5:9: deployments[0].versions[0].target: " + QUALIFIED + ", found nothing",
                        "6:9: deployments[0].versions[1].buildId: expected the build ID of a Temporal Worker Deployment "
                                + "Version, found nothing")),
                arguments("unset-env.yaml", List.of(
                        "2:12: temporal.address: expected environment variable TEMPORAL_HOST to be set (or a default: "
                                + "${TEMPORAL_HOST:-default}), found it unset",
                        "4:11: temporal.apiKey: expected environment variable TEMPORAL_API_KEY to be set (or a default: "
                                + "${TEMPORAL_API_KEY:-default}), found it unset")),
                arguments("interpolation-syntax.yaml", List.of(
                        "3:14: temporal.namespace: expected ${NAME} or ${NAME:-default} (write $${ for a literal ${), "
                                + "found \"${1NS}\", which has a variable name that is not letters, digits and _ "
                                + "(not starting with a digit)",
                        "4:11: temporal.apiKey: expected ${NAME} or ${NAME:-default} (write $${ for a literal ${), "
                                + "found the value, which has a ${ without its closing }")),
                arguments("matching-metrics-no-endpoints.yaml", List.of(
                        "6:17: signals.matchingMetrics.endpoints[0]: expected a list of http(s) URLs of the matching "
                                + "service's metrics, like http://matching:9090/metrics, found \"ftp://matching:9090/metrics\"")),
                arguments("census.yaml", List.of(
                        "6:21: signals.census.readsPerSecond: expected a number of ListWorkers calls per second above 0 "
                                + "and at most 10 (the Temporal server's default visibility limit per namespace), found \"20\"",
                        "7:15: signals.census.maxPages: expected an integer from 1 to 100, found \"0\", which is too small (at least 1)",
                        "8:5: signals.census.pageSize: expected one of the keys enabled, activeInterval, idleInterval, "
                                + "idleAfter, readsPerSecond, maxPages, found unknown key \"pageSize\"")),
                arguments("matching-metrics-interval.yaml", List.of(
                        "7:15: signals.matchingMetrics.interval: expected a duration of at least 100ms, found 50ms")),
                arguments("matching-metrics-max-series.yaml", List.of(
                        "7:16: signals.matchingMetrics.maxSeries: expected an integer from 1 to 1000000, found \"0\", which is too small (at least 1)",
                        "8:24: signals.matchingMetrics.maxTasksPerSecond: expected a number above 0, at most 1e9, "
                                + "found \"-5\"")),
                arguments("matching-metrics-duplicate-endpoint.yaml", List.of(
                        "5:5: signals.matchingMetrics: expected usable matching-metrics settings, found endpoint "
                                + "'http://m:9090/metrics' is listed twice")),
                arguments("unqualified-arn.yaml", List.of(
                        "7:17: deployments[0].versions[0].target: " + QUALIFIED
                                + ", found \"arn:aws:lambda:us-east-1:123456789012:function:orders\", which is unqualified, "
                                + "so Lambda runs $LATEST" + FIX.formatted("orders"))),
                arguments("alias-arn.yaml", List.of(
                        "7:17: deployments[0].versions[0].target: " + QUALIFIED
                                + ", found \"arn:aws:lambda:us-east-1:123456789012:function:orders-worker:live\", which "
                                + "names the alias \"live\", which can be repointed at any time" + FIX.formatted("orders-worker"))),
                arguments("latest-arn.yaml", List.of(
                        "7:17: deployments[0].versions[0].target: " + QUALIFIED
                                + ", found \"arn:aws:lambda:us-east-1:123456789012:function:orders-worker:$LATEST\", which "
                                + "names $LATEST, the function's unpublished code" + FIX.formatted("orders-worker"))),
                arguments("malformed-arn.yaml", List.of(
                        "7:17: deployments[0].versions[0].target: " + QUALIFIED
                                + ", found \"arn:aws:lambda:us-east-1:12345678901:function:orders-worker:1\": the account "
                                + "ID '12345678901' in 'arn:aws:lambda:us-east-1:12345678901:function:orders-worker:1' "
                                + "is not 12 digits",
                        "9:17: deployments[0].versions[1].target: " + QUALIFIED + ", found \"orders-worker\": "
                                + "'orders-worker' is not a Lambda function ARN: expected "
                                + "arn:<partition>:lambda:<region>:<account-id>:function:<name>[:<qualifier>] "
                                + "(a bare function name is not enough: the region comes from the ARN)")),
                arguments("duplicate-target.yaml", List.of(
                        "11:17: deployments[1].versions[0].target: expected each Lambda function version to run one "
                                + "Temporal version, found \"arn:aws:lambda:us-east-1:123456789012:function:orders-worker:1\", "
                                + "already the target of orders/v1 at line 7, column 17")),
                arguments("duplicate-build-id.yaml", List.of(
                        "8:18: deployments[0].versions[1].buildId: expected each buildId once in a deployment (one "
                                + "Temporal version maps to exactly one Lambda version), found \"v1\" again "
                                + "(first at line 6, column 18)")),
                arguments("duplicate-deployment.yaml", List.of(
                        "8:11: deployments[1].name: expected each deployment name once, found \"orders\" again "
                                + "(first at line 4, column 11)")),
                arguments("duplicate-key.yaml", List.of(
                        "4:3: temporal.namespace: expected each key once, found \"namespace\" again "
                                + "(first at line 3, column 3)")),
                arguments("mtls-pair.yaml", List.of(
                        "4:5: temporal.tls.clientKeyFile: expected a client key file to go with clientCertFile (mTLS "
                                + "needs both, or neither), found nothing")),
                arguments("missing-ca-file.yaml", List.of(
                        "4:19: temporal.tls.serverCaFile: expected a readable PEM file of the CA certificates that sign "
                                + "the server's certificate, found \"certs/missing-ca.pem\" ("
                                + DIR.toAbsolutePath().resolve("certs/missing-ca.pem") + "), which does not exist")),
                arguments("push-without-token.yaml", List.of(
                        "5:5: signals.push.token: expected a token of at least 16 characters when push is enabled "
                                + "(producers must authenticate), found nothing")),
                arguments("lambda-endpoint-without-keys.yaml", List.of(
                        "5:5: signals.lambdaEndpoint.accessKeyId: expected the access key ID the Temporal server signs"
                                + " with, when lambdaEndpoint is enabled, found nothing",
                        "5:5: signals.lambdaEndpoint.secretAccessKey: expected the secret access key the Temporal"
                                + " server signs with, when lambdaEndpoint is enabled, found nothing")),
                arguments("push-short-token.yaml", List.of(
                        "6:12: signals.push.token: expected a token of at least 16 characters, found a shorter value")),
                arguments("yaml-syntax.yaml", List.of(
                        "8:6: expected valid YAML, found a syntax error: expected <block end>, but found "
                                + "'<block mapping start>' (while parsing a block mapping at 4:5)")),
                arguments("describe-budget.yaml", List.of(
                        "3:28: temporal.describeBudgetPerSecond: expected a number of describe calls per second above 0 "
                                + "and at most 50 (the Temporal server's default limit per namespace), found \"80\"")),
                arguments("per-deployment-total.yaml", List.of(
                        "4:3: scaling.workerSecondsPerHourTotal: expected workerSecondsPerHourTotal under limits (a total "
                                + "caps all deployments together), found it in the global scaling section",
                        "8:7: deployments[0].scaling.maxWorkersTotal: expected maxWorkersTotal under limits (a total caps "
                                + "all deployments together), found it in a deployment's scaling section (it sets "
                                + "per-version values)")),
                arguments("scaling-policy.yaml", List.of(
                        "4:20: limits.maxWorkersTotal: expected an integer from 1 to 1000000, found \"0\", which is too "
                                + "small (at least 1)",
                        "6:22: scaling.targetUtilization: expected a number above 0 and at most 1, found \"1.5\"",
                        "7:15: scaling.backoffMax: expected a duration not shorter than backoffBase (1s), found \"500ms\"",
                        "8:35: scaling.workerSecondsPerHourPerVersion: expected a number or unlimited, found \"none\"",
                        "12:21: deployments[0].scaling.initialBurst: expected an integer from 1 to 1000000, found \"0\", which is too small "
                                + "(at least 1)",
                        "13:20: deployments[0].scaling.backoffBase: expected a duration not longer than backoffMax (1m), "
                                + "found \"2m\"")),
                arguments("assume-role-secret.yaml", List.of(
                        "5:14: aws.assumeRole.roleArn: expected an IAM role ARN arn:<partition>:iam::<account-id>:role/<name>, "
                                + "found \"arn:aws:iam::123456789012:user/wci\"",
                        "14:23: deployments[0].versions[0].assumeRole.externalId: expected an external ID of 2 to 1224 "
                                + "letters, digits and +=,.@:/-, found the value",
                        "15:35: deployments[0].versions[0].assumeRole.sessionDurationSeconds: expected a whole number of "
                                + "seconds from 900 (15 minutes) to 43200 (12 hours), found \"60\", which is too small "
                                + "(at least 900)")),
                arguments("listen-and-types.yaml", List.of(
                        "2:12: temporal.address: expected host:port of the Temporal frontend, like 127.0.0.1:7233, "
                                + "found \"temporal\"",
                        "4:11: http.listen: expected host:port to listen on, like 127.0.0.1:8080 (port 0 picks a free "
                                + "port), found \"localhost\"",
                        "7:13: signals.push.listen: expected host:port to listen on, like 127.0.0.1:7939 (port 0 picks a "
                                + "free port), found \"127.0.0.1:99999\"",
                        "9:11: logging.format: expected text or json, found \"xml\"",
                        "10:10: logging.level: expected one of trace, debug, info, warn, error, off, found \"verbose\"",
                        "16:36: deployments[0].versions[0].taskQueueTypes[1]: expected workflow, activity or nexus, "
                                + "found \"timer\"",
                        "16:43: deployments[0].versions[0].taskQueueTypes[2]: expected each task queue type once, "
                                + "found \"workflow\" again")),
                arguments("merge-key.yaml", List.of(
                        "8:7: deployments[0].scaling.<<: expected one of the keys initialBurst, drainTarget, "
                                + "defaultWorkerThroughput, targetUtilization, coldStartDefault, shutdownBuffer, "
                                + "workerIdleExit, refreshMargin, observationMaxAge, maxWorkersPerVersion, "
                                + "invokeRatePerTarget, invokeBurstPerTarget, workerSecondsPerHourPerVersion, backoffBase, "
                                + "backoffMax, found a YAML merge key (<<), which is not supported: write the keys out, "
                                + "or reuse a whole value with an alias (*name)")),
                arguments("empty-deployments.yaml", List.of(
                        "3:14: deployments: expected at least one deployment, found an empty list")),
                arguments("not-a-mapping.yaml", List.of(
                        "1:1: expected a mapping with the sections temporal and deployments, found a list")),
                arguments("empty.yaml", List.of(
                        "1:1: expected a mapping with the sections temporal and deployments, found an empty file")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsEveryMistakeWithFileLineColumnPathExpectedAndFound(String name, List<String> expected) {
        Path file = DIR.resolve(name);
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(ENV::get).load(file));
        String want = expected.stream().map(line -> file + ":" + line).collect(Collectors.joining("\n"));
        assertEquals(want, e.getMessage());
        assertEquals(expected.size(), e.errors().size());
        for (String value : ENV.values()) {
            if (!value.isEmpty()) {
                assertFalse(e.getMessage().contains(value), "a secret from the environment leaked: " + value);
            }
        }
    }

    @Test
    void everyBadFileHasItsExpectedMessage() throws IOException {
        Set<String> covered = cases().map(a -> (String) a.get()[0]).collect(Collectors.toCollection(TreeSet::new));
        try (Stream<Path> files = Files.list(DIR)) {
            Set<String> present = files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(present, covered);
        }
    }

    @Test
    void secretsWrittenInTheFileNeverAppearInMessages() {
        ConfigException role = assertThrows(ConfigException.class,
                () -> new ConfigLoader(ENV::get).load(DIR.resolve("assume-role-secret.yaml")));
        assertFalse(role.getMessage().contains("s3cret"), role.getMessage());
        assertFalse(role.errors().toString().contains("s3cret"));
        ConfigException apiKey = assertThrows(ConfigException.class,
                () -> new ConfigLoader(ENV::get).load(DIR.resolve("interpolation-syntax.yaml")));
        assertFalse(apiKey.getMessage().contains("abc"), apiKey.getMessage());
    }

    @Test
    void aMissingFileIsAConfigErrorWithoutLineNumbers() {
        Path file = DIR.resolve("no-such-file.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(ENV::get).load(file));
        assertEquals(file + ": expected a readable configuration file, found no such file", e.getMessage());
        assertEquals(0, e.errors().get(0).location().line());
    }

    @Test
    void aDirectoryIsNotAConfigFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(ENV::get).load(DIR));
        assertEquals(DIR + ": expected a readable configuration file, found a directory", e.getMessage());
    }

    @Test
    void aFileThatIsNotUtf8IsAConfigError(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(ENV::get).load(file));
        assertEquals(file + ": expected a UTF-8 text file, found bytes that are not UTF-8", e.getMessage());
    }

    @Test
    void anEnvironmentVariableSetToEmptyCountsAsNotWritten(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("wci.yaml");
        Files.writeString(file, """
                temporal:
                  address: ${TEMPORAL_ADDRESS}
                deployments:
                  - name: orders
                    targetsFromMetadata: true
                """);
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ConfigLoader(Map.of("TEMPORAL_ADDRESS", "")::get).load(file));
        assertEquals(file + ":2:12: temporal.address: expected host:port of the Temporal frontend, like 127.0.0.1:7233, "
                + "found an empty value (from ${TEMPORAL_ADDRESS})", e.getMessage());
    }
}
