package dev.wci.server.scrape;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * Reads one metrics page and hands it over line by line, so that no page is ever held whole. Failures complete the
 * future with a {@link ScrapeFailure}, a {@link PrometheusFormatException} from the lines, or an I/O exception.
 */
@FunctionalInterface
interface MetricsFetcher extends AutoCloseable {

    /** Takes the lines of a page, in order, on a thread of the fetcher. */
    @FunctionalInterface
    interface PageLines {
        /** One line without its line feed. */
        void line(String line) throws PrometheusFormatException;
    }

    /**
     * Starts reading a page.
     *
     * @return completes when the last line was handed over, or with the failure; cancelling it aborts the request
     *     and closes its connection
     */
    CompletableFuture<Void> fetch(URI endpoint, PageLines lines);

    /** Releases the fetcher's threads; nothing by default. */
    @Override
    default void close() {
    }
}
