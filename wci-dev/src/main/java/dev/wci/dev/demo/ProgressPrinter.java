package dev.wci.dev.demo;

import java.io.PrintStream;
import java.util.List;

/**
 * Writes progress to the terminal: on a terminal the block is redrawn in place (ANSI cursor movement) and events
 * are printed above it; elsewhere (a pipe, a file) every update is one line.
 */
final class ProgressPrinter {

    private static final String UP_LINES = "\033[%dF"; // cursor to the start of the line N lines up
    private static final String CLEAR_BELOW = "\033[J";

    private final PrintStream out;
    private final boolean ansi;
    private List<String> shown = List.of();

    ProgressPrinter(PrintStream out, boolean ansi) {
        this.out = out;
        this.ansi = ansi;
    }

    /** Whether stdout is an interactive terminal that understands ANSI sequences. */
    static boolean terminal(java.util.function.Function<String, String> env) {
        String term = env.apply("TERM");
        return System.console() != null && term != null && !term.isBlank() && !"dumb".equals(term);
    }

    /** A message that stays on screen (above the redrawn block). */
    synchronized void event(String message) {
        erase();
        out.println(message);
        draw(shown);
    }

    /** Replaces the progress display. */
    synchronized void update(Progress.Snapshot snapshot) {
        if (ansi) {
            erase();
            draw(Progress.block(snapshot));
        } else {
            out.println(Progress.line(snapshot));
        }
        out.flush();
    }

    /** Leaves the last block on screen; later output goes below it. */
    synchronized void release() {
        shown = List.of();
    }

    private void erase() {
        if (ansi && !shown.isEmpty()) {
            out.print(String.format(UP_LINES, shown.size()) + CLEAR_BELOW);
        }
    }

    private void draw(List<String> lines) {
        if (ansi) {
            lines.forEach(out::println);
            shown = List.copyOf(lines);
        }
        out.flush();
    }
}
