package dev.wci.server.scrape;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/** Reads one metrics page. Failures complete the future with a {@link ScrapeFailure} or an I/O exception. */
@FunctionalInterface
interface MetricsFetcher {

    CompletableFuture<String> fetch(URI endpoint);
}
