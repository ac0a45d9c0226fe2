package dev.wci.server.scrape;

/** A metrics page that is not valid Prometheus text exposition format; says which line and what was wrong. */
final class PrometheusFormatException extends Exception {

    private static final int MAX_EXCERPT = 120;

    private final int line;

    PrometheusFormatException(int line, String problem, String lineText) {
        super("line " + line + ": " + problem + " in '" + excerpt(lineText) + "'");
        this.line = line;
    }

    /** 1-based line number of the offending line. */
    int line() {
        return line;
    }

    private static String excerpt(String text) {
        return text.length() <= MAX_EXCERPT ? text : text.substring(0, MAX_EXCERPT) + "...";
    }
}
