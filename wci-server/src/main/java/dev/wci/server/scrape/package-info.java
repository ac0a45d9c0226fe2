/**
 * The {@code matching-metrics} signal source (self-hosted Temporal):
 * {@link dev.wci.server.scrape.MatchingMetricsSource} scrapes the matching service's Prometheus endpoints and
 * turns increases of {@code tasks_added} into {@link dev.wci.core.signal.SyncMatchFailure}s of managed versions.
 * What it reads, label formats and requirements: docs/matching-metrics.md.
 */
package dev.wci.server.scrape;
