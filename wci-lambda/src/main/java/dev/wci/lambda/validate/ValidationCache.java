package dev.wci.lambda.validate;

import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.version.DeploymentVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Caches validation results per (target, version) and rate-limits control-plane checks, whose quotas are low
 * and shared with every other tool of the account.
 *
 * <ul>
 *   <li>a Valid result is reused for {@code revalidationInterval};</li>
 *   <li>an Invalid result, or a Valid one {@linkplain #markStale marked stale} by an invoke failure that opens
 *       the circuit, is reused for {@code minRevalidationInterval}, so a broken target is re-checked soon but
 *       never more often than that;</li>
 *   <li>concurrent requests for the same key share one check.</li>
 * </ul>
 */
public final class ValidationCache {

    private record Key(ComputeTarget target, DeploymentVersion version) {
    }

    private record Entry(TargetValidation result, Instant checkedAt, boolean stale) {
    }

    private final Clock clock;
    private final Duration revalidationInterval;
    private final Duration minRevalidationInterval;
    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final Map<Key, CompletableFuture<TargetValidation>> inFlight = new ConcurrentHashMap<>();

    public ValidationCache(Clock clock, Duration revalidationInterval, Duration minRevalidationInterval) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.revalidationInterval = Objects.requireNonNull(revalidationInterval, "revalidationInterval");
        this.minRevalidationInterval = Objects.requireNonNull(minRevalidationInterval, "minRevalidationInterval");
    }

    /** The cached result if still fresh, else the result of {@code check} (shared with concurrent callers). */
    public CompletableFuture<TargetValidation> get(ComputeTarget target, DeploymentVersion version,
                                                   Supplier<CompletableFuture<TargetValidation>> check) {
        Key key = new Key(target, version);
        Optional<TargetValidation> fresh = fresh(key);
        if (fresh.isPresent()) {
            return CompletableFuture.completedFuture(fresh.get());
        }
        CompletableFuture<TargetValidation> mine = new CompletableFuture<>();
        CompletableFuture<TargetValidation> existing = inFlight.putIfAbsent(key, mine);
        if (existing != null) {
            return existing;
        }
        // Re-check under the in-flight claim: another caller may have stored a result in between.
        fresh = fresh(key);
        if (fresh.isPresent()) {
            inFlight.remove(key, mine);
            mine.complete(fresh.get());
            return mine;
        }
        CompletableFuture<TargetValidation> started;
        try {
            started = check.get();
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        started.whenComplete((result, error) -> {
            if (error == null) {
                entries.put(key, new Entry(result, clock.instant(), false));
            }
            inFlight.remove(key, mine);
            if (error != null) {
                mine.completeExceptionally(error);
            } else {
                mine.complete(result);
            }
        });
        return mine;
    }

    /** The last result for (target, version), fresh or not. */
    public Optional<TargetValidation> last(ComputeTarget target, DeploymentVersion version) {
        return Optional.ofNullable(entries.get(new Key(target, version))).map(Entry::result);
    }

    /**
     * Marks every cached result of {@code target} stale: an invoke failed in a way that makes the target invalid
     * (not found, access denied, rejected), so the next validation should ask Lambda again, within the minimum
     * interval.
     */
    public void markStale(ComputeTarget target) {
        entries.replaceAll((k, e) -> k.target().equals(target) ? new Entry(e.result(), e.checkedAt(), true) : e);
    }

    private Optional<TargetValidation> fresh(Key key) {
        Entry e = entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        Duration ttl = e.result().isValid() && !e.stale() ? revalidationInterval : minRevalidationInterval;
        return clock.instant().isBefore(e.checkedAt().plus(ttl)) ? Optional.of(e.result()) : Optional.empty();
    }
}
