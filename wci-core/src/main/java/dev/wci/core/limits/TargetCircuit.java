package dev.wci.core.limits;

import dev.wci.core.compute.ComputeFailure;
import java.util.Optional;

/**
 * Opens when the provider says a target is invalid (not found, access denied, rejected); stays open
 * until the target validates again. A validation failure opens it too. Not thread-safe.
 */
public final class TargetCircuit {

    private ComputeFailure openedBy;

    public void open(ComputeFailure failure) {
        openedBy = failure;
    }

    public void close() {
        openedBy = null;
    }

    public boolean isOpen() {
        return openedBy != null;
    }

    public Optional<ComputeFailure> openedBy() {
        return Optional.ofNullable(openedBy);
    }
}
