package dev.wci.lambda.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.FailureClass;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Maps every outcome of a Lambda (or STS) call onto the core {@link FailureClass}es.
 *
 * <p>Error codes are checked before HTTP status because Lambda reports several configuration problems of the
 * function (KMS, VPC) as 502: treating those as transient would retry and invoke forever against a broken
 * target instead of opening its circuit.
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>outcome</th><th>class</th></tr>
 *   <tr><td>429, {@code TooManyRequestsException}, {@code EC2ThrottledException}</td><td>THROTTLED (+ Reason, retry-after)</td></tr>
 *   <tr><td>{@code ResourceNotFoundException}, 404</td><td>NOT_FOUND</td></tr>
 *   <tr><td>401, 403, {@code KMSAccessDeniedException}, {@code EC2AccessDeniedException}, missing credentials,
 *       STS AssumeRole denied</td><td>ACCESS_DENIED</td></tr>
 *   <tr><td>other KMS / VPC / code configuration errors (some are 502)</td><td>REJECTED</td></tr>
 *   <tr><td>5xx, {@code ResourceNotReadyException}, {@code ResourceConflictException} (function updating),
 *       ENI/IP limits, timeouts, connection errors</td><td>UNAVAILABLE</td></tr>
 *   <tr><td>other 4xx</td><td>REJECTED</td></tr>
 *   <tr><td>anything else</td><td>INTERNAL</td></tr>
 * </table>
 */
public final class LambdaErrorClassifier {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A retry-after beyond a year is read as a year (the scaler caps it far lower anyway). */
    private static final double MAX_RETRY_AFTER_SECONDS = 365 * 86_400.0;

    private static final Set<String> THROTTLE_CODES = Set.of("TooManyRequestsException", "EC2ThrottledException",
            "ThrottlingException", "Throttling", "RequestLimitExceeded");
    private static final Set<String> ACCESS_CODES = Set.of("AccessDeniedException", "AccessDenied",
            "KMSAccessDeniedException", "EC2AccessDeniedException", "UnrecognizedClientException",
            "InvalidSignatureException", "ExpiredTokenException", "ExpiredToken", "InvalidClientTokenId",
            "SignatureDoesNotMatch", "MissingAuthenticationTokenException");
    // The function's own configuration is broken: no retry helps until someone fixes it.
    private static final Set<String> CONFIG_CODES = Set.of("KMSDisabledException", "KMSInvalidStateException",
            "KMSNotFoundException", "InvalidSubnetIDException", "InvalidSecurityGroupIDException",
            "InvalidZipFileException", "InvalidRuntimeException", "EFSMountFailureException",
            "RecursiveInvocationException", "SnapStartException");
    // Transient states of the function or its network, whatever their status code says.
    private static final Set<String> TRANSIENT_CODES = Set.of("ResourceNotReadyException", "ResourceConflictException",
            "ENILimitReachedException", "SubnetIPAddressLimitReachedException", "EC2UnexpectedException",
            "EFSMountConnectivityException", "EFSMountTimeoutException", "EFSIOException",
            "SnapStartNotReadyException", "SnapStartTimeoutException", "ServiceException");

    private LambdaErrorClassifier() {
    }

