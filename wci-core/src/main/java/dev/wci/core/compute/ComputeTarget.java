package dev.wci.core.compute;

import java.util.Map;
import java.util.Objects;

/**
 * Where a version's workers run: a provider type (e.g. {@code aws-lambda}) and a provider-specific
 * address (for Lambda, a version-qualified function ARN).
 *
 * @param provider       provider type, matched against {@link ComputeProvider#type()}
 * @param address        provider-specific address of the immutable worker code
 * @param mutableAllowed explicit opt-in (development only) to a mutable address such as {@code $LATEST}
 * @param settings       provider-specific settings (e.g. an assume-role ARN); never printed, may hold secrets
 */
public record ComputeTarget(String provider, String address, boolean mutableAllowed, Map<String, String> settings) {

    public ComputeTarget {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(address, "address");
        if (provider.isBlank() || address.isBlank()) {
            throw new IllegalArgumentException("provider and address must not be blank");
        }
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }

    public ComputeTarget(String provider, String address) {
        this(provider, address, false, Map.of());
    }

    /** Settings may carry secrets (an external ID, say): only their names are printed. */
    @Override
    public String toString() {
        return provider + ":" + address + (mutableAllowed ? " (mutable allowed)" : "")
                + (settings.isEmpty() ? "" : " settings=" + settings.keySet());
    }
}
