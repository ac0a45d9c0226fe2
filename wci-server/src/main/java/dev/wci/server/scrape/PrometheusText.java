package dev.wci.server.scrape;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), as served by Temporal's metrics
 * endpoint. The Prometheus Java libraries on our class path only write this format, so it is read here.
 *
 * <p>Every line is checked, whether or not its metric is wanted: comments, {@code # HELP} (escapes {@code \\}
 * and {@code \n}), {@code # TYPE} (once per metric, before its first sample), metric and label names, label
 * values with the escapes {@code \"}, {@code \\} and {@code \n}, values in Go float syntax including
 * {@code NaN} and {@code ±Inf}, and optional millisecond timestamps. OpenMetrics exemplars after a sample
 * ({@code # {...} value}) and a final {@code # EOF} are accepted and ignored. A page that breaks any rule is
 * refused whole, with the line, so a half-understood page never turns into wrong counts: the {@link Reader} takes
 * a page one line at a time, and its caller uses what it collected only once the last line was read.
 */
final class PrometheusText {

    /**
     * One sample of a wanted metric.
     *
     * @param name            the metric name as written (e.g. {@code tasks_added})
     * @param labels          label names to unescaped values
     * @param value           the sample value (may be NaN or infinite)
     * @param timestampMillis the optional timestamp
     */
    record Sample(String name, Map<String, String> labels, double value, OptionalLong timestampMillis) {

        Sample {
            Objects.requireNonNull(name, "name");
            labels = Map.copyOf(labels);
            Objects.requireNonNull(timestampMillis, "timestampMillis");
        }
    }

    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /**
     * Metric families a page may name at most. The checks on HELP and TYPE lines remember every family name, so a
     * page of millions of one-sample families would otherwise cost memory for each; a real page has hundreds.
     */
    static final int MAX_FAMILIES = 100_000;

    /** Where a reader's wanted samples go. */
    @FunctionalInterface
    interface SampleSink {
        /** Takes a sample; returns false when its series was already taken from this page (refused as a repeat). */
        boolean accept(Sample sample);
    }

    private PrometheusText() {
    }

    /**
     * Reads a whole page (tests, small pages); the source streams pages through a {@link Reader}.
     *
     * @param text   the page
     * @param wanted which metric names (as written on sample lines) to return samples for
     * @return the samples of wanted metrics, in page order
     * @throws PrometheusFormatException at the first line that breaks the format, or a repeated series
     */
    static List<Sample> parse(String text, Predicate<String> wanted) throws PrometheusFormatException {
        Objects.requireNonNull(text, "text");
        List<Sample> samples = new ArrayList<>();
        Set<Map.Entry<String, Map<String, String>>> seriesSeen = new HashSet<>();
        Reader reader = new Reader(wanted, sample -> {
            boolean fresh = seriesSeen.add(Map.entry(sample.name(), sample.labels()));
            if (fresh) {
                samples.add(sample);
            }
            return fresh;
        });
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            int end = text.indexOf('\n', pos);
            if (end < 0) {
                end = n;
            }
            reader.line(text.substring(pos, end));
            pos = end + 1;
        }
        return samples;
    }

    /**
     * Reads a page one line at a time and keeps nothing of it but the family names the format checks need
     * (at most {@link #MAX_FAMILIES}): the wanted samples go to the sink as they are read. Not thread-safe.
     */
    static final class Reader {
        private final Predicate<String> wanted;
        private final SampleSink sink;
        private final Set<String> typed = new HashSet<>();
        private final Set<String> helped = new HashSet<>();
        private final Set<String> sampled = new HashSet<>();
        private boolean eof;
        private int lineNo;

        Reader(Predicate<String> wanted, SampleSink sink) {
            this.wanted = Objects.requireNonNull(wanted, "wanted");
            this.sink = Objects.requireNonNull(sink, "sink");
        }

        /**
         * Reads the next line of the page, without its line feed (a trailing carriage return is allowed).
         *
         * @throws PrometheusFormatException when the line breaks the format or repeats a wanted series
         */
        void line(String text) throws PrometheusFormatException {
            lineNo++;
            int lineEnd = !text.isEmpty() && text.charAt(text.length() - 1) == '\r' ? text.length() - 1 : text.length();
            Line line = new Line(text, 0, lineEnd, lineNo);
            line.skipBlanks();
            if (line.atEnd()) {
                return;
            }
            if (eof) {
                throw line.error("content after '# EOF'");
            }
            if (line.peek() == '#') {
                eof = comment(line, typed, helped, sampled);
            } else {
                Sample sample = sample(line, wanted);
                sampled.add(line.lastName);
                // A series is its name and labels; Prometheus refuses a page that repeats one.
                if (sample != null && !sink.accept(sample)) {
                    throw line.error("the series appears twice");
                }
            }
            if (typed.size() > MAX_FAMILIES || helped.size() > MAX_FAMILIES || sampled.size() > MAX_FAMILIES) {
                throw line.error("the page names more than " + MAX_FAMILIES + " metric families");
            }
        }

        /** Lines read so far. */
        int lines() {
            return lineNo;
        }
    }

    /** Reads a comment line; returns true for {@code # EOF}. */
    private static boolean comment(Line line, Set<String> typed, Set<String> helped, Set<String> sampled)
            throws PrometheusFormatException {
        line.next(); // '#'
        line.skipBlanks();
        String keyword = line.word();
        if (keyword.equals("EOF")) {
            line.skipBlanks();
            if (!line.atEnd()) {
                throw line.error("unexpected text after '# EOF'");
            }
            return true;
        }
        if (!keyword.equals("HELP") && !keyword.equals("TYPE")) {
            return false; // a plain comment
        }
        line.skipBlanks();
        String name = line.metricName();
        if (keyword.equals("HELP")) {
            if (!line.atEnd()) {
                line.requireBlank("after the metric name");
                line.skipBlanks();
                line.helpText();
            }
            if (!helped.add(name)) {
                throw line.error("a second HELP line for '" + name + "'");
            }
            return false;
        }
        line.requireBlank("after the metric name");
        line.skipBlanks();
        String type = line.word();
        if (!TYPES.contains(type)) {
            throw line.error("unknown metric type '" + type + "' (expected one of counter, gauge, histogram, "
                    + "summary, untyped)");
        }
        line.skipBlanks();
        if (!line.atEnd()) {
            throw line.error("unexpected text after the metric type");
        }
        if (!typed.add(name)) {
            throw line.error("a second TYPE line for '" + name + "'");
        }
        if (sampled.contains(name)) {
            throw line.error("the TYPE line for '" + name + "' comes after its samples");
        }
        return false;
    }

    private static Sample sample(Line line, Predicate<String> wanted) throws PrometheusFormatException {
        String name = line.metricName();
        line.lastName = name;
        boolean keep = wanted.test(name);
        Map<String, String> labels = keep ? new HashMap<>() : null;
        line.skipBlanks();
        if (!line.atEnd() && line.peek() == '{') {
            line.labels(labels);
            line.skipBlanks();
        }
        if (line.atEnd()) {
            throw line.error("a sample without a value");
        }
        double value = line.value();
        OptionalLong timestamp = OptionalLong.empty();
        line.skipBlanks();
        if (!line.atEnd() && line.peek() != '#') {
            timestamp = OptionalLong.of(line.timestamp());
            line.skipBlanks();
        }
        if (!line.atEnd() && line.peek() != '#') {
            throw line.error("unexpected text after the sample value");
        }
        // Anything from '#' on is an OpenMetrics exemplar: not needed, ignored.
        return keep ? new Sample(name, labels, value, timestamp) : null;
    }

    /** A cursor over one line. */
    private static final class Line {
        private final String text;
        private final int start;
        private final int end;
        private final int number;
        private int pos;
        String lastName;

        Line(String text, int start, int end, int number) {
            this.text = text;
            this.start = start;
            this.end = end;
            this.number = number;
            this.pos = start;
        }

        boolean atEnd() {
            return pos >= end;
        }

        char peek() {
            return text.charAt(pos);
        }

        char next() throws PrometheusFormatException {
            if (pos >= end) {
                throw error("the line ends too early");
            }
            return text.charAt(pos++);
        }

        boolean blank() {
            char c = text.charAt(pos);
            return c == ' ' || c == '\t';
        }

        void skipBlanks() {
            while (pos < end && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
                pos++;
            }
        }

        void requireBlank(String where) throws PrometheusFormatException {
            if (atEnd() || !blank()) {
                throw error("expected a space " + where);
            }
        }

        /** A run of non-blank characters. */
        String word() {
            int from = pos;
            while (pos < end && text.charAt(pos) != ' ' && text.charAt(pos) != '\t') {
                pos++;
            }
            return text.substring(from, pos);
        }

        String metricName() throws PrometheusFormatException {
            int from = pos;
            if (atEnd() || !nameStart(peek(), true)) {
                throw error("expected a metric name");
            }
            pos++;
            while (pos < end && namePart(text.charAt(pos), true)) {
                pos++;
            }
            return text.substring(from, pos);
        }

        private String labelName() throws PrometheusFormatException {
            int from = pos;
            if (atEnd() || !nameStart(peek(), false)) {
                throw error("expected a label name");
            }
            pos++;
            while (pos < end && namePart(text.charAt(pos), false)) {
                pos++;
            }
            return text.substring(from, pos);
        }

        /** Reads {@code {name="value",...}}; fills {@code into} unless it is null (labels of unwanted metrics). */
        void labels(Map<String, String> into) throws PrometheusFormatException {
            next(); // '{'
            Set<String> names = into == null ? new HashSet<>() : into.keySet();
            while (true) {
                skipBlanks();
                if (!atEnd() && peek() == '}') {
                    pos++;
                    return;
                }
                String name = labelName();
                skipBlanks();
                if (next() != '=') {
                    pos--;
                    throw error("expected '=' after label name '" + name + "'");
                }
                skipBlanks();
                if (next() != '"') {
                    pos--;
                    throw error("expected '\"' to open the value of label '" + name + "'");
                }
                String value = labelValue(into != null);
                boolean fresh = into == null ? names.add(name) : into.put(name, value) == null;
                if (!fresh) {
                    throw error("label '" + name + "' appears twice");
                }
                skipBlanks();
                char c = next();
                if (c == '}') {
                    return;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or '}' after the value of label '" + name + "'");
                }
            }
        }

        /** Reads up to the closing quote; returns the unescaped value when {@code keep}, else null. */
        private String labelValue(boolean keep) throws PrometheusFormatException {
            StringBuilder sb = keep ? new StringBuilder() : null;
            while (true) {
                if (atEnd()) {
                    throw error("a label value is not closed with '\"'");
                }
                char c = text.charAt(pos++);
                if (c == '"') {
                    return keep ? sb.toString() : null;
                }
                if (c == '\\') {
                    if (atEnd()) {
                        throw error("a label value ends in a lone '\\'");
                    }
                    char e = text.charAt(pos++);
                    c = switch (e) {
                        case '\\' -> '\\';
                        case '"' -> '"';
                        case 'n' -> '\n';
                        default -> throw error("invalid escape '\\" + e + "' in a label value (only \\\\, \\\" and "
                                + "\\n are allowed)");
                    };
                }
                if (keep) {
                    sb.append(c);
                }
            }
        }

        /** Checks the rest of a HELP line: only the escapes {@code \\} and {@code \n}. */
        void helpText() throws PrometheusFormatException {
            while (pos < end) {
                char c = text.charAt(pos++);
                if (c == '\\') {
                    if (atEnd()) {
                        throw error("HELP text ends in a lone '\\'");
                    }
                    char e = text.charAt(pos++);
                    if (e != '\\' && e != 'n') {
                        throw error("invalid escape '\\" + e + "' in HELP text (only \\\\ and \\n are allowed)");
                    }
                }
            }
        }

        double value() throws PrometheusFormatException {
            String token = word();
            String lower = token.toLowerCase(Locale.ROOT);
            switch (lower) {
                case "nan":
                    return Double.NaN;
                case "+inf", "inf", "+infinity", "infinity":
                    return Double.POSITIVE_INFINITY;
                case "-inf", "-infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
            if (!decimal(token)) {
                throw error("'" + token + "' is not a number");
            }
            return Double.parseDouble(token);
        }

        long timestamp() throws PrometheusFormatException {
            String token = word();
            int i = token.startsWith("-") || token.startsWith("+") ? 1 : 0;
            boolean digits = token.length() > i;
            for (int k = i; k < token.length(); k++) {
                digits &= isDigit(token.charAt(k));
            }
            if (!digits) {
                throw error("'" + token + "' is not a timestamp (integer milliseconds)");
            }
            try {
                return Long.parseLong(token);
            } catch (NumberFormatException e) {
                throw error("timestamp '" + token + "' is out of range");
            }
        }

        PrometheusFormatException error(String problem) {
            return new PrometheusFormatException(number, problem, text.substring(start, end));
        }

        /** [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)? */
        private static boolean decimal(String s) {
            int i = 0;
            int n = s.length();
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int intDigits = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                intDigits++;
            }
            int fracDigits = 0;
            if (i < n && s.charAt(i) == '.') {
                i++;
                while (i < n && isDigit(s.charAt(i))) {
                    i++;
                    fracDigits++;
                }
            }
            if (intDigits + fracDigits == 0) {
                return false;
            }
            if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                i++;
                if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                int expDigits = 0;
                while (i < n && isDigit(s.charAt(i))) {
                    i++;
                    expDigits++;
                }
                if (expDigits == 0) {
                    return false;
                }
            }
            return i == n;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private static boolean nameStart(char c, boolean colonAllowed) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colonAllowed && c == ':');
        }

        private static boolean namePart(char c, boolean colonAllowed) {
            return nameStart(c, colonAllowed) || isDigit(c);
        }
    }
}
