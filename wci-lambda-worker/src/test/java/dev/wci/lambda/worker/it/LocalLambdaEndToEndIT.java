package dev.wci.lambda.worker.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wci.local.lambda.ExecutionMode;
import dev.wci.local.lambda.InvocationOutcome;
import dev.wci.local.lambda.LocalFunction;
import dev.wci.local.lambda.LocalFunctionVersion;
import dev.wci.local.lambda.LocalLambdaConfig;
import dev.wci.local.lambda.LocalLambdaRuntime;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * The whole loop on one machine: the AWS SDK invokes a qualified ARN on the local Lambda runtime, which
 * starts {@link TestWorkerHandler} in a fresh JVM; that worker connects to the real dev server, processes
 * the queued workflows of its version and exits when idle.
 */
@ExtendWith(DevServerExtension.class)
class LocalLambdaEndToEndIT {

    @Test
    void runtimeInvokesTheWorkerLibraryAndWorkflowsComplete(DevServerExtension.DevServer server) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String deployment = "e2e-" + id;
        String taskQueue = "e2e-q-" + id;
        // The test JVM's class path holds this library, the test handler and their dependencies.
        List<String> classpath = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
        LocalFunctionVersion v1 = new LocalFunctionVersion("1", TestWorkerHandler.class.getName(), classpath, 60,
                512, Map.of(
                        "TEMPORAL_ADDRESS", server.target(),
                        "TEMPORAL_NAMESPACE", server.namespace(),
                        "TEMPORAL_DEPLOYMENT_NAME", deployment,
                        "TEMPORAL_WORKER_BUILD_ID", "v1",
                        "TEMPORAL_TASK_QUEUE", taskQueue,
                        "TEST_IDLE_MS", "3000"), null);
        LocalLambdaConfig config = new LocalLambdaConfig(null, null, 10, ExecutionMode.PROCESS,
                List.of(new LocalFunction("worker", null, null, List.of(v1))));

        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(server.target()).build());
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start(config, 0);
             LambdaClient lambda = LambdaClient.builder()
                     .endpointOverride(runtime.endpoint())
                     .region(Region.US_EAST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                     .httpClient(Apache5HttpClient.builder().socketTimeout(Duration.ofSeconds(90)).build())
                     .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                     .build()) {
            String arn = runtime.functionArn("worker", "1");

            // First invocation (async, as WCI does it): its first poll registers the version.
            assertEquals(202, lambda.invoke(b -> b.functionName(arn).invocationType(InvocationType.EVENT))
                    .statusCode());
            Versions.setCurrent(stubs, server.namespace(), deployment, "v1");
            await().atMost(Duration.ofSeconds(60)).until(() -> runtime.inFlight() == 0);

            WorkflowClient client = WorkflowClient.newInstance(stubs,
                    WorkflowClientOptions.newBuilder().setNamespace(server.namespace()).build());
            List<WorkflowStub> workflows = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                TestWorkflow wf = client.newWorkflowStub(TestWorkflow.class, WorkflowOptions.newBuilder()
                        .setTaskQueue(taskQueue).setWorkflowId("e2e-" + UUID.randomUUID()).build());
                WorkflowClient.start(wf::run, 0L);
                workflows.add(WorkflowStub.fromTyped(wf));
            }

            // Second invocation, synchronous: returns the worker's summary when it exits idle.
            CompletableFuture<InvokeResponse> invocation = CompletableFuture.supplyAsync(() -> lambda.invoke(
                    b -> b.functionName(arn).payload(SdkBytes.fromUtf8String("{}"))));
            for (WorkflowStub wf : workflows) {
                assertEquals("attempt 1", wf.getResult(60, TimeUnit.SECONDS, String.class));
            }
            InvokeResponse response = invocation.get(90, TimeUnit.SECONDS);
            assertNull(response.functionError(), response.payload().asUtf8String());
            JsonNode summary = new ObjectMapper().readTree(response.payload().asByteArray());
            assertEquals("IDLE", summary.get("exitReason").asText());
            assertEquals(3, summary.get("activityTasks").asInt(), summary.toString());
            assertEquals(deployment + ":v1", summary.get("version").asText());
            assertTrue(summary.get("identity").asText().endsWith("@" + arn), summary.toString());
            assertEquals(2, runtime.invocations().size());
            assertTrue(runtime.invocations().stream().allMatch(r -> r.outcome() == InvocationOutcome.SUCCESS),
                    runtime.invocations().toString());
        } finally {
            stubs.shutdownNow();
        }
    }
}
