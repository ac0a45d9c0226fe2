package dev.wci.server.config;

import dev.wci.lambda.credentials.AssumeRoleSettings;
import dev.wci.server.config.NodeReader.Mapping;
import dev.wci.server.config.NodeReader.Scalar;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * An {@code assumeRole} mapping (global in {@code aws}, or per version). {@link AssumeRoleSettings}' constructor
 * decides what is valid; each value is offered to it on its own so that a refusal is reported at the line of
 * the value it concerns. The external ID is a secret: a message about it says "the value".
 */
final class AssumeRoleSection {

    static final List<String> KEYS = List.of(AssumeRoleSettings.ROLE_ARN, AssumeRoleSettings.EXTERNAL_ID,
            AssumeRoleSettings.SESSION_NAME, AssumeRoleSettings.SESSION_DURATION_SECONDS);

    private static final String SECONDS_EXPECTED = "a whole number of seconds from 900 (15 minutes) to 43200 (12 hours)";
    private static final int MIN_SESSION_SECONDS = 900;
    private static final int MAX_SESSION_SECONDS = 43_200;
    private static final String ROLE_EXPECTED = "an IAM role ARN arn:<partition>:iam::<account-id>:role/<name>";

    /**
     * A role ARN the settings constructor accepts, to check the other values when the user's own role ARN is
     * wrong (so that every mistake is reported in one run). Never part of a result.
     */
    private static final String PROBE_ROLE = "arn:aws:iam::000000000000:role/probe";

    /**
     * The settings, and the same values as {@code ComputeTarget.settings()} entries (keys of
     * {@link AssumeRoleSettings}).
     */
    record Role(AssumeRoleSettings settings, Map<String, String> targetSettings) {

        @Override
        public String toString() {
            return settings.toString();
        }
    }

    private AssumeRoleSection() {
    }

    static Optional<Role> read(NodeReader r, Node node, String path) {
        Optional<Mapping> mapping = r.mapping(node, path,
                "a mapping with roleArn, and optionally externalId, sessionName, sessionDurationSeconds", KEYS);
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        Mapping m = mapping.get();
        int errorsBefore = r.errorCount();
        Optional<Scalar> role = r.requiredScalar(m, AssumeRoleSettings.ROLE_ARN, ROLE_EXPECTED, false);
        Optional<Scalar> externalId = r.scalar(m, AssumeRoleSettings.EXTERNAL_ID, "an external ID", true);
        Optional<Scalar> sessionName = r.scalar(m, AssumeRoleSettings.SESSION_NAME, "a session name", false);
        String secondsKey = AssumeRoleSettings.SESSION_DURATION_SECONDS;
        Optional<Scalar> secondsScalar = r.scalar(m, secondsKey, "a number of seconds", false);
        Optional<Integer> seconds = secondsScalar.flatMap(s -> r.parse(s, m.path(secondsKey),
                Kinds.integer(MIN_SESSION_SECONDS, MAX_SESSION_SECONDS, SECONDS_EXPECTED)));

        boolean roleValid = role.isPresent() && accepts(() -> AssumeRoleSettings.of(role.get().text()));
        role.filter(s -> !roleValid).ifPresent(s ->
                r.error(s.node(), m.path(AssumeRoleSettings.ROLE_ARN), ROLE_EXPECTED, NodeReader.found(s, false)));
        String checkRole = roleValid ? role.get().text() : PROBE_ROLE;
        externalId.filter(s -> !accepts(() -> new AssumeRoleSettings(checkRole, s.text(), null, null)))
                .ifPresent(s -> r.error(s.node(), m.path(AssumeRoleSettings.EXTERNAL_ID),
                        "an external ID of 2 to 1224 letters, digits and +=,.@:/-", NodeReader.found(s, true)));
        sessionName.filter(s -> !accepts(() -> new AssumeRoleSettings(checkRole, null, s.text(), null)))
                .ifPresent(s -> r.error(s.node(), m.path(AssumeRoleSettings.SESSION_NAME),
                        "a session name of 2 to 64 letters, digits and +=,.@-", NodeReader.found(s, false)));
        seconds.filter(v -> !accepts(() -> new AssumeRoleSettings(checkRole, null, null, Duration.ofSeconds(v))))
                .ifPresent(v -> r.error(secondsScalar.get().node(), m.path(secondsKey),
                        SECONDS_EXPECTED,
                        NodeReader.found(secondsScalar.get(), false)));
        // A misspelt roleArn was reported with the mapping's keys, before errorsBefore: role is then empty.
        if (r.errorCount() != errorsBefore || role.isEmpty()) {
            return Optional.empty();
        }
        AssumeRoleSettings settings = new AssumeRoleSettings(role.get().text(),
                externalId.map(Scalar::text).orElse(null), sessionName.map(Scalar::text).orElse(null),
                seconds.map(Duration::ofSeconds).orElse(null));
        Map<String, String> target = new LinkedHashMap<>();
        target.put(AssumeRoleSettings.ROLE_ARN, settings.roleArn());
        externalId.ifPresent(s -> target.put(AssumeRoleSettings.EXTERNAL_ID, s.text()));
        sessionName.ifPresent(s -> target.put(AssumeRoleSettings.SESSION_NAME, s.text()));
        seconds.ifPresent(v -> target.put(AssumeRoleSettings.SESSION_DURATION_SECONDS, Integer.toString(v)));
        return Optional.of(new Role(settings, Map.copyOf(target)));
    }

    private static boolean accepts(Runnable construct) {
        try {
            construct.run();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
