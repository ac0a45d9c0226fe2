package dev.wci.server.cli;

import dev.wci.core.compute.TargetValidation;
import dev.wci.core.version.DeploymentVersion;
import dev.wci.lambda.LambdaComputeProvider;
import dev.wci.server.config.DeploymentConfig;
import dev.wci.server.config.Redaction;
import dev.wci.server.config.VersionConfig;
import dev.wci.server.config.WciConfig;
import dev.wci.server.service.Providers;
import dev.wci.server.temporal.TemporalConnection;
import dev.wci.server.temporal.TemporalRpcMetrics;
import dev.wci.server.temporal.TemporalSetupException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * {@code wci validate}: static checks of the file, then live checks (Temporal reachable, namespace exists, every
 * target validates through its provider). Exit 0 when all pass, 1 when a live check fails, 2 for a broken file.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Checks a configuration: first the file (schema, ARNs, duplicates), then live: Temporal is",
                "reachable and the namespace exists, and every version's Lambda target validates.",
                "Exit code 0 = all good, 1 = a live check failed, 2 = the file is invalid."})
final class ValidateCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the configuration (YAML)")
    Path config;

    @Option(names = "--static-only", description = "only check the file, contact nothing")
    boolean staticOnly;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "per live check (default ${DEFAULT-VALUE})")
    int timeoutSeconds = 10;

    /** Longest --timeout: a live check that takes longer is a failure to report, not to wait for. */
    static final int MAX_TIMEOUT_SECONDS = 600;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
            throw new UserError("--timeout must be 1 to " + MAX_TIMEOUT_SECONDS + " seconds, found " + timeoutSeconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        WciConfig cfg = ConfigFiles.load(config);
        int versions = cfg.deployments().stream().mapToInt(d -> d.versions().size()).sum();
        out.printf("ok    %s: %d deployment(s), %d version(s)%n", config, cfg.deployments().size(), versions);
        for (DeploymentConfig d : cfg.deployments()) {
            for (VersionConfig v : d.versions()) {
                if (v.target().mutableAllowed()) {
                    out.printf("warn  %s: %s:%s maps to a mutable target (allowMutableTarget: true): for development only%n",
                            v.location(), d.name(), v.buildId());
                }
            }
        }
        if (staticOnly) {
            out.flush();
            return 0;
        }
        boolean failed = false;
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        try (TemporalConnection temporal = TemporalConnection.open(cfg.temporal(),
                new TemporalRpcMetrics(new SimpleMeterRegistry()))) {
            TemporalConnection.Health h = temporal.check(timeout);
            out.printf("%s  Temporal at %s, namespace %s: %s%n", h.ok() ? "ok  " : "FAIL", cfg.temporal().address(),
                    cfg.temporal().namespace(), h.detail());
            h.warnings().forEach(w -> out.printf("warn  Temporal: %s%n", w));
            failed |= !h.ok();
        } catch (TemporalSetupException e) {
            out.printf("FAIL  Temporal: %s%n", e.getMessage());
            failed = true;
        }
        try (LambdaComputeProvider lambda = Providers.lambda(cfg.aws(), DefaultCredentialsProvider.builder().build(),
                Clock.systemUTC())) {
            for (DeploymentConfig d : cfg.deployments()) {
                for (VersionConfig v : d.versions()) {
                    DeploymentVersion version = new DeploymentVersion(d.name(), v.buildId());
                    failed |= !checkTarget(out, cfg, version, v, lambda.validate(v.target(), version)
                            .toCompletableFuture(), timeoutSeconds + 5L);
                }
            }
        }
        out.println(failed ? "validation FAILED" : "validation passed");
        out.flush();
        return failed ? 1 : 0;
    }

    /**
     * Waits up to {@code waitSeconds} for one target's validation and prints its one line.
     *
     * @return whether the target is valid
     */
    static boolean checkTarget(PrintWriter out, WciConfig cfg, DeploymentVersion version, VersionConfig v,
                               CompletableFuture<TargetValidation> pending, long waitSeconds)
            throws InterruptedException {
        TargetValidation r;
        try {
            r = pending.get(waitSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            out.printf("FAIL  %s: %s -> %s: no answer from %s within %d s%n", v.location(), version,
                    v.target().address(), lambdaEndpoint(cfg), waitSeconds);
            return false;
        } catch (ExecutionException e) {
            out.printf("FAIL  %s: %s -> %s: %s%n", v.location(), version, v.target().address(),
                    oneLine(rootMessage(e)));
            return false;
        }
        if (r instanceof TargetValidation.Valid ok) {
            out.printf("ok    %s: %s -> %s (timeout %d s, %d MB)%n", v.location(), version,
                    v.target().address(), ok.facts().timeout().toSeconds(), ok.facts().memoryMb());
            ok.warnings().forEach(w -> out.printf("warn  %s: %s: %s%n", v.location(), version, w));
            return true;
        }
        TargetValidation.Invalid bad = (TargetValidation.Invalid) r;
        out.printf("FAIL  %s: %s -> %s: %s%n", v.location(), version, v.target().address(),
                oneLine(bad.failure().toString()));
        return false;
    }

    /** Where validation calls go, with any user:password@ hidden. */
    private static String lambdaEndpoint(WciConfig cfg) {
        return cfg.aws().endpoint().map(u -> "the Lambda endpoint " + Redaction.userinfo(u.toString()))
                .orElse("the AWS Lambda API");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : Redaction.userinfo(t.getMessage());
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
