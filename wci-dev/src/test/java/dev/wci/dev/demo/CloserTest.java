package dev.wci.dev.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloserTest {

    @Test
    void closesInReverseOrderOnceAndKeepsGoingPastAFailure() {
        List<String> closed = new ArrayList<>();
        Closer closer = new Closer();
        closer.add("dev server", () -> closed.add("dev server"));
        closer.add("runtime", () -> {
            closed.add("runtime");
            throw new IllegalStateException("already gone");
        });
        closer.add("wci", () -> closed.add("wci"));
        closer.close();
        closer.close();
        assertEquals(List.of("wci", "runtime", "dev server"), closed);

        closer.add("late", () -> closed.add("late"));
        assertEquals(List.of("wci", "runtime", "dev server", "late"), closed, "started after closing: undone at once");
    }
}
