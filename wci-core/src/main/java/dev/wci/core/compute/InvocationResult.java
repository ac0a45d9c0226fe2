package dev.wci.core.compute;

import java.time.Instant;
import java.util.Objects;

/** The outcome of one invocation of a request. */
public sealed interface InvocationResult {

    String invocationId();

    /**
     * The provider accepted the invocation; a worker will start.
     *
     * @param providerRequestId the provider's id of the invocation (Lambda's request id, which the worker puts in
     *                          its identity), or null when the provider gave none
     */
    record Accepted(String invocationId, Instant acceptedAt, String providerRequestId) implements InvocationResult {
        public Accepted {
            Objects.requireNonNull(invocationId, "invocationId");
            Objects.requireNonNull(acceptedAt, "acceptedAt");
        }

        /** Accepted without a provider request id. */
        public Accepted(String invocationId, Instant acceptedAt) {
            this(invocationId, acceptedAt, null);
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
