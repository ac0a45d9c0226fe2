package dev.wci.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.RegisterNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher against the real {@code temporal} CLI: the Prometheus endpoint answers, and a server restarted on the
 * same port with the same database file still knows what the first one stored.
 */
class DevServerProcessIT {

    @Test
    void servesMetricsAndRestartsOnTheSamePortWithItsState(@TempDir Path dir) throws Exception {
        Optional<Path> cli = DevServerProcess.locateCli(System::getenv,
                Optional.of(Path.of("..").toAbsolutePath().normalize()));
        Assumptions.assumeTrue(cli.isPresent(), "Temporal CLI not found (set WCI_TEMPORAL_CLI, run "
                + "`bash src/build/provision.sh`, or put `temporal` on PATH): skipping");
        DevServerProcess.Options options = DevServerProcess.Options.of(cli.get(), dir.resolve("temporal.log"))
                .withMetrics().withDatabase(dir.resolve("temporal.db"));

        DevServerProcess first = DevServerProcess.start(options);
        int port;
        try {
            port = first.port();
            assertEquals("127.0.0.1:" + port, first.target());
            URI metrics = first.metricsEndpoint().orElseThrow();
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("# TYPE "), "a Prometheus text page");
            call(first, stubs -> stubs.blockingStub().registerNamespace(RegisterNamespaceRequest.newBuilder()
                    .setNamespace("kept-across-restart")
                    .setWorkflowExecutionRetentionPeriod(Durations.fromDays(1)).build()));
        } finally {
            first.close();
        }
        assertFalse(first.isAlive());

        try (DevServerProcess second = DevServerProcess.start(options.withPort(port))) {
            assertEquals(first.target(), second.target());
            call(second, stubs -> stubs.blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder()
                    .setNamespace("kept-across-restart").build()));
        }
    }

    private static void call(DevServerProcess server, Consumer<WorkflowServiceStubs> rpc) {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(server.target()).build());
        try {
            rpc.accept(stubs);
        } finally {
            stubs.shutdownNow();
        }
    }
}
