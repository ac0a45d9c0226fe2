package dev.wci.local.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Runs each invocation in a fresh JVM ({@link HandlerLauncher}), like a Lambda cold start, and kills
 * the process when the function timeout expires. The timeout clock starts when the process is
 * spawned, so JVM start-up counts against it (stricter than Lambda, where init is separate).
 * Handler output is forwarded line by line to a log sink, prefixed with function, version and request id.
 */
final class ProcessHandlerExecutor implements HandlerExecutor {

    /** Variables kept from the runtime's own environment; everything else comes from the function config. */
    private static final List<String> INHERITED_ENV = List.of("PATH", "TMPDIR", "LANG");

    private final Path javaExecutable;
    private final List<String> launcherClasspath;
    private final Consumer<String> handlerLog;
    private final LongSupplier nowMillis;
    private final HandlerInvoker errors = new HandlerInvoker();

    ProcessHandlerExecutor(Consumer<String> handlerLog, LongSupplier nowMillis) {
        this.javaExecutable = Path.of(System.getProperty("java.home"), "bin", "java");
        this.launcherClasspath = launcherClasspath();
        this.handlerLog = handlerLog;
        this.nowMillis = nowMillis;
    }

    // The launcher needs only these libraries; the function's own class path comes first so that
    // its versions of shared libraries win.
    private static List<String> launcherClasspath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : List.of(HandlerLauncher.class, Context.class, ObjectMapper.class, JsonFactory.class,
                JsonProperty.class)) {
            try {
                entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("cannot locate the class path entry of " + c.getName(), e);
            }
        }
        return List.copyOf(entries);
    }

    @Override
    public Result execute(Execution ex) throws InterruptedException {
        Path dir;
        try {
            dir = Files.createTempDirectory("wci-local-lambda-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory for invocation " + ex.requestId(), e);
        }
        Path payload = dir.resolve("payload.json");
        Path result = dir.resolve("result.json");
        Process process = null;
        try {
            Files.write(payload, ex.payload());
            process = start(ex, payload, result);
            Thread pump = pumpOutput(process, ex);
            long waitMillis = Math.max(0, ex.deadlineEpochMillis() - nowMillis.getAsLong());
            if (!process.waitFor(waitMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                return timeout(ex);
            }
            pump.join(TimeUnit.SECONDS.toMillis(2));
            int exit = process.exitValue();
            if (exit == 0 && Files.exists(result)) {
                return new Result(InvocationOutcome.SUCCESS, Files.readAllBytes(result), null);
            }
            if (exit == HandlerLauncher.FUNCTION_ERROR && Files.exists(result)) {
                return new Result(InvocationOutcome.ERROR, Files.readAllBytes(result), "Unhandled");
            }
            String message = "RequestId: " + ex.requestId() + " Error: Runtime exited with error: exit status " + exit;
            return new Result(InvocationOutcome.ERROR,
                    errors.errorBody(Map.of("errorType", "Runtime.ExitError", "errorMessage", message)),
                    "Runtime.ExitError");
        } catch (IOException e) {
            String message = "cannot start the handler process: " + e.getMessage();
            return new Result(InvocationOutcome.ERROR,
                    errors.errorBody(Map.of("errorType", "Runtime.ExitError", "errorMessage", message)), message);
        } catch (InterruptedException e) {
            if (process != null) {
                process.destroyForcibly();
            }
            throw e;
        } finally {
            deleteQuietly(payload);
            deleteQuietly(result);
            deleteQuietly(dir);
        }
    }

    private Result timeout(Execution ex) {
        String message = String.format("RequestId: %s Error: Task timed out after %d.00 seconds", ex.requestId(),
                ex.version().timeoutSeconds());
        return new Result(InvocationOutcome.TIMEOUT,
                errors.errorBody(Map.of("errorType", "Sandbox.Timedout", "errorMessage", message)), "Sandbox.Timedout");
    }

    private Process start(Execution ex, Path payload, Path result) throws IOException {
        LocalFunctionVersion v = ex.version();
        List<String> classpath = new ArrayList<>(v.classpath());
        classpath.addAll(launcherClasspath);
        List<String> command = new ArrayList<>();
        command.add(javaExecutable.toString());
        // Lambda memory covers the whole process; leave a quarter for metaspace, threads and buffers.
        command.add("-Xmx" + (v.memoryMb() * 3 / 4) + "m");
        // Fast start-up matters more than peak throughput for short-lived handler JVMs.
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xshare:auto");
        command.addAll(v.jvmArgs());
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath));
        command.add(HandlerLauncher.class.getName());
        command.addAll(List.of(v.handlerClass(), ex.requestId(), ex.functionName(), v.version(), ex.functionArn(),
                String.valueOf(v.memoryMb()), String.valueOf(ex.deadlineEpochMillis()), payload.toString(),
                result.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        Map<String, String> inherited = Map.copyOf(env);
        env.clear();
        INHERITED_ENV.forEach(k -> {
            if (inherited.containsKey(k)) {
                env.put(k, inherited.get(k));
            }
        });
        env.put("AWS_REGION", ex.region());
        env.put("AWS_DEFAULT_REGION", ex.region());
        env.put("AWS_LAMBDA_FUNCTION_NAME", ex.functionName());
        env.put("AWS_LAMBDA_FUNCTION_VERSION", v.version());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", String.valueOf(v.memoryMb()));
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + ex.functionName());
        env.put("_HANDLER", v.handler());
        env.putAll(v.environment());
        return pb.start();
    }

    private Thread pumpOutput(Process process, Execution ex) {
        String prefix = "[" + ex.functionName() + ":" + ex.version().version() + " "
                + ex.requestId().substring(0, Math.min(8, ex.requestId().length())) + "] ";
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    handlerLog.accept(prefix + line);
                }
            } catch (IOException e) {
                // The process was killed while we read its output: nothing more to forward.
            }
        }, "local-lambda-output-" + ex.requestId());
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // A leftover temp file is harmless.
        }
    }

    @Override
    public void close() {
        // Nothing shared: every invocation owns (and reaps) its process.
    }
}
