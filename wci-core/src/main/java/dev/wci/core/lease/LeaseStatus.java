package dev.wci.core.lease;

import java.time.Instant;
import java.util.Optional;

/**
 * One deployment's lease as this replica knows it, for /status.
 *
 * @param owner        the holder, if known ({@code held} says whether it is this replica)
 * @param since        when the holder's hold began (store time), if known
 * @param held         this replica holds it and may invoke for it now
 * @param validUntil   when this replica stops trusting its lease unless renewed (only when held)
 * @param lastError    the last failed store call for it, or null
 */
public record LeaseStatus(String deployment, Optional<String> owner, Optional<Instant> since, boolean held,
                          Optional<Instant> validUntil, String lastError) {
}
