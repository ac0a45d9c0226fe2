package dev.wci.server.lambdaendpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to one Lambda API request.
 *
 * @param status      HTTP status
 * @param errorType   the Lambda error type ({@code X-Amzn-ErrorType}) of an error answer
 * @param contentType the body's content type
 * @param body        the body
 */
record LambdaApiReply(int status, Optional<String> errorType, String contentType, byte[] body) {

    private static final ObjectMapper JSON = new ObjectMapper();

    LambdaApiReply {
        Objects.requireNonNull(errorType, "errorType");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
    }

    /** What Lambda answers to an accepted {@code Event} invoke: 202, no body. */
    static LambdaApiReply accepted() {
        return new LambdaApiReply(202, Optional.empty(), "application/json", new byte[0]);
    }

    /**
     * An error as Lambda sends it: the type in {@code X-Amzn-ErrorType} and in the body, which AWS SDKs read as
     * the error code, and the message.
     */
    static LambdaApiReply error(int status, String type, String message) {
        ObjectNode body = JSON.createObjectNode().put("Type", status >= 500 ? "Service" : "User")
                .put("__type", type).put("message", message);
        return new LambdaApiReply(status, Optional.of(type), "application/json",
                body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The error message, for tests and logs; empty for a success. */
    String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
