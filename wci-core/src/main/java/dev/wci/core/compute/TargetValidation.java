package dev.wci.core.compute;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** The typed result of validating a target: valid (possibly with warnings) or invalid with a classified failure. */
public sealed interface TargetValidation {

    Instant checkedAt();

    boolean isValid();

    /** The target can be invoked. Warnings are for operators (logs, status, metrics). */
    record Valid(TargetFacts facts, List<String> warnings, Instant checkedAt) implements TargetValidation {
        public Valid {
            Objects.requireNonNull(facts, "facts");
            Objects.requireNonNull(checkedAt, "checkedAt");
            warnings = List.copyOf(warnings);
        }

        @Override
        public boolean isValid() {
            return true;
        }
    }

    /** The target must not be invoked until it validates again. */
    record Invalid(ComputeFailure failure, Instant checkedAt) implements TargetValidation {
        public Invalid {
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(checkedAt, "checkedAt");
        }

        @Override
        public boolean isValid() {
            return false;
        }
    }
}
