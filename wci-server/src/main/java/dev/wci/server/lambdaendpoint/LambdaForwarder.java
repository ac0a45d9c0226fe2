package dev.wci.server.lambdaendpoint;

import dev.wci.core.compute.ComputeTarget;

/**
 * Sends a read call (GetFunction and the like) on to the real Lambda API with WCI's own credentials, so that
 * the Temporal server validates the real function. Thread-safe.
 */
@FunctionalInterface
interface LambdaForwarder {

    /**
     * Forwards {@code request} for the function of {@code target} and returns Lambda's answer; a transport
     * failure becomes a 5xx reply, never an exception.
     */
    LambdaApiReply forward(LambdaApiRequest request, ComputeTarget target);
}
