package dev.wci.local.lambda.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test handler: echoes its input with what the Context told it; {@code sleepMs} makes it run that long
 * (to hold a concurrency slot or outlive a timeout), {@code fail} makes it throw. {@code pidFile} makes it write
 * its process id there before anything else, so a test can check that a handler which never returns was killed;
 * {@code requestIdFile} makes it write the request id its Context gives (an asynchronous invocation returns no body).
 */
public class EchoHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        if (input != null && input.get("pidFile") instanceof String pidFile) {
            write(Path.of(pidFile), Long.toString(ProcessHandle.current().pid()));
        }
        if (input != null && input.get("requestIdFile") instanceof String requestIdFile) {
            write(Path.of(requestIdFile), context.getAwsRequestId());
        }
        if (input != null && input.get("sleepMs") instanceof Number n) {
            try {
                Thread.sleep(n.longValue()); // the handler's "work"; tests themselves never sleep
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (input != null && input.get("fail") != null) {
            throw new IllegalArgumentException("asked to fail: " + input.get("fail"));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("input", input);
        out.put("requestId", context.getAwsRequestId());
        out.put("functionArn", context.getInvokedFunctionArn());
        out.put("functionVersion", context.getFunctionVersion());
        out.put("remainingMillis", context.getRemainingTimeInMillis());
        out.put("greeting", System.getenv("GREETING"));
        out.put("pid", ProcessHandle.current().pid());
        return out;
    }

    // Written beside the target and moved into place, so a reader never sees a partial value.
    private static void write(Path target, String value) {
        try {
            Path tmp = Files.createTempFile(target.getParent(), "value", ".tmp");
            Files.writeString(tmp, value);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }
}
