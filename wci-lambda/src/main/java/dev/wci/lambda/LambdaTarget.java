package dev.wci.lambda;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.lambda.arn.LambdaFunctionArn;
import dev.wci.lambda.credentials.AssumeRoleSettings;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link ComputeTarget} resolved for Lambda: its parsed ARN and the role used to reach it (the target's own
 * {@code roleArn} setting, else the provider's global role, else none).
 *
 * @param arn  the parsed function ARN
 * @param role the role to assume, if any
 */
public record LambdaTarget(LambdaFunctionArn arn, Optional<AssumeRoleSettings> role) {

    public LambdaTarget {
        Objects.requireNonNull(arn, "arn");
        Objects.requireNonNull(role, "role");
    }

    /**
     * Parses the target's address and settings.
     *
     * @throws IllegalArgumentException with a specific message on a malformed ARN or bad settings
     */
    public static LambdaTarget resolve(ComputeTarget target, LambdaProviderSettings settings) {
        LambdaFunctionArn arn = LambdaFunctionArn.parse(target.address());
        Optional<AssumeRoleSettings> own = AssumeRoleSettings.fromTargetSettings(target.settings());
        return new LambdaTarget(arn, own.isPresent() ? own : settings.globalAssumeRole());
    }
}
