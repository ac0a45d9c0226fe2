package dev.wci.sim;

import java.time.Duration;

/**
 * One workload of the random benchmark ({@link RandomWorkloads}): the workload, the model it runs on and the seed
 * of its arrivals and cold starts. Every value is rounded to what its command-line form prints, so
 * {@link #command()} re-runs exactly this draw.
 *
 * @param index    position in the benchmark (0-based)
 * @param seed     run seed of this draw
 * @param workload the workload
 * @param config   the model
 */
public record RandomDraw(int index, long seed, Workload workload, SimConfig config) {

    /** The parameters, briefly, for a table. */
    public String params() {
        Workload w = workload;
        SimConfig c = config;
        StringBuilder b = new StringBuilder(w.name());
        if (w.kind() == WorkloadKind.BURST) {
            b.append(" burst=").append(w.burstSize());
        } else {
            b.append(" rate=").append(w.rate()).append("/s");
            if (w.kind() == WorkloadKind.SPIKES) {
                b.append(" spike=").append(w.burstSize());
            }
        }
        b.append(" dur=").append(w.duration().toSeconds()).append("s task=").append(ms(w.taskDuration()))
                .append(" sigma=").append(w.taskSigma()).append(" slots=").append(c.slots())
                .append(" cold=").append(ms(c.coldStartMedian())).append(" versions=").append(w.versions())
                .append(" account=").append(c.accountConcurrency())
                .append(" idle=").append(c.idleExit() == null ? "off" : ms(c.idleExit()))
                .append(" timeout=").append(ms(c.functionTimeout()))
                .append(" stale=").append(ms(c.staleness()));
        return b.toString();
    }

    /** The {@code bin/wci simulate} command that runs this draw alone. */
    public String command() {
        Workload w = workload;
        SimConfig c = config;
        return "bin/wci simulate --workload " + w.name() + " --seed " + seed
                + " --duration " + ms(w.duration()) + " --rate " + w.rate() + " --burst-size " + w.burstSize()
                + " --task-duration " + ms(w.taskDuration()) + " --task-sigma " + w.taskSigma()
                + " --versions " + w.versions() + " --slots " + c.slots()
                + " --cold-start-median " + ms(c.coldStartMedian())
                + " --account-concurrency " + c.accountConcurrency()
                + " --idle-exit " + (c.idleExit() == null ? "off" : ms(c.idleExit()))
                + " --function-timeout " + ms(c.functionTimeout()) + " --staleness " + ms(c.staleness())
                + " --drain-limit " + ms(c.drainLimit());
    }

    private static String ms(Duration d) {
        return d.toMillis() + "ms";
    }
}
