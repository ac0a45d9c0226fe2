package dev.wci.local.lambda;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point of a handler process started by the local runtime (one JVM per invocation, like a
 * Lambda cold start). Arguments: handler class, request id, function name, version, invoked function
 * ARN, memory MB, absolute deadline (epoch ms), payload file, result file.
 * Writes the response (or the error body) to the result file and exits 0 on success, 1 on a function
 * error; {@link System#exit} also ends any thread the handler left behind, as Lambda freezes them.
 * Uses only the JDK, aws-lambda-java-core and Jackson.
 */
public final class HandlerLauncher {

    /** Exit status for a function error (the result file then holds the error body). */
    static final int FUNCTION_ERROR = 1;
    /** Exit status for a launcher usage error (the runtime's bug, not the function's). */
    static final int USAGE = 64;

    private HandlerLauncher() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 9) {
            System.err.println("usage: HandlerLauncher <handlerClass> <requestId> <function> <version> <arn> "
                    + "<memoryMb> <deadlineEpochMs> <payloadFile> <resultFile>");
            System.exit(USAGE);
        }
        PrintStream out = System.out;
        LocalContext context = new LocalContext(args[1], args[2], args[3], args[4], Integer.parseInt(args[5]),
                Long.parseLong(args[6]), System::currentTimeMillis, out);
        byte[] payload = Files.readAllBytes(Path.of(args[7]));
        HandlerInvoker.Outcome outcome = new HandlerInvoker()
                .invoke(args[0], HandlerLauncher.class.getClassLoader(), payload, context);
        Files.write(Path.of(args[8]), outcome.body());
        System.out.flush();
        System.err.flush();
        System.exit(outcome.ok() ? 0 : FUNCTION_ERROR);
    }
}
