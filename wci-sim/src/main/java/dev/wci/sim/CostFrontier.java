package dev.wci.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cost frontier of the random benchmark ({@code wci simulate --random N --frontier}): for each draw where WCI's
 * worker-seconds exceed {@link #GOAL} × the reference's, the cheapest member of a family of oracle policies whose
 * p99 is inside the draw's band ({@link RandomBenchmark#bandLimit} of the best algorithm's p99). If even that
 * costs more than {@link #GOAL} × the reference's worker-seconds, no controller can be both in band and within the
 * goal on that draw under the model; if it costs less, the draw is winnable and the member shows how. The
 * benchmark's own algorithms in band count as runs too (the frontier is at most what one of them paid).
 *
 * <p><b>The family.</b> {@link OneShotFleetAlgorithm}: at each version's first sync-match failure, start a fleet of
 * {@code ceil(K · n_v / N)} workers at once ({@code n_v} of the draw's {@code N} tasks are the version's, at least
 * one worker for a version with tasks), K swept; then either nothing more, or everything the reference does
 * ({@code +ref}; K = 0 with it is the reference itself). Why this is a lower bound on the cost of a given p99 for a
 * <b>burst</b> (every task arrives at one instant): no causal controller can start a worker before the first
 * failure reaches it; a worker started later than that serves less of the backlog for the same overhead (its cold
 * start, its idle exit, slots idle while its last tasks finish), so for a given drain time the fewest workers, and
 * the least overhead, is the whole fleet at once at the first failure; sizing it by each version's share of the
 * tasks is what an oracle that knew the burst would do. The {@code +ref} variant is needed because a small fleet may
 * reach its lifetime with tasks left (then nothing serves them); the plain one because the reference's later
 * invokes only add cost. Limits of that argument: it holds per version up to the models' noise (cold-start draws
 * differ between runs: a member can be lucky or unlucky by a slow start); the sweep runs a doubling grid of fleets
 * up to the first in band, then every fleet between it and the grid point below (the p99 falls as the fleet grows,
 * the cost rises: the smallest fleet in band is the cheapest), and takes the cheapest run in band. A fleet is
 * capped at one slot per task (plus one worker per version) and at what the account and Lambda's scaling rate
 * let start at once.
 *
 * <p><b>Not a lower bound for other shapes</b> (steady, spikes, diurnal, ramps, on-off): after the first failure
 * tasks keep arriving, and a controller that tracks them (WCI's own median is 1.0× the reference) can be cheaper than
 * "a fleet, then the reference". There a member in band within the goal still proves the draw winnable (it exists);
 * none proves nothing: the verdict is {@link Verdict#OPEN}.
 */
public final class CostFrontier {

    /** The worker-seconds goal, relative to the reference's. */
    public static final double GOAL = 1.25;

    /** The verdict on one draw. */
    public enum Verdict {
        /** A run is in band within {@link #GOAL}: some controller can meet both on this draw. */
        WINNABLE,
        /** A burst whose cheapest run in band costs more than {@link #GOAL}: no controller meets both. */
        UNWINNABLE,
        /** Not a burst, and no run in band within the goal: the family proves nothing either way. */
        OPEN
    }

    /**
     * A run in band: a member of the family, or one of the benchmark's algorithms (an algorithm in band is a point
     * the frontier cannot be above; the reference is the family's K = 0 member with {@code +ref}).
     *
     * @param name   the member's name ({@link OneShotFleetAlgorithm#name}) or the algorithm's
     * @param result its run
     */
    public record Member(String name, SimResult result) {
    }

    /**
     * The frontier of one draw.
     *
     * @param draw     the benchmark's results of the draw
     * @param cheapest the cheapest run in band (a member or an algorithm of the benchmark); null when none is
     * @param runs     members simulated
     * @param verdict  what the draw shows
     */
    public record Row(RandomBenchmark.DrawResult draw, Member cheapest, int runs, Verdict verdict) {

        public double referenceSeconds() {
            return draw.of(RandomBenchmark.REFERENCE).workerSeconds();
        }

        public double wciRatio() {
            return RandomBenchmark.workerRatio(draw, WciSimAlgorithm.NAME, RandomBenchmark.REFERENCE);
        }

        /** The cheapest run's worker-seconds relative to the reference's; NaN when none is in band. */
        public double frontierRatio() {
            return cheapest == null ? Double.NaN : cheapest.result().workerSeconds() / referenceSeconds();
        }
    }

    private CostFrontier() {
    }

    /**
     * The frontier of every draw whose WCI worker-seconds exceed {@link #GOAL} × the reference's, {@code threads}
     * draws at a time, in draw order. The draws must have run with both {@code wci} and the reference.
     */
    public static List<Row> check(List<RandomBenchmark.DrawResult> draws, int threads) {
        List<RandomBenchmark.DrawResult> above = draws.stream()
                .filter(d -> RandomBenchmark.workerRatio(d, WciSimAlgorithm.NAME, RandomBenchmark.REFERENCE) > GOAL)
                .toList();
        return RandomBenchmark.parallel(above, CostFrontier::checkOne, threads);
    }

    /** The frontier of one draw (whatever its WCI cost). */
    public static Row checkOne(RandomBenchmark.DrawResult d) {
        double limit = RandomBenchmark.bandLimit(d.bestP99());
        SimResult reference = d.of(RandomBenchmark.REFERENCE);
        List<Member> inBand = new ArrayList<>();
        for (SimResult r : d.results()) {
            if (r.p99() <= limit) {
                inBand.add(new Member(r.algorithm(), r));
            }
        }
        int runs = 0;
        // The reference in band is the family's K = 0 member at 1.0×: the draw is winnable, no sweep needed.
        if (reference.p99() > limit) {
            Sweep sweep = new Sweep(d);
            sweep.sweep(false, limit);
            sweep.sweep(true, limit);
            // Every member run in band is a candidate: the cost need not rise with the fleet.
            for (Member m : sweep.runs.values()) {
                if (m.result().p99() <= limit) {
                    inBand.add(m);
                }
            }
            runs = sweep.runs.size();
        }
        Member cheapest = inBand.stream().min(Comparator.comparingDouble((Member m) -> m.result().workerSeconds())
                .thenComparing(Member::name)).orElse(null);
        Verdict verdict;
        if (cheapest != null && cheapest.result().workerSeconds() <= GOAL * reference.workerSeconds()) {
            verdict = Verdict.WINNABLE;
        } else if (cheapest != null && d.draw().workload().kind() == WorkloadKind.BURST) {
            verdict = Verdict.UNWINNABLE;
        } else {
            verdict = Verdict.OPEN;
        }
        return new Row(d, cheapest, runs, verdict);
    }

    /**
     * WCI's worker-seconds p90 relative to the reference over all draws, had it cost what the cheapest run in band
     * costs on every draw of {@code rows} that is winnable or unwinnable (in band there by construction); its own
     * cost elsewhere.
     */
    public static double achievableP90(List<RandomBenchmark.DrawResult> all, List<Row> rows) {
        Map<Integer, Row> byIndex = new HashMap<>();
        for (Row r : rows) {
            byIndex.put(r.draw().draw().index(), r);
        }
        double[] ratios = new double[all.size()];
        for (int i = 0; i < ratios.length; i++) {
            RandomBenchmark.DrawResult d = all.get(i);
            Row r = byIndex.get(d.draw().index());
            // On an open draw the family claims nothing: WCI's own cost stays.
            ratios[i] = r != null && r.verdict() != Verdict.OPEN ? r.frontierRatio()
                    : RandomBenchmark.workerRatio(d, WciSimAlgorithm.NAME, RandomBenchmark.REFERENCE);
        }
        Arrays.sort(ratios);
        return RandomBenchmark.pct(ratios, 0.9);
    }

    /** The rows, then the counts and the p90 WCI has and the p90 the frontier allows. */
    public static String table(long seed, List<RandomBenchmark.DrawResult> all, List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "cost frontier: seed %d, %d of %d draws with wci worker-seconds above "
                + "%.2fx %s%nfamily: a fleet of K started at each version's first sync-match failure, then nothing "
                + "or the reference (+ref); the cheapest run (member or algorithm) with p99 in the band%n%n", seed,
                rows.size(), all.size(), GOAL, RandomBenchmark.REFERENCE));
        b.append(String.format(Locale.ROOT, "%5s %-9s %9s %9s %9s %9s %7s %8s  %-17s %9s %7s %8s  %s%n", "draw",
                "shape", "best_p99", "band_p99", "ref_ws", "wci_p99", "wci_x", "wci_peak", "frontier", "fr_p99", "fr_x",
                "fr_peak", "verdict"));
        int[] counts = new int[Verdict.values().length];
        List<Double> overpayWinnable = new ArrayList<>();
        List<Double> overpayUnwinnable = new ArrayList<>();
        for (Row r : rows) {
            counts[r.verdict().ordinal()]++;
            SimResult wci = r.draw().of(WciSimAlgorithm.NAME);
            Member m = r.cheapest();
            b.append(String.format(Locale.ROOT, "%5s %-9s %9.3f %9.3f %9.1f %9.3f %6.2fx %8d  %-17s %9s %7s %8s  %s%n",
                    "#" + r.draw().draw().index(), r.draw().draw().workload().name(), r.draw().bestP99(),
                    RandomBenchmark.bandLimit(r.draw().bestP99()), r.referenceSeconds(), wci.p99(), r.wciRatio(),
                    wci.peakWorkers(), m == null ? "none in band" : m.name(),
                    m == null ? "-" : String.format(Locale.ROOT, "%.3f", m.result().p99()),
                    m == null ? "-" : String.format(Locale.ROOT, "%.2fx", r.frontierRatio()),
                    m == null ? "-" : Integer.toString(m.result().peakWorkers()),
                    r.verdict().name().toLowerCase(Locale.ROOT)));
            if (r.verdict() != Verdict.OPEN) {
                (r.verdict() == Verdict.WINNABLE ? overpayWinnable : overpayUnwinnable)
                        .add(r.wciRatio() / r.frontierRatio());
            }
        }
        double[] w = overpayWinnable.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] u = overpayUnwinnable.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] wci = all.stream().mapToDouble(d -> RandomBenchmark.workerRatio(d, WciSimAlgorithm.NAME,
                RandomBenchmark.REFERENCE)).sorted().toArray();
        double achievable = achievableP90(all, rows);
        b.append(String.format(Locale.ROOT, "%n%d draws above %.2fx: %d unwinnable (bursts whose cheapest run in "
                        + "band costs more; wci pays %.2fx that at the median, %.2fx at most), %d winnable (wci pays "
                        + "%.2fx the frontier's cost at the median, %.2fx at most), %d open%n", rows.size(), GOAL,
                counts[Verdict.UNWINNABLE.ordinal()], RandomBenchmark.pct(u, 0.5), u.length == 0 ? 0 : u[u.length - 1],
                counts[Verdict.WINNABLE.ordinal()], RandomBenchmark.pct(w, 0.5), w.length == 0 ? 0 : w[w.length - 1],
                counts[Verdict.OPEN.ordinal()]));
        int stayAbove = counts[Verdict.UNWINNABLE.ordinal()] + counts[Verdict.OPEN.ordinal()];
        int allowed = all.size() - (int) Math.ceil(0.9 * all.size());
        b.append(String.format(Locale.ROOT, "wci worker-seconds p90 %.2fx; at the frontier's cost on the winnable and "
                        + "unwinnable draws: p90 %.2fx (goal %.2fx: %s; %d draws stay above it, %d may)%n",
                RandomBenchmark.pct(wci, 0.9), achievable, GOAL,
                achievable <= GOAL ? "feasible" : "not feasible on this seed", stayAbove, allowed));
        return b.toString();
    }

    /** One row per checked draw. */
    public static String csv(List<Row> rows) {
        StringBuilder b = new StringBuilder("draw,seed,workload,best_p99_s,band_p99_s,ref_worker_s,wci_p99_s,"
                + "wci_worker_ratio,wci_peak_workers,frontier,frontier_p99_s,frontier_worker_ratio,"
                + "frontier_peak_workers,members_run,verdict,params,command\n");
        for (Row r : rows) {
            RandomBenchmark.DrawResult d = r.draw();
            SimResult wci = d.of(WciSimAlgorithm.NAME);
            Member m = r.cheapest();
            b.append(d.draw().index()).append(',').append(d.draw().seed()).append(',')
                    .append(d.draw().workload().name()).append(',').append(fmt(d.bestP99())).append(',')
                    .append(fmt(RandomBenchmark.bandLimit(d.bestP99()))).append(',').append(fmt(r.referenceSeconds()))
                    .append(',').append(fmt(wci.p99())).append(',').append(fmt(r.wciRatio())).append(',')
                    .append(wci.peakWorkers()).append(',').append(m == null ? "" : m.name()).append(',')
                    .append(m == null ? "" : fmt(m.result().p99())).append(',')
                    .append(m == null ? "" : fmt(r.frontierRatio())).append(',')
                    .append(m == null ? "" : Integer.toString(m.result().peakWorkers())).append(',').append(r.runs())
                    .append(',').append(r.verdict().name().toLowerCase(Locale.ROOT)).append(",\"")
                    .append(d.draw().params()).append("\",\"").append(d.draw().command()).append("\"\n");
        }
        return b.toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** The members of one draw, each fleet size run at most once per variant. */
    private static final class Sweep {
        private final RandomBenchmark.DrawResult draw;
        private final int[] tasksByVersion;
        private final int tasks;
        private final int maxFleet;
        private final Map<String, Member> runs = new HashMap<>();

        Sweep(RandomBenchmark.DrawResult draw) {
            this.draw = draw;
            RandomDraw d = draw.draw();
            // The arrivals exactly as SimRunner generates them for this draw.
            Arrivals arrivals = d.workload().generate(new RandomStreams(d.seed()).workload());
            tasksByVersion = new int[d.workload().versions()];
            for (int v : arrivals.versions()) {
                tasksByVersion[v]++;
            }
            tasks = arrivals.size();
            SimConfig c = d.config();
            // More than one slot per task, or more than Lambda lets start at once, buys nothing.
            long useful = (tasks + c.slots() - 1L) / c.slots() + tasksByVersion.length;
            maxFleet = (int) Math.max(1, Math.min(useful, Math.min(c.accountConcurrency(), c.scalingRateBurst())));
        }

        /**
         * Runs the members that find the smallest fleet in band: a doubling grid up to the cap, then every fleet
         * between the last one out of band and the first one in it (no bisection: a p99 that is not monotone in
         * the fleet, by a cold-start draw, must not hide a smaller fleet in band).
         */
        void sweep(boolean reacts, double limit) {
            int out = 0;
            for (int k = 1; ; k = Math.min(maxFleet, 2 * k)) {
                if (run(k, reacts).result().p99() <= limit) {
                    for (int j = out + 1; j < k; j++) {
                        run(j, reacts);
                    }
                    return;
                }
                if (k == maxFleet) {
                    return;
                }
                out = k;
            }
        }

        Member run(int k, boolean reacts) {
            int[] fleets = fleets(k);
            int total = Arrays.stream(fleets).sum();
            String name = OneShotFleetAlgorithm.name(total, reacts);
            Member known = runs.get(name);
            if (known == null) {
                RandomDraw d = draw.draw();
                SimAlgorithms registry = SimAlgorithms.empty().with(name,
                        () -> new OneShotFleetAlgorithm(fleets, reacts));
                SimResult r = new SimRunner(registry, d.config(), d.seed()).run(List.of(d.workload()), List.of(name))
                        .get(0);
                known = new Member(name, r);
                runs.put(name, known);
            }
            return known;
        }

        /** {@code ceil(k · n_v / N)} per version with tasks. */
        int[] fleets(int k) {
            int[] out = new int[tasksByVersion.length];
            for (int v = 0; v < out.length; v++) {
                out[v] = tasksByVersion[v] == 0 ? 0
                        : (int) Math.max(1, (k * (long) tasksByVersion[v] + tasks - 1) / tasks);
            }
            return out;
        }
    }
}
