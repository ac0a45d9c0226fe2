package dev.wci.server.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.server.scrape.PrometheusText.Sample;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrometheusTextTest {

    private static List<Sample> parse(String text, String... wanted) throws PrometheusFormatException {
        return PrometheusText.parse(text, Set.of(wanted)::contains);
    }

    @Test
    void readsTheCapturedTemporalPage() throws Exception {
        String page = Pages.load("temporal-1.32.0-scrape-1.txt");
        List<Sample> samples = parse(page, "tasks_added");
        assertEquals(22, samples.size());
        Sample pinnedBacklog = samples.stream()
                .filter(s -> s.labels().get("worker_version").equals("scrape_pin2_b_3")
                        && s.labels().get("task_add_result").equals("backlog"))
                .findFirst().orElseThrow();
        assertEquals(1.0, pinnedBacklog.value());
        assertEquals(Map.ofEntries(
                Map.entry("forwarded", "false"), Map.entry("namespace", "default"),
                Map.entry("namespace_state", "active"), Map.entry("operation", "TaskQueueMgr"),
                Map.entry("partition", "2"), Map.entry("service_name", "matching"),
                Map.entry("task_add_result", "backlog"), Map.entry("task_type", "Activity"),
                Map.entry("taskqueue", "scrape_q_pin2"), Map.entry("versioning_behavior", "Pinned"),
                Map.entry("worker_build_id", "b_3"), Map.entry("worker_deployment_name", "scrape_pin2"),
                Map.entry("worker_version", "scrape_pin2_b_3")), pinnedBacklog.labels());
        assertEquals(OptionalLong.empty(), pinnedBacklog.timestampMillis());

        List<Sample> buckets = parse(page, "acquire_shards_latency_bucket");
        Sample inf = buckets.get(buckets.size() - 1);
        assertEquals("+Inf", inf.labels().get("le"));
        assertEquals(6.0, inf.value());
        assertTrue(parse(page, "no_such_metric").isEmpty());
    }

    @Test
    void unescapesLabelValuesAndReadsSpecialValuesTimestampsAndExemplars() throws Exception {
        String text = """
                # HELP m A help text with \\\\ and \\n escapes
                # TYPE m counter
                # a plain comment
                m{a="quote \\" here",b="back \\\\ slash",c="new\\nline",} 1.5e3 1700000000000
                m{a="nan"} NaN
                m{a="pinf"} +Inf
                m{a="ninf"} -Inf # {trace_id="abc"} 1.0 1700000000
                \t m{a="blanks"  ,  b = "x" }   7   -12
                m 3
                other{a="x"} 1
                # EOF
                """;
        List<Sample> m = parse(text, "m");
        assertEquals(6, m.size());
        assertEquals(Map.of("a", "quote \" here", "b", "back \\ slash", "c", "new\nline"), m.get(0).labels());
        assertEquals(1500.0, m.get(0).value());
        assertEquals(OptionalLong.of(1_700_000_000_000L), m.get(0).timestampMillis());
        assertTrue(Double.isNaN(m.get(1).value()));
        assertEquals(Double.POSITIVE_INFINITY, m.get(2).value());
        assertEquals(Double.NEGATIVE_INFINITY, m.get(3).value());
        assertEquals(OptionalLong.empty(), m.get(3).timestampMillis());
        assertEquals(Map.of("a", "blanks", "b", "x"), m.get(4).labels());
        assertEquals(OptionalLong.of(-12), m.get(4).timestampMillis());
        assertEquals(Map.of(), m.get(5).labels());
        assertEquals(3.0, m.get(5).value());
    }

    @Test
    void acceptsWindowsLineEndsAndAMissingFinalNewline() throws Exception {
        List<Sample> m = parse("# TYPE m gauge\r\nm{a=\"1\"} 1\r\nm{a=\"2\"} 2", "m");
        assertEquals(2, m.size());
        assertEquals(2.0, m.get(1).value());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "invalid escape        | 2 | m{a=\"x\\ty\"} 1                         | invalid escape '\\t'",
        "unclosed value        | 2 | m{a=\"x} 1                              | not closed",
        "missing value         | 2 | m{a=\"x\"}                              | without a value",
        "two dots              | 2 | m 1.2.3                                  | '1.2.3' is not a number",
        "hex float             | 2 | m 0x10                                   | '0x10' is not a number",
        "java suffix           | 2 | m 1f                                     | '1f' is not a number",
        "bad timestamp         | 2 | m 1 12a                                  | '12a' is not a timestamp",
        "text after timestamp  | 2 | m 1 12 extra                             | unexpected text after the sample value",
        "label twice           | 2 | m{a=\"1\",a=\"2\"} 1                    | label 'a' appears twice",
        "missing equals        | 2 | m{a \"1\"} 1                            | expected '=' after label name 'a'",
        "unquoted label value  | 2 | m{a=1} 1                                 | expected '\"' to open",
        "missing comma         | 2 | m{a=\"1\" b=\"2\"} 1                    | expected ',' or '}'",
        "bad label name        | 2 | m{1a=\"1\"} 1                           | expected a label name",
        "bad metric name       | 2 | 1m 1                                     | expected a metric name",
        "unknown type          | 2 | # TYPE m meter                           | unknown metric type 'meter'",
        "second TYPE           | 2 | # TYPE ok counter                        | a second TYPE line for 'ok'",
        "TYPE after samples    | 2 | # TYPE ok_later gauge                    | comes after its samples",
        "help escape           | 2 | # HELP m bad \\t escape                  | invalid escape '\\t' in HELP",
        "text after EOF        | 3 | # EOF                                    | content after '# EOF'",
    })
    void refusesBrokenLinesWithTheLineNumber(String name, int line, String text, String message) {
        String page = text.startsWith("# TYPE ok counter") ? "# TYPE ok counter\n" + text + "\n"
                : text.startsWith("# TYPE ok_later") ? "ok_later 1\n" + text + "\n"
                : text.equals("# EOF") ? "ok 1\n# EOF\nok2 1\n"
                : "ok 1\n" + text + "\n";
        PrometheusFormatException e = assertThrows(PrometheusFormatException.class, () -> parse(page, "m"));
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().startsWith("line " + line + ": "), e.getMessage());
    }

    @Test
    void refusesARepeatedSeriesOfAWantedMetric() {
        PrometheusFormatException e = assertThrows(PrometheusFormatException.class,
                () -> parse("m{a=\"1\",b=\"2\"} 1\nm{b=\"2\",a=\"1\"} 2\n", "m"));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("appears twice"), e.getMessage());
    }

    @Test
    void checksLinesOfMetricsThatAreNotWanted() {
        PrometheusFormatException e = assertThrows(PrometheusFormatException.class,
                () -> parse("m 1\nother{a=\"x\\q\"} 1\n", "m"));
        assertEquals(2, e.line());
    }

    @Test
    void cutsLongLinesInTheMessage() {
        String longLine = "m{a=\"" + "x".repeat(500) + "\" 1";
        PrometheusFormatException e = assertThrows(PrometheusFormatException.class, () -> parse(longLine, "m"));
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        assertTrue(e.getMessage().endsWith("...'"), e.getMessage());
    }

    @Test
    void aPageNamingTooManyFamiliesIsRefusedInsteadOfRememberingThemAll() throws Exception {
        PrometheusText.Reader reader = new PrometheusText.Reader(name -> false, sample -> true);
        for (int i = 0; i < PrometheusText.MAX_FAMILIES; i++) {
            reader.line("m" + i + " 1");
        }
        PrometheusFormatException e = assertThrows(PrometheusFormatException.class, () -> reader.line("last 1"));
        assertTrue(e.getMessage().contains("more than " + PrometheusText.MAX_FAMILIES + " metric families"),
                e.getMessage());
    }
}
