package dev.wci.lambda.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.compute.FailureClass;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Client-side failures (the service-side ones are covered against WireMock in LambdaInvokeTest). */
class LambdaErrorClassifierTest {

    static FailureClass classOf(Throwable t) {
        return LambdaErrorClassifier.classify("Invoke", "arn", t).failureClass();
    }

    @Test
    void clientSideFailures() {
        assertEquals(FailureClass.UNAVAILABLE, classOf(new CompletionException(
                SdkClientException.create("Unable to execute HTTP request", new ConnectException("refused")))));
        assertEquals(FailureClass.UNAVAILABLE, classOf(SdkClientException.create("io", new IOException("reset"))));
        assertEquals(FailureClass.UNAVAILABLE, classOf(ApiCallTimeoutException.create(1000)));
        assertEquals(FailureClass.UNAVAILABLE, classOf(ApiCallAttemptTimeoutException.create(500)));
        assertEquals(FailureClass.ACCESS_DENIED, classOf(SdkClientException.create(
                "Unable to load credentials from any of the providers in the chain")));
        assertEquals(FailureClass.INTERNAL, classOf(SdkClientException.create("something odd")));
        assertEquals(FailureClass.INTERNAL, classOf(new IllegalStateException("bug")));
    }

    @Test
    void retryOnlyTransientAndNeverTheWholeCallTimeout() {
        assertTrue(LambdaErrorClassifier.isRetryable(ApiCallAttemptTimeoutException.create(500)));
        assertTrue(LambdaErrorClassifier.isRetryable(SdkClientException.create("io", new IOException("reset"))));
        assertFalse(LambdaErrorClassifier.isRetryable(ApiCallTimeoutException.create(1000)));
        assertFalse(LambdaErrorClassifier.isRetryable(SdkClientException.create("Unable to load credentials")));
    }
}
