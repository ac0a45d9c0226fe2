package dev.wci.dev.soak;

import dev.wci.server.scrape.FakeMetricsEndpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A matching-metrics endpoint on 127.0.0.1 whose scrapes go round ten kinds of answer: five good pages whose
 * {@code backlog} counter for the soak's task queue rises (real sync-match failures), a body that trickles a byte
 * every 100 ms, a huge page with {@link #NEW_SERIES_PER_HUGE_PAGE} label sets never seen before, a counter that
 * dips by one, two samples of {@code 1e308}, and a stall after the headers. Every trickle or stall ends by itself
 * after {@link #HOLD_MILLIS} if the client does not go away first.
 */
final class MisbehavingMetrics implements AutoCloseable {

    static final int NEW_SERIES_PER_HUGE_PAGE = 20_000;
    static final long HOLD_MILLIS = 30_000;
    /** Tasks added to the backlog per good page. */
    static final long BACKLOG_PER_PAGE = 20;

    private final String namespace;
    private final String taskQueue;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong backlog = new AtomicLong(1_000_000);
    private final FakeMetricsEndpoint endpoint;

    /** @param taskQueue the soak's task queue, already in the form Temporal's metrics write it (no sanitizing) */
    MisbehavingMetrics(String namespace, String taskQueue) {
        this.namespace = namespace;
        this.taskQueue = taskQueue;
        this.endpoint = new FakeMetricsEndpoint(this::answer);
    }

    URI uri() {
        return endpoint.uri();
    }

    long requests() {
        return requests.get();
    }

    private void answer(OutputStream out) throws IOException, InterruptedException {
        long n = requests.getAndIncrement();
        switch ((int) (n % 10)) {
            case 5 -> hold(out, true);
            case 6 -> {
                write(out, header() + line(taskQueue, "Workflow", "0", Long.toString(backlog.get())));
                StringBuilder chunk = new StringBuilder();
                for (int i = 0; i < NEW_SERIES_PER_HUGE_PAGE; i++) {
                    chunk.append(line("flood_" + n + "_" + i, "Activity", "0", "1"));
                    if (chunk.length() > 64 * 1024) {
                        write(out, chunk.toString());
                        chunk.setLength(0);
                    }
                }
                write(out, chunk.toString());
            }
            case 7 -> write(out, header() + line(taskQueue, "Workflow", "0", Long.toString(backlog.get() - 1)));
            case 8 -> write(out, header() + line(taskQueue, "Workflow", "0", Long.toString(backlog.get()))
                    + line(taskQueue, "Activity", "1", "1e308") + line("huge_q", "Activity", "1", "1e308"));
            case 9 -> hold(out, false);
            default -> write(out, header() + line(taskQueue, "Workflow", "0",
                    Long.toString(backlog.addAndGet(BACKLOG_PER_PAGE))));
        }
    }

    /** Trickles one byte every 100 ms, or sends nothing, until the client goes away or the hold ends. */
    private static void hold(OutputStream out, boolean trickle) throws IOException, InterruptedException {
        long end = System.nanoTime() + HOLD_MILLIS * 1_000_000;
        while (System.nanoTime() < end) {
            if (trickle) {
                out.write('#');
                out.flush();
            }
            Thread.sleep(100);
        }
    }

    private String header() {
        return "# HELP tasks_added tasks_added counter\n# TYPE tasks_added counter\n";
    }

    /** A {@code backlog} sample of an unversioned queue, as Temporal 1.32 writes it. */
    private String line(String queue, String type, String partition, String value) {
        return "tasks_added{forwarded=\"false\",namespace=\"" + namespace + "\",namespace_state=\"active\","
                + "operation=\"TaskQueueMgr\",partition=\"" + partition + "\",service_name=\"matching\","
                + "task_add_result=\"backlog\",task_type=\"" + type + "\",taskqueue=\"" + queue
                + "\",versioning_behavior=\"Unspecified\",worker_build_id=\"\",worker_deployment_name=\"\","
                + "worker_version=\"__unversioned__\"} " + value + "\n";
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        try {
            endpoint.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
