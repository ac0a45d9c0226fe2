package dev.wci.server.config;

/**
 * Process-wide limits ({@code limits} section). The total worker cap and total budget live in
 * {@link WciConfig#scaling()}; this holds what is not a scaling decision.
 *
 * @param maxInFlightInvokes invoke requests outstanding at once (default 64)
 */
public record LimitsConfig(int maxInFlightInvokes) {
}
