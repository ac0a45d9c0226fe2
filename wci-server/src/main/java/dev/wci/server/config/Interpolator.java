package dev.wci.server.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in a scalar with environment variables, like a shell
 * or Docker Compose: the default applies when the variable is unset or empty, and {@code $${} stands for a
 * literal {@code ${}. Defaults are taken literally (no nesting).
 */
final class Interpolator {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** What went wrong in one scalar; the message parts never include the scalar's text. */
    sealed interface Problem permits Unset, Malformed {
    }

    /** {@code ${NAME}} without a default, and NAME is not set. */
    record Unset(String name) implements Problem {
    }

    /** A {@code ${} that is not a well-formed reference. */
    record Malformed(String reason) implements Problem {
    }

    /** The interpolated text, or the problems (then {@code value} is null). */
    record Result(String value, List<Problem> problems) {
    }

    private final Function<String, String> env;

    Interpolator(Function<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    static boolean hasReference(String text) {
        return text.contains("${");
    }

    Result interpolate(String text) {
        if (!text.contains("$")) {
            return new Result(text, List.of());
        }
        StringBuilder out = new StringBuilder(text.length());
        List<Problem> problems = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (text.startsWith("${", i)) {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    problems.add(new Malformed("a ${ without its closing }"));
                    break;
                }
                String body = text.substring(i + 2, close);
                int sep = body.indexOf(":-");
                String name = sep < 0 ? body : body.substring(0, sep);
                if (!NAME.matcher(name).matches()) {
                    problems.add(new Malformed(name.isEmpty() ? "a ${} without a variable name"
                            : "a variable name that is not letters, digits and _ (not starting with a digit)"));
                } else {
                    String value = env.apply(name);
                    if (sep >= 0) {
                        out.append(value == null || value.isEmpty() ? body.substring(sep + 2) : value);
                    } else if (value == null) {
                        problems.add(new Unset(name));
                    } else {
                        out.append(value);
                    }
                }
                i = close + 1;
            } else {
                out.append(text.charAt(i));
                i++;
            }
        }
        return problems.isEmpty() ? new Result(out.toString(), List.of()) : new Result(null, List.copyOf(problems));
    }
}
