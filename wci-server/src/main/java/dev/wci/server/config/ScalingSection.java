package dev.wci.server.config;

import dev.wci.core.scaling.ScalingPolicy;
import dev.wci.server.config.NodeReader.Kind;
import dev.wci.server.config.NodeReader.Mapping;
import dev.wci.server.config.NodeReader.Scalar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The keys that override {@link ScalingPolicy}: the {@code scaling} sections (global and per deployment) and
 * the two totals of the {@code limits} section. {@link ScalingPolicy}'s own constructor decides what is valid;
 * this class only says where a rejected value was written and what to write instead.
 */
final class ScalingSection {

    /** One key and the policy field it sets. */
    record Field(String key, Kind<?> kind, BiConsumer<ScalingPolicy.Builder, Object> setter, String constraint) {
    }

    /** A value read from the file for a field. */
    record Setting(Field field, Scalar scalar, String path, Object value) {
    }

    private static final String COUNT = "an integer from 1 to " + Kinds.MAX_COUNT;
    private static final Kind<Integer> COUNT_KIND = Kinds.integer(1, Kinds.MAX_COUNT, COUNT);
    private static final String POSITIVE = "a positive duration " + Kinds.DURATION_EXAMPLES;
    private static final String NOT_NEGATIVE = "a duration " + Kinds.DURATION_EXAMPLES + " (0s or more)";

    static final Field MAX_WORKERS_TOTAL = new Field("maxWorkersTotal", COUNT_KIND,
            (b, v) -> b.maxWorkersTotal((Integer) v), COUNT);
    static final Field BUDGET_TOTAL = new Field("workerSecondsPerHourTotal", Kinds.budget(),
            (b, v) -> b.budgetTotal((Double) v), "a positive number of worker-seconds per hour or unlimited");

    /** The totals, which only the {@code limits} section may set. */
    static final List<Field> TOTALS = List.of(MAX_WORKERS_TOTAL, BUDGET_TOTAL);

    /** The keys of a {@code scaling} section, in documentation order. */
    static final List<Field> FIELDS = List.of(
            new Field("initialBurst", COUNT_KIND, (b, v) -> b.initialBurst((Integer) v), COUNT),
            new Field("drainTarget", Kinds.duration(), (b, v) -> b.drainTarget((Duration) v), POSITIVE),
            new Field("defaultWorkerThroughput", Kinds.number(), (b, v) -> b.defaultWorkerThroughput((Double) v),
                    "a positive number of tasks per second"),
            new Field("targetUtilization", Kinds.number(), (b, v) -> b.targetUtilization((Double) v),
                    "a number above 0 and at most 1"),
            new Field("coldStartDefault", Kinds.duration(), (b, v) -> b.coldStartDefault((Duration) v), POSITIVE),
            new Field("shutdownBuffer", Kinds.duration(), (b, v) -> b.shutdownBuffer((Duration) v), NOT_NEGATIVE),
            new Field("workerIdleExit", Kinds.duration(), (b, v) -> b.workerIdleExit((Duration) v), NOT_NEGATIVE),
            new Field("refreshMargin", Kinds.duration(), (b, v) -> b.refreshMargin((Duration) v), NOT_NEGATIVE),
            new Field("observationMaxAge", Kinds.duration(), (b, v) -> b.observationMaxAge((Duration) v), POSITIVE),
            new Field("maxWorkersPerVersion", COUNT_KIND, (b, v) -> b.maxWorkersPerVersion((Integer) v),
                    COUNT),
            new Field("invokeRatePerTarget", Kinds.number(), (b, v) -> b.invokeRatePerTarget((Double) v),
                    "a positive number of invokes per second"),
            new Field("invokeBurstPerTarget", COUNT_KIND, (b, v) -> b.invokeBurstPerTarget((Integer) v),
                    COUNT),
            new Field("workerSecondsPerHourPerVersion", Kinds.budget(), (b, v) -> b.budgetPerVersion((Double) v),
                    "a positive number of worker-seconds per hour or unlimited"),
            new Field("backoffBase", Kinds.duration(), (b, v) -> b.backoffBase((Duration) v), POSITIVE),
            new Field("backoffMax", Kinds.duration(), (b, v) -> b.backoffMax((Duration) v), POSITIVE));

