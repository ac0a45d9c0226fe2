package dev.wci.server.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads values out of a composed YAML tree against the schema the caller states, collecting every mistake
 * as a {@link ConfigError} with the node's line and column. One instance per load: it holds the errors.
 *
 * <p>Reading never throws for bad input: a bad or missing value is recorded and reads as empty, so the
 * caller carries on (with defaults) and the user gets every mistake in one run.
 */
final class NodeReader {

    private final Path file;
    private final Interpolator interpolator;
    private final List<ConfigError> errors = new ArrayList<>();

    NodeReader(Path file, Interpolator interpolator) {
        this.file = file;
        this.interpolator = interpolator;
    }

    Path file() {
        return file;
    }

    /** The errors so far, in file order. */
    List<ConfigError> errors() {
        List<ConfigError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt((ConfigError e) -> e.location().line())
                .thenComparingInt(e -> e.location().column()));
        return sorted;
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** How many errors so far: a caller compares counts to tell whether a read it made failed. */
    int errorCount() {
        return errors.size();
    }

    ConfigLocation at(Node node) {
        return at(node.getStartMark());
    }

    ConfigLocation at(Mark mark) {
        return mark == null ? new ConfigLocation(file, 0, 0) : new ConfigLocation(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    void error(Node at, String path, String expected, String found) {
        error(at(at), path, expected, found);
    }

    void error(ConfigLocation at, String path, String expected, String found) {
        errors.add(new ConfigError(at, path, Redaction.userinfo(oneLine(expected)), Redaction.userinfo(oneLine(found))));
    }

    // ---- mappings ----

    /**
     * A mapping with its keys checked: unknown keys (with the closest allowed key when it looks like a typo),
     * duplicate keys and non-scalar keys are errors. A YAML null (an empty value) reads as an empty mapping.
     *
     * @return empty when {@code node} is not a mapping (recorded as an error)
     */
    Optional<Mapping> mapping(Node node, String path, String expected, List<String> keys) {
        return mapping(node, path, expected, keys, List.of());
    }

    /**
     * Like {@link #mapping(Node, String, String, List)}, with keys that are read (so the caller can say where
     * they belong instead) but not offered in the list of allowed keys.
     */
    Optional<Mapping> mapping(Node node, String path, String expected, List<String> keys, List<String> misplaced) {
        if (isNull(node)) {
            return Optional.of(new Mapping(node, path, Map.of(), Set.of()));
        }
        if (!(node instanceof MappingNode mapping)) {
            error(node, path, expected, describeKind(node));
            return Optional.empty();
        }
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        Set<String> suggested = new HashSet<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode keyScalar)) {
                error(keyNode, path, "a key name (one of " + String.join(", ", keys) + ")", describeKind(keyNode));
                continue;
            }
            String key = keyScalar.getValue();
            String keyPath = child(path, key);
            if (Tag.MERGE.equals(keyNode.getTag())) {
                error(keyNode, keyPath, "one of the keys " + String.join(", ", keys),
                        "a YAML merge key (<<), which is not supported: write the keys out, or reuse a whole value with an alias (*name)");
            } else if (!keys.contains(key) && !misplaced.contains(key)) {
                Optional<String> closest = KeySuggestion.closest(key, keys);
                closest.ifPresent(suggested::add);
                String hint = closest.map(k -> " (did you mean \"" + k + "\"?)").orElse("");
                error(keyNode, keyPath, "one of the keys " + String.join(", ", keys), "unknown key " + quote(key) + hint);
            } else if (entries.containsKey(key)) {
                error(keyNode, keyPath, "each key once", quote(key) + " again (first at "
                        + lineColumn(at(entries.get(key).getKeyNode())) + ")");
            } else {
                entries.put(key, tuple);
            }
        }
        return Optional.of(new Mapping(node, path, entries, suggested));
    }

    /** A mapping that was not written, so every key reads as absent; errors point at {@code where}. */
    Mapping absent(Node where, String path) {
        return new Mapping(where, path, Map.of(), Set.of());
    }

    /** The entries of a mapping in file order, keys already checked. */
    static final class Mapping {
        private final Node node;
        private final String path;
        private final Map<String, NodeTuple> entries;
        private final Set<String> suggested;

        private Mapping(Node node, String path, Map<String, NodeTuple> entries, Set<String> suggested) {
            this.node = node;
            this.path = path;
            this.entries = entries;
            this.suggested = suggested;
        }

        /**
         * Whether an unknown key of this mapping was reported as a likely misspelling of {@code key}: then its
         * absence is not reported again.
         */
        boolean misspelt(String key) {
            return suggested.contains(key);
        }

        Node node() {
            return node;
        }

        String path() {
            return path;
        }

        String path(String key) {
            return child(path, key);
        }

        /** The key as written, if present. */
        Optional<Node> keyNode(String key) {
            return Optional.ofNullable(entries.get(key)).map(NodeTuple::getKeyNode);
        }

        /** The value, if the key is present and its value is not a YAML null. */
        Optional<Node> value(String key) {
            NodeTuple tuple = entries.get(key);
            return tuple == null || isNull(tuple.getValueNode()) ? Optional.empty() : Optional.of(tuple.getValueNode());
        }

        /** The value even when it is a YAML null, if the key is present. */
        Optional<Node> rawValue(String key) {
            return Optional.ofNullable(entries.get(key)).map(NodeTuple::getValueNode);
        }

        boolean has(String key) {
            return entries.containsKey(key);
        }
    }

    // ---- sequences ----

    /** The items of a list; a single value where a list is expected is an error. */
    Optional<List<Node>> sequence(Node node, String path, String expected) {
        if (!(node instanceof SequenceNode sequence)) {
            error(node, path, expected, describeKind(node));
            return Optional.empty();
        }
        return Optional.of(sequence.getValue());
    }

    // ---- scalars ----

    /**
     * A scalar as written and after interpolation.
     *
     * @param node the YAML node (for its location)
     * @param raw  the text as written
     * @param text the text after {@code ${...}} interpolation
     */
    record Scalar(ScalarNode node, String raw, String text) {
    }

    /** How to read one kind of value: what the user is told to write, and the parse. */
    record Kind<T>(String expected, Parser<T> parser, boolean secret) {

        Kind<T> expecting(String other) {
            return new Kind<>(other, parser, secret);
        }

        Kind<T> asSecret() {
            return new Kind<>(expected, parser, true);
        }
    }

    /** Parses a text; any {@link RuntimeException} means "not a valid value". */
    @FunctionalInterface
    interface Parser<T> {
        T parse(String text);
    }

    /**
     * The interpolated scalar under {@code key}; empty when the key is absent, its value is null, it
     * interpolates to an empty string, or it is not a scalar or cannot be interpolated (both recorded).
     */
    Optional<Scalar> scalar(Mapping m, String key, String expected, boolean secret) {
        return m.value(key).flatMap(node -> scalar(node, m.path(key), expected, secret));
    }

    /** Like {@link #scalar(Mapping, String, String, boolean)} for a node already in hand (a list item). */
    Optional<Scalar> scalar(Node node, String path, String expected, boolean secret) {
        if (!(node instanceof ScalarNode scalar)) {
            error(node, path, expected, describeKind(node));
            return Optional.empty();
        }
        if (isNull(node)) {
            return Optional.empty();
        }
        String raw = scalar.getValue();
        Interpolator.Result result = interpolator.interpolate(raw);
        if (result.value() == null) {
            for (Interpolator.Problem problem : result.problems()) {
                if (problem instanceof Interpolator.Unset unset) {
                    error(node, path, "environment variable " + unset.name() + " to be set (or a default: ${"
                            + unset.name() + ":-default})", "it unset");
                } else if (problem instanceof Interpolator.Malformed malformed) {
                    error(node, path, "${NAME} or ${NAME:-default} (write $${ for a literal ${)",
                            (secret ? "the value" : quote(raw)) + ", which has " + malformed.reason());
                }
            }
            return Optional.empty();
        }
        if (result.value().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Scalar(scalar, raw, result.value()));
    }

    /** A typed optional value. */
    <T> Optional<T> value(Mapping m, String key, Kind<T> kind) {
        return scalar(m, key, kind.expected(), kind.secret()).flatMap(s -> parse(s, m.path(key), kind));
    }

    /** A typed value with a default for when it is absent (or wrong: the error is recorded). */
    <T> T value(Mapping m, String key, Kind<T> kind, T defaultValue) {
        return value(m, key, kind).orElse(defaultValue);
    }

    /** A typed value that must be present: its absence is recorded as an error. */
    <T> Optional<T> required(Mapping m, String key, Kind<T> kind) {
        return requiredScalar(m, key, kind.expected(), kind.secret()).flatMap(s -> parse(s, m.path(key), kind));
    }

    /** A scalar that must be present: its absence (or emptiness) is recorded as an error. */
    Optional<Scalar> requiredScalar(Mapping m, String key, String expected, boolean secret) {
        Optional<Node> written = m.rawValue(key);
        if (written.isEmpty() && m.misspelt(key)) {
            return Optional.empty();
        }
        if (written.isEmpty() || isNull(written.get())) {
            Node where = m.keyNode(key).orElse(m.node());
            error(where, m.path(key), expected, "nothing");
            return Optional.empty();
        }
        Node node = written.get();
        int before = errors.size();
        Optional<Scalar> scalar = scalar(node, m.path(key), expected, secret);
        if (scalar.isEmpty() && errors.size() == before) {
            // It interpolated to an empty string.
            String raw = ((ScalarNode) node).getValue();
            error(node, m.path(key), expected, "an empty value" + (Interpolator.hasReference(raw) ? " (from " + raw + ")" : ""));
        }
        return scalar;
    }

    /** Parses a scalar already read, recording a mismatch. */
    <T> Optional<T> parse(Scalar s, String path, Kind<T> kind) {
        try {
            return Optional.of(kind.parser().parse(s.text()));
        } catch (Kinds.OutOfRange e) {
            error(s.node(), path, kind.expected(), found(s, kind.secret()) + ", " + e.getMessage());
            return Optional.empty();
        } catch (RuntimeException e) {
            error(s.node(), path, kind.expected(), found(s, kind.secret()));
            return Optional.empty();
        }
    }

    /** How a scalar is shown after "found": quoted, with its source when interpolated; "the value" for secrets. */
    static String found(Scalar s, boolean secret) {
        if (secret) {
            return "the value";
        }
        return quote(s.text()) + (Interpolator.hasReference(s.raw()) ? " (from " + s.raw() + ")" : "");
    }

    // ---- helpers ----

    /** A place in the same file, for a message that refers to a second one. */
    static String lineColumn(ConfigLocation location) {
        return "line " + location.line() + ", column " + location.column();
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    static String describeKind(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (isNull(node)) {
            return "nothing";
        }
        return quote(((ScalarNode) node).getValue());
    }

    /** Double-quoted with escapes, so a value with quotes or line breaks still makes one line. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
