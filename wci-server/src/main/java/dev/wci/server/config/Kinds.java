package dev.wci.server.config;

import dev.wci.server.config.NodeReader.Kind;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value kinds of the configuration schema and how each is written. Values are parsed from the text as
 * written (after interpolation), not from YAML's own typing, so {@code buildId: 1.10} stays {@code "1.10"}
 * and a quoted {@code "10"} is still a number.
 */
final class Kinds {

    static final String DURATION_EXAMPLES = "like 500ms, 8s, 2m";

    /** The longest duration any key takes: longer ones are mistakes, and would overflow the clock arithmetic. */
    static final Duration MAX_DURATION = Duration.ofDays(1);
    /** The largest count any key takes (workers, burst, ...): far above any real fleet. */
    static final int MAX_COUNT = 1_000_000;
    /** The largest number any key takes (rates, throughput, budgets other than unlimited). */
    static final double MAX_NUMBER = 1e9;

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    // Plain decimal notation only: Double.parseDouble would also take NaN, Infinity, hex and a trailing d/f.
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d{1,3})?");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");

    private Kinds() {
    }

    /** A value of the right form but outside the range; its message completes "found X, ...". */
    static final class OutOfRange extends IllegalArgumentException {
        OutOfRange(String which) {
            super(which, null);
        }
    }

    static Kind<String> text(String expected) {
        return new Kind<>(expected, s -> {
            if (s.isBlank()) {
                throw new IllegalArgumentException("blank");
            }
            return s;
        }, false);
    }

    static Kind<Boolean> bool() {
        return new Kind<>("true or false", s -> switch (s.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        }, false);
    }

    static Kind<Integer> integer(int min, int max, String expected) {
        return new Kind<>(expected, s -> {
            if (!INTEGER.matcher(s).matches()) {
                throw new IllegalArgumentException("not an integer");
            }
            boolean negative = s.startsWith("-");
            long v;
            try {
                v = Long.parseLong(s);
            } catch (NumberFormatException e) {
                v = negative ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            if (v > max) {
                throw new OutOfRange("which is too large (at most " + max + ")");
            }
            if (v < min) {
                throw new OutOfRange("which is too small (at least " + min + ")");
            }
            return (int) v;
        }, false);
    }

    /** Any integer: range checks are left to the record it goes into. */
    static Kind<Integer> integer() {
        return integer(Integer.MIN_VALUE, Integer.MAX_VALUE, "an integer");
    }

    static Kind<Double> number(DoublePredicate valid, String expected) {
        return new Kind<>(expected, s -> {
            if (!NUMBER.matcher(s).matches()) {
                throw new IllegalArgumentException("not a number");
            }
            double v = Double.parseDouble(s);
            if (!Double.isFinite(v) || Math.abs(v) > MAX_NUMBER) {
                throw new OutOfRange("which is too large (at most " + (long) MAX_NUMBER + ")");
            }
            if (!valid.test(v)) {
                throw new IllegalArgumentException("out of range");
            }
            return v;
        }, false);
    }

    /** Any finite number: range checks are left to the record it goes into. */
    static Kind<Double> number() {
        return number(v -> true, "a number");
    }

    /** A number or {@code unlimited} (positive infinity). */
    static Kind<Double> budget() {
        Kind<Double> number = number();
        return new Kind<>("a number or unlimited", s -> "unlimited".equalsIgnoreCase(s)
                ? Double.POSITIVE_INFINITY : number.parser().parse(s), false);
    }

    /** A whole number of milliseconds, seconds, minutes or hours. */
    static Kind<Duration> duration() {
        return duration("a duration " + DURATION_EXAMPLES, true);
    }

    static Kind<Duration> positiveDuration() {
        return duration("a positive duration " + DURATION_EXAMPLES, false);
    }

    private static Kind<Duration> duration(String expected, boolean zeroAllowed) {
        return new Kind<>(expected, s -> {
            Duration d = parseDuration(s);
            if (d.isZero() && !zeroAllowed) {
                throw new IllegalArgumentException("zero");
            }
            return d;
        }, false);
    }

    static Duration parseDuration(String s) {
        Matcher m = DURATION.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration");
        }
        // Digits beyond what a day holds in any unit are too long however many there are.
        long n = m.group(1).length() > 12 ? Long.MAX_VALUE / 1000 : Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(Math.min(n, MAX_DURATION.toSeconds() + 1));
            case "m" -> Duration.ofMinutes(Math.min(n, MAX_DURATION.toMinutes() + 1));
            default -> Duration.ofHours(Math.min(n, MAX_DURATION.toHours() + 1));
        };
        if (d.compareTo(MAX_DURATION) > 0) {
            throw new OutOfRange("which is longer than " + format(MAX_DURATION) + ", the most any duration here may be");
        }
        return d;
    }

    /** A duration as the user would write it: {@code 500ms}, {@code 8s}, {@code 2m}, {@code 1h}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    /** A listen or connect address. */
    record HostPort(String host, int port) {
    }

    /** {@code host:port}, {@code [v6]:port}; ports from {@code minPort} to 65535. */
    static Kind<HostPort> hostPort(int minPort, String expected) {
        return new Kind<>(expected, s -> {
            String host;
            String port;
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("bad IPv6 form");
                }
                host = s.substring(1, close);
                port = s.substring(close + 2);
                if (!IPV6.matcher(host).matches() || !host.contains(":")) {
                    throw new IllegalArgumentException("bad IPv6 address");
                }
            } else {
                int colon = s.lastIndexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("no port");
                }
                host = s.substring(0, colon);
                port = s.substring(colon + 1);
                if (!HOST.matcher(host).matches()) {
                    throw new IllegalArgumentException("bad host");
                }
            }
            if (!port.matches("\\d{1,5}")) {
                throw new IllegalArgumentException("bad port");
            }
            int p = Integer.parseInt(port);
            if (p < minPort || p > 65535) {
                throw new IllegalArgumentException("port out of range");
            }
            return new HostPort(host, p);
        }, false);
    }

    /** An absolute http or https URL with a host. */
    static Kind<URI> httpUri(String expected) {
        return new Kind<>(expected, s -> {
            URI uri = URI.create(s);
            if (!uri.isAbsolute() || uri.getHost() == null
                    || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
                throw new IllegalArgumentException("not an absolute http(s) URL");
            }
            return uri;
        }, false);
    }

    static Kind<String> region() {
        return new Kind<>("an AWS region like us-east-1", s -> {
            if (!REGION.matcher(s).matches()) {
                throw new IllegalArgumentException("not a region");
            }
            return s;
        }, false);
    }

    /** One of fixed words, ignoring case. */
    static <T> Kind<T> oneOf(Map<String, T> values, String expected) {
        return new Kind<>(expected, s -> {
            T v = values.get(s.toLowerCase(Locale.ROOT));
            if (v == null) {
                throw new IllegalArgumentException("not one of " + values.keySet());
            }
            return v;
        }, false);
    }
}