    /** The keys of a {@code scaling} section. */
    static final List<String> KEYS = FIELDS.stream().map(Field::key).toList();

    /** The keys of the totals: read in a {@code scaling} section only to say that they belong to {@code limits}. */
    static final List<String> TOTAL_KEYS = TOTALS.stream().map(Field::key).toList();

    /**
     * A base on which each value is checked alone: backoff bounds so wide that only a value's own constraint
     * can fail, never its relation to the other bound.
     */
    private static final ScalingPolicy PERMISSIVE = ScalingPolicy.defaults().toBuilder()
            .backoffBase(Duration.ofMillis(1)).backoffMax(Duration.ofDays(365)).build();

    private ScalingSection() {
    }

    /** Reads {@code fields} from {@code m}; values of the wrong type are recorded and skipped. */
    static List<Setting> read(NodeReader r, Mapping m, List<Field> fields) {
        List<Setting> settings = new ArrayList<>();
        for (Field field : fields) {
            String path = m.path(field.key());
            Optional<Scalar> scalar = r.scalar(m, field.key(), field.kind().expected(), false);
            scalar.flatMap(s -> r.parse(s, path, field.kind()))
                    .ifPresent(v -> settings.add(new Setting(field, scalar.get(), path, v)));
        }
        return settings;
    }

    /** Reports the totals written in a {@code scaling} section: they belong to {@code limits}. */
    static void rejectTotals(NodeReader r, Mapping m, String where) {
        for (Field total : TOTALS) {
            m.keyNode(total.key()).ifPresent(key -> r.error(key, m.path(total.key()),
                    total.key() + " under limits (a total caps all deployments together)",
                    "it in " + where));
        }
    }

    /**
     * Applies {@code settings} over {@code base}. A value the policy refuses is recorded at the line it was
     * written on; the result then leaves it out, so later checks still run.
     *
     * @param section the node and path of the section, for a refusal that no single value explains
     */
    static ScalingPolicy apply(NodeReader r, ScalingPolicy base, List<Setting> settings, Node section, String path) {
        List<Setting> valid = new ArrayList<>();
        for (Setting s : settings) {
            ScalingPolicy.Builder alone = PERMISSIVE.toBuilder();
            s.field().setter().accept(alone, s.value());
            try {
                alone.build();
                valid.add(s);
            } catch (IllegalArgumentException e) {
                r.error(s.scalar().node(), s.path(), s.field().constraint(), NodeReader.found(s.scalar(), false));
            }
        }
        ScalingPolicy.Builder all = base.toBuilder();
        valid.forEach(s -> s.field().setter().accept(all, s.value()));
        try {
            return all.build();
        } catch (IllegalArgumentException e) {
            // Only the backoff bounds depend on each other.
            ScalingPolicy effectiveBounds = base;
            Optional<Setting> setBase = find(valid, "backoffBase");
            Optional<Setting> setMax = find(valid, "backoffMax");
            Duration backoffBase = setBase.map(s -> (Duration) s.value()).orElse(effectiveBounds.backoffBase());
            Duration backoffMax = setMax.map(s -> (Duration) s.value()).orElse(effectiveBounds.backoffMax());
            if (setMax.isPresent()) {
                Setting s = setMax.get();
                r.error(s.scalar().node(), s.path(), "a duration not shorter than backoffBase ("
                        + Kinds.format(backoffBase) + ")", NodeReader.found(s.scalar(), false));
            } else if (setBase.isPresent()) {
                Setting s = setBase.get();
                r.error(s.scalar().node(), s.path(), "a duration not longer than backoffMax ("
                        + Kinds.format(backoffMax) + ")", NodeReader.found(s.scalar(), false));
            } else {
                r.error(section, path, "scaling values the policy accepts", e.getMessage());
            }
            return base;
        }
    }

    private static Optional<Setting> find(List<Setting> settings, String key) {
        return settings.stream().filter(s -> s.field().key().equals(key)).findFirst();
    }
}
