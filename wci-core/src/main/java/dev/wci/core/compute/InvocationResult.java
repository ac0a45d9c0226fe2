package dev.wci.core.compute;

import java.time.Instant;
import java.util.Objects;

/** The outcome of one invocation of a request. */
public sealed interface InvocationResult {

    String invocationId();

    /** The provider accepted the invocation; a worker will start. */
    record Accepted(String invocationId, Instant acceptedAt) implements InvocationResult {
        public Accepted {
            Objects.requireNonNull(invocationId, "invocationId");
            Objects.requireNonNull(acceptedAt, "acceptedAt");
        }
    }

    /** The provider did not start a worker. */
    record Failed(String invocationId, ComputeFailure failure) implements InvocationResult {
        public Failed {
            Objects.requireNonNull(invocationId, "invocationId");
            Objects.requireNonNull(failure, "failure");
        }
    }
}
