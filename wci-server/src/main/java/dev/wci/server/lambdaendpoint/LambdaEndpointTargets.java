package dev.wci.server.lambdaendpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.lambda.arn.InvalidArnException;
import dev.wci.lambda.arn.LambdaFunctionArn;
import io.temporal.api.compute.v1.ComputeConfig;
import io.temporal.api.compute.v1.ComputeConfigScalingGroup;
import java.io.IOException;
import java.util.Optional;

/**
 * How the Lambda endpoint relates Temporal's compute configs to WCI's targets.
 *
 * <p>With the endpoint on, a version whose {@code compute_config} names the very function WCI maps it to is
 * WCI's: the Temporal server's Lambda calls for it come to WCI (its {@code AWS_ENDPOINT_URL_LAMBDA} points here),
 * so WCI invokes it and the server only signals. Any other compute config still means the server invokes the
 * version itself, and WCI keeps away from it.
 */
public final class LambdaEndpointTargets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LambdaEndpointTargets() {
    }

    /** Whether two ARN texts name the same function version (parsed, so equivalent spellings match). */
    public static boolean sameFunction(String a, String b) {
        try {
            return LambdaFunctionArn.parse(a).arn().equals(LambdaFunctionArn.parse(b).arn());
        } catch (InvalidArnException e) {
            return false;
        }
    }

    /**
     * Whether {@code config} hands the version's invokes to WCI: at least one scaling group, each of provider
     * {@code aws-lambda} with details {@code {"arn": ...}} naming the function of {@code target}.
     */
    public static boolean delegatedToWci(ComputeConfig config, Optional<ComputeTarget> target) {
        if (target.isEmpty() || !LambdaComputeProvider.TYPE.equals(target.get().provider())
                || config.getScalingGroupsCount() == 0) {
            return false;
        }
        for (ComputeConfigScalingGroup group : config.getScalingGroupsMap().values()) {
            if (!group.hasProvider() || !LambdaComputeProvider.TYPE.equals(group.getProvider().getType())) {
                return false;
            }
            Optional<String> arn = arn(group.getProvider().getDetails().getData().toByteArray());
            if (arn.isEmpty() || !sameFunction(arn.get(), target.get().address())) {
                return false;
            }
        }
        return true;
    }

    private static Optional<String> arn(byte[] details) {
        try {
            JsonNode node = JSON.readTree(details);
            JsonNode arn = node == null ? null : node.get("arn");
            return arn != null && arn.isTextual() ? Optional.of(arn.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
