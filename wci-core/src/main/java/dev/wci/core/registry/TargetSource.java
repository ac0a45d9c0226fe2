package dev.wci.core.registry;

/** Where a version's target came from. */
public enum TargetSource {
    /** The configuration file: always wins. */
    YAML,
    /** The version's Temporal metadata (key {@code wci.lambda.target}), for deployments that allow it. */
    METADATA
}
