package dev.wci.server.scrape;

/**
 * Label values as Temporal's default metrics reporter (tally, Prometheus framework) writes them: every character
 * other than an ASCII letter, digit or {@code _} becomes {@code _} (one per code point). So task queue
 * {@code orders-v1.eu} is exported as {@code orders_v1_eu}, and build ID {@code 1.4.2} as {@code 1_4_2}. The
 * OpenTelemetry framework exports values unchanged; comparing both sides in this form matches either.
 */
final class TallyNames {

    private TallyNames() {
    }

    static String sanitize(String value) {
        StringBuilder sb = null;
        int i = 0;
        while (i < value.length()) {
            int cp = value.codePointAt(i);
            boolean ok = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')
                    || cp == '_';
            if (!ok && sb == null) {
                sb = new StringBuilder(value.length()).append(value, 0, i);
            }
            if (sb != null) {
                if (ok) {
                    sb.appendCodePoint(cp);
                } else {
                    sb.append('_');
                }
            }
            i += Character.charCount(cp);
        }
        return sb == null ? value : sb.toString();
    }
}
