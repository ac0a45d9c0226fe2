package dev.wci.core.limits;

import java.util.List;

/** What the limits allowed of a request: {@code granted} of {@code requested}, and which limits trimmed it, in order. */
public record Admission(int requested, int granted, List<LimitTrim> trims) {
    public Admission {
        trims = List.copyOf(trims);
    }

    public boolean trimmed() {
        return granted < requested;
    }
}
