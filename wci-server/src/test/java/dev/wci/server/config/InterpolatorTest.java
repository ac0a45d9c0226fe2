package dev.wci.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterpolatorTest {

    private final Interpolator interpolator = new Interpolator(Map.of("HOST", "temporal", "EMPTY", "")::get);

    private String value(String text) {
        Interpolator.Result result = interpolator.interpolate(text);
        assertEquals(List.of(), result.problems());
        return result.value();
    }

    @Test
    void replacesVariablesAnywhereInTheValue() {
        assertEquals("temporal:7233", value("${HOST}:7233"));
        assertEquals("a-temporal-temporal", value("a-${HOST}-${HOST}"));
        assertEquals("no references", value("no references"));
        assertEquals("$5 and $HOST", value("$5 and $HOST"));
    }

    @Test
    void aDefaultAppliesWhenTheVariableIsUnsetOrEmpty() {
        assertEquals("temporal", value("${HOST:-other}"));
        assertEquals("other", value("${MISSING:-other}"));
        assertEquals("other", value("${EMPTY:-other}"));
        assertEquals("", value("${MISSING:-}"));
        assertEquals("a:b", value("${MISSING:-a:b}"));
        assertEquals("", value("${EMPTY}"));
    }

    @Test
    void dollarDollarBraceIsALiteral() {
        assertEquals("${HOST}", value("$${HOST}"));
        assertEquals("x${y", value("x$${y"));
        assertEquals("$$", value("$$"));
    }

    @Test
    void unsetVariablesAreAllReportedByName() {
        Interpolator.Result result = interpolator.interpolate("${A}:${HOST}:${B}");
        assertNull(result.value());
        assertEquals(List.of(new Interpolator.Unset("A"), new Interpolator.Unset("B")), result.problems());
    }

    @Test
    void malformedReferencesAreReported() {
        assertEquals(List.of(new Interpolator.Malformed("a ${ without its closing }")),
                interpolator.interpolate("abc${HOST").problems());
        assertEquals(List.of(new Interpolator.Malformed("a ${} without a variable name")),
                interpolator.interpolate("${}").problems());
        assertEquals(List.of(new Interpolator.Malformed(
                        "a variable name that is not letters, digits and _ (not starting with a digit)")),
                interpolator.interpolate("${A-B}").problems());
    }
}
