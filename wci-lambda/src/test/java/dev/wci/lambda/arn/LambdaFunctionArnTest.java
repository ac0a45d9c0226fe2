package dev.wci.lambda.arn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LambdaFunctionArnTest {

    static Stream<Arguments> valid() {
        return Stream.of(
                // arn, partition, region, account, name, qualifier, kind
                Arguments.of("arn:aws:lambda:us-east-1:123456789012:function:my-worker:5",
                        "aws", "us-east-1", "123456789012", "my-worker", "5", QualifierKind.PUBLISHED_VERSION),
                Arguments.of("arn:aws:lambda:ap-southeast-2:123456789012:function:w_1:12345",
                        "aws", "ap-southeast-2", "123456789012", "w_1", "12345", QualifierKind.PUBLISHED_VERSION),
                Arguments.of("arn:aws:lambda:eu-central-1:123456789012:function:my-worker:live",
                        "aws", "eu-central-1", "123456789012", "my-worker", "live", QualifierKind.ALIAS),
                Arguments.of("arn:aws:lambda:us-west-2:123456789012:function:my-worker:v2-blue_1",
                        "aws", "us-west-2", "123456789012", "my-worker", "v2-blue_1", QualifierKind.ALIAS),
                Arguments.of("arn:aws:lambda:us-east-1:123456789012:function:my-worker:$LATEST",
                        "aws", "us-east-1", "123456789012", "my-worker", "$LATEST", QualifierKind.LATEST),
                Arguments.of("arn:aws:lambda:us-east-1:123456789012:function:my-worker",
                        "aws", "us-east-1", "123456789012", "my-worker", null, QualifierKind.NONE),
                Arguments.of("arn:aws-cn:lambda:cn-north-1:123456789012:function:my-worker:7",
                        "aws-cn", "cn-north-1", "123456789012", "my-worker", "7", QualifierKind.PUBLISHED_VERSION),
                Arguments.of("arn:aws-cn:lambda:cn-northwest-1:123456789012:function:my-worker:prod",
                        "aws-cn", "cn-northwest-1", "123456789012", "my-worker", "prod", QualifierKind.ALIAS),
                Arguments.of("arn:aws-cn:lambda:cn-north-1:123456789012:function:my-worker",
                        "aws-cn", "cn-north-1", "123456789012", "my-worker", null, QualifierKind.NONE),
                Arguments.of("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:my-worker:1",
                        "aws-us-gov", "us-gov-west-1", "123456789012", "my-worker", "1", QualifierKind.PUBLISHED_VERSION),
                Arguments.of("arn:aws-us-gov:lambda:us-gov-east-1:123456789012:function:my-worker:$LATEST",
                        "aws-us-gov", "us-gov-east-1", "123456789012", "my-worker", "$LATEST", QualifierKind.LATEST));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parsesAndClassifies(String text, String partition, String region, String account, String name,
                             String qualifier, QualifierKind kind) {
        LambdaFunctionArn arn = LambdaFunctionArn.parse(text);
        assertEquals(partition, arn.partition());
        assertEquals(region, arn.region());
        assertEquals(account, arn.accountId());
        assertEquals(name, arn.functionName());
        assertEquals(qualifier, arn.qualifier());
        assertEquals(kind, arn.kind());
        assertEquals(text, arn.arn(), "round trip");
        assertEquals(kind == QualifierKind.PUBLISHED_VERSION, arn.isImmutable());
        assertEquals(region, arn.sdkRegion().id());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("", "the Lambda target is empty"),
                Arguments.of("my-worker", "is not a Lambda function ARN"),
                Arguments.of("my-worker:5", "is not a Lambda function ARN"),
                Arguments.of("arn:aws:lambda:us-east-1:123456789012:my-worker", "is not a Lambda function ARN"),
                Arguments.of(" arn:aws:lambda:us-east-1:123456789012:function:w:1", "leading or trailing whitespace"),
                Arguments.of("arn:aws-iso:lambda:us-iso-east-1:123456789012:function:w:1", "unknown partition 'aws-iso'"),
                Arguments.of("arn:aws:s3:us-east-1:123456789012:function:w:1", "ARN of service 's3'"),
                Arguments.of("arn:aws:lambda::123456789012:function:w:1", "the region is missing"),
                Arguments.of("arn:aws:lambda:us-east:123456789012:function:w:1", "the region 'us-east'"),
                Arguments.of("arn:aws:lambda:cn-north-1:123456789012:function:w:1",
                        "not valid in partition 'aws': expected a commercial region"),
                Arguments.of("arn:aws-cn:lambda:us-east-1:123456789012:function:w:1",
                        "not valid in partition 'aws-cn': expected a China region"),
                Arguments.of("arn:aws-us-gov:lambda:us-east-1:123456789012:function:w:1",
                        "not valid in partition 'aws-us-gov': expected a GovCloud region"),
                Arguments.of("arn:aws:lambda:us-east-1:12345:function:w:1", "account ID '12345'"),
                Arguments.of("arn:aws:lambda:us-east-1:12345678901a:function:w:1", "is not 12 digits"),
                Arguments.of("arn:aws:lambda:us-east-1:123456789012:layer:w:1", "names a Lambda 'layer', not a function"),
                Arguments.of("arn:aws:lambda:us-east-1:123456789012:function::1", "the function name ''"),
                Arguments.of("arn:aws:lambda:us-east-1:123456789012:function:my.worker:1", "the function name 'my.worker'"),
                Arguments.of("arn:aws:lambda:us-east-1:123456789012:function:" + "x".repeat(65) + ":1", "1 to 64"),
                Arguments.of("arn:aws:lambda:us-east-1:123456789012:function:w:", "has no qualifier"),
                Arguments.of("arn:aws:lambda:us-east-1:123456789012:function:w:05", "no leading zeros"),
                Arguments.of("arn:aws:lambda:us-east-1:123456789012:function:w:0", "versions start at 1"),
                Arguments.of("arn:aws:lambda:us-east-1:123456789012:function:w:$latest", "neither a version number"),
                Arguments.of("arn:aws:lambda:us-east-1:123456789012:function:w:a.b", "neither a version number"),
                Arguments.of("arn:aws:lambda:us-east-1:123456789012:function:w:1:2", "too many ':'-separated parts"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("malformed")
    void rejectsMalformedWithSpecificMessage(String text, String expectedFragment) {
        InvalidArnException e = assertThrows(InvalidArnException.class, () -> LambdaFunctionArn.parse(text));
        assertTrue(e.getMessage().contains(expectedFragment),
                () -> "message '" + e.getMessage() + "' should contain '" + expectedFragment + "'");
    }

    @Test
    void nullIsRejected() {
        assertThrows(InvalidArnException.class, () -> LambdaFunctionArn.parse(null));
    }

    @Test
    void unqualifiedArnDropsQualifier() {
        LambdaFunctionArn arn = LambdaFunctionArn.parse("arn:aws:lambda:us-east-1:123456789012:function:w:5");
        assertEquals("arn:aws:lambda:us-east-1:123456789012:function:w", arn.unqualifiedArn());
        assertFalse(QualifierKind.PUBLISHED_VERSION.isMutable());
        assertTrue(QualifierKind.ALIAS.isMutable());
        assertTrue(QualifierKind.LATEST.isMutable());
        assertTrue(QualifierKind.NONE.isMutable());
    }
}
