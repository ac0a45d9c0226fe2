package dev.wci.core.scaling;

import java.time.Duration;
import java.util.Objects;

/**
 * How the scaler sizes and limits invocations. Immutable; {@link #defaults()} gives the documented
 * defaults and the {@code with*} methods derive variants.
 *
 * @param initialBurst            workers started on a scale-from-zero before any backlog size is known (default 1)
 * @param drainTarget             time in which a known backlog should be worked off (default 8 s); shorter means
 *                                lower latency for bursts and more cold starts paid
 * @param defaultWorkerThroughput tasks per second one worker completes, until learned (default 5)
 * @param targetUtilization       share of worker capacity that steady arrivals may use (default 0.7): headroom
 *                                keeps random arrivals from queueing
 * @param throughputEwmaAlpha     weight of a new throughput sample (default 0.5)
 * @param coldStartDefault        time from invoke to a polling worker, until learned (default 2 s)
 * @param shutdownBuffer          a worker stops polling this long before the function timeout (default 30 s)
 * @param workerIdleExit          a worker exits after this long without work; zero if workers never exit idle (default 5 s)
 * @param refreshMargin           replacements for expiring workers are invoked this long plus one cold start
 *                                before the old ones stop (default 5 s)
 * @param observationMaxAge       backlog observations older than this are ignored (default 2 min)
 * @param maxWorkersPerVersion    cap on live workers of one version (default 200)
 * @param maxWorkersTotal         cap on live workers over all versions: keep it below the account's concurrency (default 900)
 * @param invokeRatePerTarget     sustained invokes per second per target (default 100: Lambda scales 1 000 environments per 10 s)
 * @param invokeBurstPerTarget    invokes a target may take at once (default 500)
 * @param budgetPerVersion        worker-seconds per rolling hour per version; infinite means no budget (default)
 * @param budgetTotal             worker-seconds per rolling hour over all versions; infinite means no budget (default)
 * @param backoffBase             first throttle backoff (default 1 s)
 * @param backoffMax              longest throttle backoff (default 60 s)
 * @param backoffJitter           backoff is multiplied by 1 + jitter × uniform(0,1) (default 0.2)
 */
