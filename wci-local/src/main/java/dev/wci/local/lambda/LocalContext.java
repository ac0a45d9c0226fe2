package dev.wci.local.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * The {@link Context} the local runtime passes to handlers. Remaining time counts down to an absolute
 * deadline, as on Lambda, so handlers that plan their shutdown from it behave the same.
 * Uses only the JDK and aws-lambda-java-core: it is also loaded in handler processes.
 */
public final class LocalContext implements Context {

    private final String requestId;
    private final String functionName;
    private final String functionVersion;
    private final String functionArn;
    private final int memoryMb;
    private final long deadlineEpochMillis;
    private final LongSupplier nowMillis;
    private final LambdaLogger logger;

    /**
     * @param deadlineEpochMillis when the invocation times out; remaining time counts down to it
     * @param nowMillis           the time source, epoch milliseconds
     * @param out                 where the handler's {@link LambdaLogger} writes
     */
    public LocalContext(String requestId, String functionName, String functionVersion, String functionArn,
                        int memoryMb, long deadlineEpochMillis, LongSupplier nowMillis, PrintStream out) {
        this.requestId = requestId;
        this.functionName = functionName;
        this.functionVersion = functionVersion;
        this.functionArn = functionArn;
        this.memoryMb = memoryMb;
        this.deadlineEpochMillis = deadlineEpochMillis;
        this.nowMillis = nowMillis;
        this.logger = new LambdaLogger() {
            @Override
            public void log(String message) {
                out.print(message);
                out.flush();
            }

            @Override
            public void log(byte[] message) {
                log(new String(message, StandardCharsets.UTF_8));
            }
        };
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local/[" + functionVersion + "]" + requestId;
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return functionVersion;
    }

    @Override
    public String getInvokedFunctionArn() {
        return functionArn;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, deadlineEpochMillis - nowMillis.getAsLong());
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return logger;
    }
}
