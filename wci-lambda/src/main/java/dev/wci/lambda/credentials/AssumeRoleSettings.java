package dev.wci.lambda.credentials;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * An IAM role to assume before calling Lambda, globally or for one target.
 *
 * <p>Per-target settings come from {@code ComputeTarget.settings()} under the keys {@value #ROLE_ARN},
 * {@value #EXTERNAL_ID}, {@value #SESSION_NAME} and {@value #SESSION_DURATION_SECONDS}.
 *
 * <p>The external ID is a shared secret against the confused-deputy problem: {@link #toString()} never prints it.
 *
 * @param roleArn         the role to assume, {@code arn:<partition>:iam::<account>:role/<name>}
 * @param externalId      the external ID the role's trust policy requires; null when it requires none
 * @param sessionName     the role session name, visible in CloudTrail and in the worker's caller identity
 * @param sessionDuration how long each set of temporary credentials lasts (15 min .. 12 h)
 */
public record AssumeRoleSettings(String roleArn, String externalId, String sessionName, Duration sessionDuration) {

    public static final String ROLE_ARN = "roleArn";
    public static final String EXTERNAL_ID = "externalId";
    public static final String SESSION_NAME = "sessionName";
    public static final String SESSION_DURATION_SECONDS = "sessionDurationSeconds";
    /** Every target setting key this provider understands. */
    public static final Set<String> KEYS = Set.of(ROLE_ARN, EXTERNAL_ID, SESSION_NAME, SESSION_DURATION_SECONDS);

    public static final String DEFAULT_SESSION_NAME = "wci";
    public static final Duration DEFAULT_SESSION_DURATION = Duration.ofHours(1);

    private static final Pattern ROLE = Pattern.compile("arn:aws(-cn|-us-gov)?:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");
    private static final Pattern SESSION = Pattern.compile("[\\w+=,.@-]{2,64}");
    private static final Pattern EXTERNAL = Pattern.compile("[\\w+=,.@:/-]{2,1224}");

    public AssumeRoleSettings {
        Objects.requireNonNull(roleArn, "roleArn");
        if (!ROLE.matcher(roleArn).matches()) {
            throw new IllegalArgumentException("'" + roleArn + "' is not an IAM role ARN: expected "
                    + "arn:<partition>:iam::<account-id>:role/<name>");
        }
        // The value is a secret: say what is wrong with it, never echo it.
        if (externalId != null && !EXTERNAL.matcher(externalId).matches()) {
            throw new IllegalArgumentException("the external ID for role " + roleArn
                    + " is invalid: 2 to 1224 characters of letters, digits and +=,.@:/-");
        }
        sessionName = sessionName == null ? DEFAULT_SESSION_NAME : sessionName;
        if (!SESSION.matcher(sessionName).matches()) {
            throw new IllegalArgumentException("the session name '" + sessionName + "' for role " + roleArn
                    + " is invalid: 2 to 64 characters of letters, digits and +=,.@-");
        }
        sessionDuration = sessionDuration == null ? DEFAULT_SESSION_DURATION : sessionDuration;
        if (sessionDuration.compareTo(Duration.ofMinutes(15)) < 0 || sessionDuration.compareTo(Duration.ofHours(12)) > 0) {
            throw new IllegalArgumentException("the session duration " + sessionDuration + " for role " + roleArn
                    + " is outside 15 minutes .. 12 hours");
        }
    }

    /** A role with no external ID and default session name and duration. */
    public static AssumeRoleSettings of(String roleArn) {
        return new AssumeRoleSettings(roleArn, null, null, null);
    }

    /**
     * Reads the assume-role settings of a target, if it has any.
     *
     * @throws IllegalArgumentException on an unknown key, on role details without {@value #ROLE_ARN}, or on an
     *                                  invalid value; the message never contains the external ID
     */
    public static Optional<AssumeRoleSettings> fromTargetSettings(Map<String, String> settings) {
        Set<String> unknown = new TreeSet<>(settings.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown aws-lambda target setting(s) " + unknown
                    + ": known settings are " + new TreeSet<>(KEYS));
        }
        String role = settings.get(ROLE_ARN);
        if (role == null) {
            if (!settings.isEmpty()) {
                throw new IllegalArgumentException("aws-lambda target settings " + new TreeSet<>(settings.keySet())
                        + " need '" + ROLE_ARN + "' as well");
            }
            return Optional.empty();
        }
        Duration duration = null;
        String seconds = settings.get(SESSION_DURATION_SECONDS);
        if (seconds != null) {
            try {
                duration = Duration.ofSeconds(Long.parseLong(seconds.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + SESSION_DURATION_SECONDS + "' must be a number of seconds, got '"
                        + seconds + "'");
            }
        }
        return Optional.of(new AssumeRoleSettings(role, settings.get(EXTERNAL_ID), settings.get(SESSION_NAME), duration));
    }

    @Override
    public String toString() {
        return "AssumeRole[" + roleArn + ", session=" + sessionName + ", duration=" + sessionDuration
                + (externalId == null ? "" : ", externalId=***") + "]";
    }
}
