package dev.wci.lambda.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StartRetryTest {

    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");
    private static final Instant STOP = NOW.plusSeconds(60);

    private static RuntimeException wrapped(Status status) {
        // The SDK wraps the gRPC failure of its start-up calls.
        return new IllegalStateException("worker factory start failed", status.asRuntimeException());
    }

    @Test
    void passingFailuresAreRetriedWithADoublingCappedWait() {
        RuntimeException e = wrapped(Status.DEADLINE_EXCEEDED);
        assertEquals(Optional.of(Duration.ofMillis(500)), StartRetry.next(e, 1, NOW, STOP));
        assertEquals(Optional.of(Duration.ofSeconds(1)), StartRetry.next(e, 2, NOW, STOP));
        assertEquals(Optional.of(Duration.ofSeconds(2)), StartRetry.next(e, 3, NOW, STOP));
        assertEquals(Optional.of(Duration.ofSeconds(4)), StartRetry.next(e, 4, NOW, STOP));
        assertEquals(Optional.of(Duration.ofSeconds(4)), StartRetry.next(e, 40, NOW, STOP));
        for (Status s : new Status[] {Status.UNAVAILABLE, Status.RESOURCE_EXHAUSTED, Status.ABORTED}) {
            assertTrue(StartRetry.next(s.asRuntimeException(), 1, NOW, STOP).isPresent(), s.toString());
        }
    }

    @Test
    void mistakesFailAtOnce() {
        for (Status s : new Status[] {Status.NOT_FOUND, Status.PERMISSION_DENIED, Status.INVALID_ARGUMENT,
                Status.UNAUTHENTICATED, Status.UNIMPLEMENTED}) {
            assertEquals(Optional.empty(), StartRetry.next(wrapped(s), 1, NOW, STOP), s.toString());
        }
        assertEquals(Optional.empty(), StartRetry.next(new IllegalArgumentException("no workflow types"), 1, NOW,
                STOP));
    }

    @Test
    void noRetryThatWouldEndAfterTheWorkerMustStop() {
        RuntimeException e = wrapped(Status.UNAVAILABLE);
        assertEquals(Optional.empty(), StartRetry.next(e, 1, NOW, NOW.plusMillis(500)));
        assertTrue(StartRetry.next(e, 1, NOW, NOW.plusMillis(501)).isPresent());
        assertEquals(Optional.empty(), StartRetry.next(e, 4, NOW, NOW.plusSeconds(3)));
    }
}
