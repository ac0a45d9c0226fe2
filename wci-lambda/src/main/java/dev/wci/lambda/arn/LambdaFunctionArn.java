package dev.wci.lambda.arn;

import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;

/**
 * A parsed Lambda function ARN: {@code arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]}.
 *
 * <p>Parsing is strict because the ARN is the whole safety contract of a target: the region in it picks the
 * endpoint, and the qualifier decides whether the code can change under running workflows.
 *
 * @param partition    {@code aws}, {@code aws-cn} or {@code aws-us-gov}
 * @param region       the region, consistent with the partition (e.g. {@code cn-north-1} in {@code aws-cn})
 * @param accountId    the 12-digit account ID
 * @param functionName the function name (1..64 of {@code [A-Za-z0-9_-]})
 * @param qualifier    the version, alias or {@code $LATEST}; null when the ARN is unqualified
 * @param kind         what the qualifier names
 */
public record LambdaFunctionArn(String partition, String region, String accountId, String functionName,
                                String qualifier, QualifierKind kind) {

    /** The format, for error messages. */
    public static final String FORMAT = "arn:<partition>:lambda:<region>:<account-id>:function:<name>[:<qualifier>]";

    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    // Lambda's own version pattern is [0-9]+; versions start at 1, so a leading zero is a typo.
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,19}");
    private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Pattern REGION_AWS = Pattern.compile("(?!cn-|us-gov-)[a-z]{2}(-[a-z]+)+-\\d{1,2}");
    private static final Pattern REGION_CN = Pattern.compile("cn-[a-z]+-\\d{1,2}");
    private static final Pattern REGION_GOV = Pattern.compile("us-gov-[a-z]+-\\d{1,2}");

    public LambdaFunctionArn {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(functionName, "functionName");
        Objects.requireNonNull(kind, "kind");
        if ((qualifier == null) != (kind == QualifierKind.NONE)) {
            throw new IllegalArgumentException("qualifier " + qualifier + " does not match kind " + kind);
        }
    }

    /**
     * Parses and classifies {@code text}.
     *
     * @throws InvalidArnException with a message naming the wrong part and the expected format
     */
    public static LambdaFunctionArn parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidArnException("the Lambda target is empty: expected a function ARN " + FORMAT);
        }
        String arn = text.strip();
        if (!arn.equals(text)) {
            throw new InvalidArnException("the Lambda function ARN '" + text + "' has leading or trailing whitespace");
        }
        String[] parts = arn.split(":", -1);
        if (parts.length < 7 || !"arn".equals(parts[0])) {
            throw new InvalidArnException(
                    "'" + text + "' is not a Lambda function ARN: expected " + FORMAT
                            + " (a bare function name is not enough: the region comes from the ARN)");
        }
        String partition = parts[1];
        if (!"lambda".equals(parts[2])) {
            throw new InvalidArnException("'" + text + "' is an ARN of service '" + parts[2]
                    + "', not of a Lambda function: expected " + FORMAT);
        }
        String region = parts[3];
        checkPartitionAndRegion(text, partition, region);
        String account = parts[4];
        if (!ACCOUNT.matcher(account).matches()) {
            throw new InvalidArnException("the account ID '" + account + "' in '" + text
                    + "' is not 12 digits");
        }
        if (!"function".equals(parts[5])) {
            throw new InvalidArnException("'" + text + "' names a Lambda '" + parts[5]
                    + "', not a function: expected " + FORMAT);
        }
        String name = parts[6];
        if (!FUNCTION_NAME.matcher(name).matches()) {
            throw new InvalidArnException("the function name '" + name + "' in '" + text
                    + "' is invalid: 1 to 64 letters, digits, '-' or '_'");
        }
        if (parts.length == 7) {
            return new LambdaFunctionArn(partition, region, account, name, null, QualifierKind.NONE);
        }
        if (parts.length > 8) {
            throw new InvalidArnException("'" + text + "' has too many ':'-separated parts: expected " + FORMAT);
        }
        String qualifier = parts[7];
        return new LambdaFunctionArn(partition, region, account, name, qualifier, classify(text, qualifier));
    }

    private static void checkPartitionAndRegion(String text, String partition, String region) {
        Pattern regionPattern = switch (partition) {
            case "aws" -> REGION_AWS;
            case "aws-cn" -> REGION_CN;
            case "aws-us-gov" -> REGION_GOV;
            default -> throw new InvalidArnException("unknown partition '" + partition + "' in '" + text
                    + "': expected aws, aws-cn or aws-us-gov");
        };
        if (region.isEmpty()) {
            throw new InvalidArnException("the region is missing in '" + text + "': expected " + FORMAT);
        }
        if (!regionPattern.matcher(region).matches()) {
            String expected = switch (partition) {
                case "aws-cn" -> "a China region such as cn-north-1";
                case "aws-us-gov" -> "a GovCloud region such as us-gov-west-1";
                default -> "a commercial region such as us-east-1";
            };
            throw new InvalidArnException("the region '" + region + "' in '" + text + "' is not valid in partition '"
                    + partition + "': expected " + expected);
        }
    }

    private static QualifierKind classify(String text, String qualifier) {
        if (qualifier.isEmpty()) {
            throw new InvalidArnException("'" + text + "' ends with ':' but has no qualifier: append a published "
                    + "version number (e.g. ':5') or remove the trailing ':'");
        }
        if ("$LATEST".equals(qualifier)) {
            return QualifierKind.LATEST;
        }
        if (qualifier.chars().allMatch(Character::isDigit)) {
            if (!VERSION.matcher(qualifier).matches()) {
                throw new InvalidArnException("the version '" + qualifier + "' in '" + text
                        + "' is not a published version number: versions start at 1 with no leading zeros");
            }
            return QualifierKind.PUBLISHED_VERSION;
        }
        if (!ALIAS.matcher(qualifier).matches()) {
            throw new InvalidArnException("the qualifier '" + qualifier + "' in '" + text
                    + "' is neither a version number, $LATEST nor an alias name (letters, digits, '-', '_')");
        }
        return QualifierKind.ALIAS;
    }

    /** Whether this ARN names immutable code (a published version). */
    public boolean isImmutable() {
        return !kind.isMutable();
    }

    /** The SDK region the ARN lives in; Lambda and STS calls for the target go there. */
    public Region sdkRegion() {
        return Region.of(region);
    }

    /** The ARN without its qualifier. */
    public String unqualifiedArn() {
        return "arn:" + partition + ":lambda:" + region + ":" + accountId + ":function:" + functionName;
    }

    /** The ARN as given: qualified when it has a qualifier. Used as the {@code FunctionName} of API calls. */
    public String arn() {
        return qualifier == null ? unqualifiedArn() : unqualifiedArn() + ":" + qualifier;
    }

    @Override
    public String toString() {
        return arn();
    }
}
