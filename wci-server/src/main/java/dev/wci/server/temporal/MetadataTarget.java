package dev.wci.server.temporal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.lambda.arn.InvalidArnException;
import dev.wci.lambda.arn.LambdaFunctionArn;
import io.temporal.api.common.v1.Payload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads a version's Lambda target from its Temporal metadata, key {@value #KEY}. The value is the
 * version-qualified function ARN, as a JSON string (what {@code temporal worker deployment
 * update-version-metadata --metadata 'wci.lambda.target="arn:..."'} stores) or as plain UTF-8 bytes.
 * Metadata cannot opt in to a mutable target ({@code $LATEST}, an alias, no qualifier): that needs the file's
 * explicit {@code allowMutableTarget}.
 *
 * @param target  the target, when usable
 * @param problem why not, otherwise
 */
record MetadataTarget(Optional<ComputeTarget> target, Optional<String> problem) {

    /** The metadata key naming a version's target. */
    static final String KEY = "wci.lambda.target";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MetadataTarget NONE = new MetadataTarget(Optional.empty(), Optional.empty());

    static MetadataTarget none() {
        return NONE;
    }

    static MetadataTarget parse(Payload payload) {
        String encoding = payload.getMetadataOrDefault("encoding", com.google.protobuf.ByteString.EMPTY)
                .toString(StandardCharsets.UTF_8);
        String text;
        if (encoding.equals("json/plain")) {
            try {
                JsonNode node = JSON.readTree(payload.getData().toByteArray());
                if (node == null || !node.isTextual()) {
                    return problem("metadata " + KEY + " must be a JSON string holding the function ARN, found "
                            + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase()));
                }
                text = node.textValue();
            } catch (IOException e) {
                return problem("metadata " + KEY + " is not valid JSON: " + e.getMessage());
            }
        } else if (encoding.isEmpty() || encoding.equals("binary/plain")) {
            text = payload.getData().toString(StandardCharsets.UTF_8);
        } else {
            return problem("metadata " + KEY + " has encoding '" + encoding
                    + "'; expected json/plain (a JSON string) or binary/plain");
        }
        LambdaFunctionArn arn;
        try {
            arn = LambdaFunctionArn.parse(text);
        } catch (InvalidArnException e) {
            return problem("metadata " + KEY + ": " + e.getMessage());
        }
        if (arn.kind().isMutable()) {
            return problem("metadata " + KEY + " names '" + text + "', which is not a published version ("
                    + arn.kind() + "): its code can change under running workflows. Use a version-qualified ARN, "
                    + "or map the version in the configuration file with allowMutableTarget: true");
        }
        return new MetadataTarget(Optional.of(new ComputeTarget(LambdaComputeProvider.TYPE, text)), Optional.empty());
    }

    private static MetadataTarget problem(String message) {
        return new MetadataTarget(Optional.empty(), Optional.of(message));
    }
}
