package dev.wci.server.scrape;

import java.io.IOException;

/** A scrape that reached the endpoint but got no usable page; {@code result} is its wci.scrape.requests tag. */
final class ScrapeFailure extends IOException {

    private final String result;

    ScrapeFailure(String result, String message) {
        super(message);
        this.result = result;
    }

    String result() {
        return result;
    }
}
