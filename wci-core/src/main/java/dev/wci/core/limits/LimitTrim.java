package dev.wci.core.limits;

/**
 * A limit that reduced a decision from {@code before} to {@code after} workers. A circuit that is half-open or ramping
 * is recorded even when it cut nothing ({@code before == after}): the decision was a probe or a ramp step.
 */
public record LimitTrim(LimitKind limit, int before, int after) {
    public LimitTrim {
        if (after > before || after < 0) {
            throw new IllegalArgumentException("a trim reduces: " + before + " -> " + after);
        }
    }
}
