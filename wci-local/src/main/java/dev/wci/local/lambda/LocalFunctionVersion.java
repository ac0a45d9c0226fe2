package dev.wci.local.lambda;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One published (immutable) version of a local function.
 *
 * @param version        the version number, e.g. {@code "5"}
 * @param handler        the handler class ({@code com.example.MyHandler}, optionally {@code ::handleRequest});
 *                       it must implement {@code RequestHandler} or {@code RequestStreamHandler}
 * @param classpath      class path entries (directories or jars) holding the handler and its dependencies
 * @param timeoutSeconds the function timeout, 1..900; the runtime kills the invocation after it
 * @param memoryMb       the memory size, 128..10240; bounds the heap of the handler JVM
 * @param environment    environment variables of the handler process
 * @param jvmArgs        extra JVM options for the handler process (process mode only)
 */
public record LocalFunctionVersion(
        String version,
        String handler,
        List<String> classpath,
        Integer timeoutSeconds,
        Integer memoryMb,
        Map<String, String> environment,
        List<String> jvmArgs) {

    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,9}");
    private static final Pattern HANDLER =
            Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*(::[A-Za-z_$][\\w$]*)?");

    /** AWS defaults: 3 s timeout, 128 MB. */
    public LocalFunctionVersion {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException(
                    "version must be a published version number (1, 2, ...), got '" + version + "'");
        }
        if (handler == null || !HANDLER.matcher(handler).matches()) {
            throw new IllegalArgumentException(
                    "handler must be a class name like com.example.MyHandler[::handleRequest], got '" + handler + "'");
        }
        classpath = classpath == null ? List.of() : List.copyOf(classpath);
        timeoutSeconds = timeoutSeconds == null ? 3 : timeoutSeconds;
        if (timeoutSeconds < 1 || timeoutSeconds > 900) {
            throw new IllegalArgumentException("timeoutSeconds must be 1..900, got " + timeoutSeconds);
        }
        memoryMb = memoryMb == null ? 128 : memoryMb;
        if (memoryMb < 128 || memoryMb > 10240) {
            throw new IllegalArgumentException("memoryMb must be 128..10240, got " + memoryMb);
        }
        environment = environment == null ? Map.of() : Map.copyOf(environment);
        jvmArgs = jvmArgs == null ? List.of() : List.copyOf(jvmArgs);
    }

    /** The handler class name without a {@code ::method} suffix. */
    public String handlerClass() {
        int sep = handler.indexOf("::");
        return sep < 0 ? handler : handler.substring(0, sep);
    }
}
