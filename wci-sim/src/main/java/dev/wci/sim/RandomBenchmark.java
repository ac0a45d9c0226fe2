package dev.wci.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The random benchmark ({@code wci simulate --random N}): every algorithm on each draw of {@link RandomWorkloads},
 * then per algorithm the share of draws where its p99 schedule-to-start is in the band of the best algorithm's
 * (within max(10 %, 0.5 s) of it), the median and p90 of its worker-seconds relative to the reference algorithm,
 * and its worst draws with the command that re-runs each alone. Draws run on a few threads, each draw on its own
 * simulation, so the results do not depend on the thread count.
 */
public final class RandomBenchmark {

    /** The algorithm worker-seconds are compared with, when it runs. */
    public static final String REFERENCE = ReferenceNoSyncAlgorithm.NAME;
    /** Worst draws listed per algorithm. */
    public static final int WORST = 5;

    /** One draw's results, in algorithm order. */
    public record DrawResult(RandomDraw draw, List<SimResult> results) {

        /** The lowest p99 of the draw. */
        public double bestP99() {
            return results.stream().mapToDouble(SimResult::p99).min().orElse(0);
        }

        SimResult of(String algorithm) {
            for (SimResult r : results) {
                if (r.algorithm().equals(algorithm)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("no result of " + algorithm);
        }
    }

    /**
     * @param algorithm   its name
     * @param inBand      share of draws where its p99 is within the band of the best
     * @param workerP50   median of its worker-seconds / the reference's
     * @param workerP90   90th percentile of that ratio
     * @param worst       its worst draws: farthest out of the band first, then the most worker-seconds
     */
    public record Summary(String algorithm, double inBand, double workerP50, double workerP90, List<DrawResult> worst) {
    }

    private RandomBenchmark() {
    }

    /** The upper edge of the band around the best p99: within 10 % or 0.5 s of it, whichever is wider. */
    public static double bandLimit(double bestP99) {
        return bestP99 + Math.max(0.1 * bestP99, 0.5);
    }

    /**
     * Runs every draw against every algorithm, {@code threads} draws at a time; results in draw order. Each draw
     * runs as {@code wci simulate} would run it alone ({@link WciSimAlgorithm#configuredFor}).
     */
    public static List<DrawResult> run(SimAlgorithms registry, List<RandomDraw> draws, List<String> algorithms,
                                       int threads) {
        return parallel(draws, d -> runOne(registry, d, algorithms), threads);
    }

    /**
     * {@code task} on every item, {@code threads} at a time; results in item order. Each item runs on its own
     * simulations, so the results do not depend on the thread count.
     */
    static <T, R> List<R> parallel(List<T> items, Function<T, R> task, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "wci-sim-random");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(pool.submit(() -> task.apply(item)));
            }
            List<R> out = new ArrayList<>(items.size());
            for (Future<R> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** One draw, exactly as {@code wci simulate} runs its {@link RandomDraw#command()}. */
    public static DrawResult runOne(SimAlgorithms registry, RandomDraw d, List<String> algorithms) {
        SimAlgorithms configured = WciSimAlgorithm.configuredFor(registry, d.config());
        return new DrawResult(d, new SimRunner(configured, d.config(), d.seed()).run(List.of(d.workload()),
                algorithms));
    }

    /** Per algorithm, in the given order. */
    public static List<Summary> summarize(List<DrawResult> draws, List<String> algorithms) {
        String reference = algorithms.contains(REFERENCE) ? REFERENCE : algorithms.get(0);
        List<Summary> out = new ArrayList<>();
        for (String a : algorithms) {
            int inBand = 0;
            double[] ratios = new double[draws.size()];
            int i = 0;
            for (DrawResult d : draws) {
                if (d.of(a).p99() <= bandLimit(d.bestP99())) {
                    inBand++;
                }
                ratios[i++] = workerRatio(d, a, reference);
            }
            Arrays.sort(ratios);
            List<DrawResult> worst = draws.stream()
                    .sorted(Comparator.comparingDouble((DrawResult d) -> excess(d, a)).reversed()
                            .thenComparing(Comparator.comparingDouble((DrawResult d) -> workerRatio(d, a, reference))
                                    .reversed())
                            .thenComparingInt(d -> d.draw().index()))
                    .limit(WORST).toList();
            out.add(new Summary(a, draws.isEmpty() ? 0 : (double) inBand / draws.size(), pct(ratios, 0.5),
                    pct(ratios, 0.9), worst));
        }
        return out;
    }

    /** How far {@code a}'s p99 is above the band, in seconds (0 inside it). */
    static double excess(DrawResult d, String a) {
        return Math.max(0, d.of(a).p99() - bandLimit(d.bestP99()));
    }

    static double workerRatio(DrawResult d, String a, String reference) {
        double ref = d.of(reference).workerSeconds();
        double mine = d.of(a).workerSeconds();
        return ref <= 0 ? (mine <= 0 ? 1 : Double.POSITIVE_INFINITY) : mine / ref;
    }

    /** Nearest-rank percentile of sorted values. */
    static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** The summary table with each algorithm's worst draws. */
    public static String table(long seed, List<DrawResult> draws, List<String> algorithms) {
        String reference = algorithms.contains(REFERENCE) ? REFERENCE : algorithms.get(0);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "random workloads: %d draws, seed %d; band: p99 within max(10%%, 0.5s)"
                + " of the best; worker-seconds relative to %s%n%n", draws.size(), seed, reference));
        b.append(String.format(Locale.ROOT, "%-20s %8s %12s %12s%n", "algorithm", "in_band", "worker_p50", "worker_p90"));
        List<Summary> summaries = summarize(draws, algorithms);
        for (Summary s : summaries) {
            b.append(String.format(Locale.ROOT, "%-20s %7.1f%% %11.2fx %11.2fx%n", s.algorithm(), 100 * s.inBand(),
                    s.workerP50(), s.workerP90()));
        }
        for (Summary s : summaries) {
            b.append(String.format(Locale.ROOT, "%nworst draws of %s:%n", s.algorithm()));
            for (DrawResult d : s.worst()) {
                SimResult r = d.of(s.algorithm());
                b.append(String.format(Locale.ROOT, "  #%d p99 %.3fs (best %.3fs) worker-seconds %.2fx: %s%n    %s%n",
                        d.draw().index(), r.p99(), d.bestP99(), workerRatio(d, s.algorithm(), reference),
                        d.draw().params(), d.draw().command()));
            }
        }
        return b.toString();
    }

    /** One row per draw and algorithm. */
    public static String csv(List<DrawResult> draws, List<String> algorithms) {
        String reference = algorithms.contains(REFERENCE) ? REFERENCE : algorithms.get(0);
        StringBuilder b = new StringBuilder("draw,seed,workload,algorithm,p99_s,best_p99_s,in_band,worker_s,"
                + "worker_ratio,tasks,unfinished,params,command\n");
        for (DrawResult d : draws) {
            for (String a : algorithms) {
                SimResult r = d.of(a);
                b.append(d.draw().index()).append(',').append(d.draw().seed()).append(',').append(r.workload())
                        .append(',').append(a).append(',').append(fmt(r.p99())).append(',').append(fmt(d.bestP99()))
                        .append(',').append(r.p99() <= bandLimit(d.bestP99())).append(',')
                        .append(fmt(r.workerSeconds())).append(',').append(fmt(workerRatio(d, a, reference)))
                        .append(',').append(r.tasks()).append(',').append(r.unfinished()).append(",\"")
                        .append(d.draw().params()).append("\",\"").append(d.draw().command()).append("\"\n");
            }
        }
        return b.toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