public record ScalingPolicy(int initialBurst, Duration drainTarget, double defaultWorkerThroughput,
                            double targetUtilization, double throughputEwmaAlpha, Duration coldStartDefault, Duration shutdownBuffer,
                            Duration workerIdleExit, Duration refreshMargin, Duration observationMaxAge,
                            int maxWorkersPerVersion, int maxWorkersTotal,
                            double invokeRatePerTarget, int invokeBurstPerTarget,
                            double budgetPerVersion, double budgetTotal,
                            Duration backoffBase, Duration backoffMax, double backoffJitter) {

    private static final ScalingPolicy DEFAULTS = new ScalingPolicy(1, Duration.ofSeconds(8), 5.0, 0.7, 0.5,
            Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofMinutes(2), 200, 900, 100.0, 500,
            Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
            Duration.ofSeconds(1), Duration.ofSeconds(60), 0.2);

    public ScalingPolicy {
        require(initialBurst >= 1, "initialBurst must be at least 1, got " + initialBurst);
        positive(drainTarget, "drainTarget");
        require(defaultWorkerThroughput > 0 && Double.isFinite(defaultWorkerThroughput),
                "defaultWorkerThroughput must be a positive number, got " + defaultWorkerThroughput);
        require(targetUtilization > 0 && targetUtilization <= 1,
                "targetUtilization must be within (0, 1], got " + targetUtilization);
        require(throughputEwmaAlpha > 0 && throughputEwmaAlpha <= 1,
                "throughputEwmaAlpha must be within (0, 1], got " + throughputEwmaAlpha);
        positive(coldStartDefault, "coldStartDefault");
        notNegative(shutdownBuffer, "shutdownBuffer");
        notNegative(workerIdleExit, "workerIdleExit");
        notNegative(refreshMargin, "refreshMargin");
        positive(observationMaxAge, "observationMaxAge");
        require(maxWorkersPerVersion >= 1, "maxWorkersPerVersion must be at least 1, got " + maxWorkersPerVersion);
        require(maxWorkersTotal >= 1, "maxWorkersTotal must be at least 1, got " + maxWorkersTotal);
        require(invokeRatePerTarget > 0, "invokeRatePerTarget must be positive, got " + invokeRatePerTarget);
        require(invokeBurstPerTarget >= 1, "invokeBurstPerTarget must be at least 1, got " + invokeBurstPerTarget);
        require(budgetPerVersion > 0, "budgetPerVersion must be positive (infinite for none), got " + budgetPerVersion);
        require(budgetTotal > 0, "budgetTotal must be positive (infinite for none), got " + budgetTotal);
        positive(backoffBase, "backoffBase");
        positive(backoffMax, "backoffMax");
        require(backoffMax.compareTo(backoffBase) >= 0, "backoffMax must not be shorter than backoffBase");
        require(backoffJitter >= 0 && backoffJitter <= 1, "backoffJitter must be within [0, 1], got " + backoffJitter);
    }

    /** The documented defaults. */
    public static ScalingPolicy defaults() {
        return DEFAULTS;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    private static void positive(Duration d, String field) {
        Objects.requireNonNull(d, field);
        require(!d.isNegative() && !d.isZero(), field + " must be positive, got " + d);
    }

    private static void notNegative(Duration d, String field) {
        Objects.requireNonNull(d, field);
        require(!d.isNegative(), field + " must not be negative, got " + d);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** Derives a policy from another one; {@link #build()} validates. */
    public static final class Builder {
        private int initialBurst;
        private Duration drainTarget;
        private double defaultWorkerThroughput;
        private double targetUtilization;
        private double throughputEwmaAlpha;
        private Duration coldStartDefault;
        private Duration shutdownBuffer;
        private Duration workerIdleExit;
        private Duration refreshMargin;
        private Duration observationMaxAge;
        private int maxWorkersPerVersion;
        private int maxWorkersTotal;
        private double invokeRatePerTarget;
        private int invokeBurstPerTarget;
        private double budgetPerVersion;
        private double budgetTotal;
        private Duration backoffBase;
        private Duration backoffMax;
        private double backoffJitter;

        private Builder(ScalingPolicy p) {
            initialBurst = p.initialBurst;
            drainTarget = p.drainTarget;
            defaultWorkerThroughput = p.defaultWorkerThroughput;
            targetUtilization = p.targetUtilization;
            throughputEwmaAlpha = p.throughputEwmaAlpha;
            coldStartDefault = p.coldStartDefault;
            shutdownBuffer = p.shutdownBuffer;
            workerIdleExit = p.workerIdleExit;
            refreshMargin = p.refreshMargin;
            observationMaxAge = p.observationMaxAge;
            maxWorkersPerVersion = p.maxWorkersPerVersion;
            maxWorkersTotal = p.maxWorkersTotal;
            invokeRatePerTarget = p.invokeRatePerTarget;
            invokeBurstPerTarget = p.invokeBurstPerTarget;
            budgetPerVersion = p.budgetPerVersion;
            budgetTotal = p.budgetTotal;
            backoffBase = p.backoffBase;
            backoffMax = p.backoffMax;
            backoffJitter = p.backoffJitter;
        }

        public Builder initialBurst(int v) { initialBurst = v; return this; }

        public Builder drainTarget(Duration v) { drainTarget = v; return this; }

        public Builder defaultWorkerThroughput(double v) { defaultWorkerThroughput = v; return this; }

        public Builder targetUtilization(double v) { targetUtilization = v; return this; }

        public Builder throughputEwmaAlpha(double v) { throughputEwmaAlpha = v; return this; }

        public Builder coldStartDefault(Duration v) { coldStartDefault = v; return this; }

        public Builder shutdownBuffer(Duration v) { shutdownBuffer = v; return this; }

        public Builder workerIdleExit(Duration v) { workerIdleExit = v; return this; }

        public Builder refreshMargin(Duration v) { refreshMargin = v; return this; }

        public Builder observationMaxAge(Duration v) { observationMaxAge = v; return this; }

        public Builder maxWorkersPerVersion(int v) { maxWorkersPerVersion = v; return this; }

        public Builder maxWorkersTotal(int v) { maxWorkersTotal = v; return this; }

        public Builder invokeRatePerTarget(double v) { invokeRatePerTarget = v; return this; }

        public Builder invokeBurstPerTarget(int v) { invokeBurstPerTarget = v; return this; }

        public Builder budgetPerVersion(double v) { budgetPerVersion = v; return this; }

        public Builder budgetTotal(double v) { budgetTotal = v; return this; }

        public Builder backoffBase(Duration v) { backoffBase = v; return this; }

        public Builder backoffMax(Duration v) { backoffMax = v; return this; }

        public Builder backoffJitter(double v) { backoffJitter = v; return this; }

        public ScalingPolicy build() {
            return new ScalingPolicy(initialBurst, drainTarget, defaultWorkerThroughput, targetUtilization,
                    throughputEwmaAlpha,
                    coldStartDefault, shutdownBuffer, workerIdleExit, refreshMargin, observationMaxAge,
                    maxWorkersPerVersion, maxWorkersTotal, invokeRatePerTarget, invokeBurstPerTarget,
                    budgetPerVersion, budgetTotal, backoffBase, backoffMax, backoffJitter);
        }
    }
}