    /**
     * Classifies {@code error} raised by {@code operation} on {@code resource}. The message is meant for an
     * operator: it names the operation, the resource, the AWS error code, status and request ID, and never
     * contains credentials.
     */
    public static ComputeFailure classify(String operation, String resource, Throwable error) {
        Throwable t = unwrap(error);
        String what = "Lambda " + operation + " of " + resource;
        // A failed AssumeRole surfaces as the STS error, possibly wrapped by the credentials provider.
        Optional<StsException> sts = causeOfType(t, StsException.class);
        if (sts.isPresent()) {
            ComputeFailure f = classifyService("STS call for " + what, sts.get());
            FailureClass c = f.failureClass() == FailureClass.THROTTLED ? FailureClass.UNAVAILABLE : f.failureClass();
            return new ComputeFailure(c, f.message(), null, null);
        }
        if (t instanceof AwsServiceException e) {
            return classifyService(what, e);
        }
        if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException) {
            return ComputeFailure.of(FailureClass.UNAVAILABLE, what + " timed out: " + t.getMessage());
        }
        if (t instanceof SdkClientException) {
            if (causeOfType(t, IOException.class).isPresent() || isTimeout(t)) {
                return ComputeFailure.of(FailureClass.UNAVAILABLE, what + " failed to connect or read: "
                        + rootMessage(t));
            }
            String msg = t.getMessage() == null ? "" : t.getMessage();
            if (msg.contains("Unable to load credentials") || msg.contains("credentials")) {
                return ComputeFailure.of(FailureClass.ACCESS_DENIED, what + " has no usable AWS credentials: "
                        + firstLine(msg));
            }
            return ComputeFailure.of(FailureClass.INTERNAL, what + " failed in the client: " + firstLine(msg));
        }
        if (t instanceof CancellationException) {
            return ComputeFailure.of(FailureClass.UNAVAILABLE, what + " was cancelled");
        }
        return ComputeFailure.of(FailureClass.INTERNAL, what + " failed unexpectedly: " + t);
    }

    /** Whether the SDK may retry {@code error}: only transient failures, never throttles. */
    public static boolean isRetryable(Throwable error) {
        Throwable t = unwrap(error);
        if (t instanceof ApiCallTimeoutException) {
            return false; // the whole call's budget is spent
        }
        return classify("call", "-", t).failureClass() == FailureClass.UNAVAILABLE;
    }

    private static ComputeFailure classifyService(String what, AwsServiceException e) {
        AwsErrorDetails details = e.awsErrorDetails();
        String code = details == null || details.errorCode() == null ? "" : details.errorCode();
        int status = e.statusCode();
        String awsMessage = details == null || details.errorMessage() == null ? e.getMessage() : details.errorMessage();
        String suffix = " [" + (code.isEmpty() ? "" : code + ", ") + "HTTP " + status
                + (e.requestId() == null ? "" : ", requestId=" + e.requestId()) + "]";

        if (THROTTLE_CODES.contains(code) || status == 429) {
            String reason = throttleReason(e).orElse(null);
            Duration retryAfter = retryAfter(e).orElse(null);
            return ComputeFailure.throttled(reason, retryAfter, what + " was throttled"
                    + (reason == null ? "" : " (" + reason + ")") + ": " + awsMessage + suffix);
        }
        FailureClass c;
        String hint = "";
        if ("ResourceNotFoundException".equals(code) || (code.isEmpty() && status == 404)) {
            c = FailureClass.NOT_FOUND;
            hint = " (is the version published and the ARN right?)";
        } else if (ACCESS_CODES.contains(code) || code.startsWith("KMSAccess") || status == 401 || status == 403) {
            c = FailureClass.ACCESS_DENIED;
        } else if (CONFIG_CODES.contains(code) || code.startsWith("KMS")) {
            c = FailureClass.REJECTED;
            hint = " (the function's configuration must be fixed)";
        } else if (TRANSIENT_CODES.contains(code) || status >= 500) {
            c = FailureClass.UNAVAILABLE;
        } else if (status >= 400) {
            c = FailureClass.REJECTED;
        } else {
            c = FailureClass.INTERNAL;
        }
        return ComputeFailure.of(c, what + " failed: " + awsMessage + hint + suffix);
    }

    private static Optional<String> throttleReason(AwsServiceException e) {
        if (e instanceof TooManyRequestsException tmr && tmr.reasonAsString() != null) {
            return Optional.of(tmr.reasonAsString());
        }
        return bodyField(e, "Reason");
    }

    /** Lambda sends the hint in the Retry-After header (the SDK's field) and sometimes in the body. */
    private static Optional<Duration> retryAfter(AwsServiceException e) {
        String value = e instanceof TooManyRequestsException tmr ? tmr.retryAfterSeconds() : null;
        if (value == null && e.awsErrorDetails() != null && e.awsErrorDetails().sdkHttpResponse() != null) {
            value = e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Retry-After").orElse(null);
        }
        if (value == null) {
            value = bodyField(e, "retryAfterSeconds").orElse(null);
        }
        if (value == null) {
            return Optional.empty();
        }
        try {
            double seconds = Double.parseDouble(value.strip());
            if (seconds < 0 || Double.isNaN(seconds)) {
                return Optional.empty();
            }
            // Passed on as asked (bounded only to stay a sane number): the scaler caps it by its maximum backoff
            // and says so, rather than a huge value silently becoming the short default backoff.
            return Optional.of(Duration.ofMillis(Math.round(Math.min(seconds, MAX_RETRY_AFTER_SECONDS) * 1000)));
        } catch (NumberFormatException ignored) {
            return Optional.empty(); // an HTTP-date or garbage: the scaler's own backoff applies
        }
    }

    private static Optional<String> bodyField(AwsServiceException e, String field) {
        AwsErrorDetails details = e.awsErrorDetails();
        if (details == null || details.rawResponse() == null) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(details.rawResponse().asByteArray());
            if (node == null) {
                return Optional.empty();
            }
            for (var it = node.fields(); it.hasNext(); ) {
                var entry = it.next();
                // AWS JSON errors are not consistent about case (Reason vs reason).
                if (entry.getKey().toLowerCase(Locale.ROOT).equals(field.toLowerCase(Locale.ROOT))
                        && entry.getValue().isValueNode()) {
                    return Optional.of(entry.getValue().asText());
                }
            }
            return Optional.empty();
        } catch (IOException | RuntimeException notJson) {
            return Optional.empty();
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static <T extends Throwable> Optional<T> causeOfType(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return Optional.of(type.cast(c));
            }
        }
        return Optional.empty();
    }

    private static boolean isTimeout(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.util.concurrent.TimeoutException
                    || c.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? firstLine(String.valueOf(t.getMessage())) : firstLine(root.toString());
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
