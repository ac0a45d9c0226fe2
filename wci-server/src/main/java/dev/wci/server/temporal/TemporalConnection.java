package dev.wci.server.temporal;

import dev.wci.server.config.TemporalConfig;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceResponse;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoResponse;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * WCI's connection to the Temporal frontend: the service stubs every Temporal call goes through, built from the
 * {@code temporal} section.
 *
 * <ul>
 *   <li>no {@code tls} section and no API key: plain text (a local or in-cluster server);</li>
 *   <li>{@code tls}: TLS, trusting {@code serverCaFile} if given, else the system trust store; with
 *       {@code clientCertFile} + {@code clientKeyFile} (PEM, key in PKCS#8) it is mTLS; {@code serverName}
 *       overrides the name the certificate is checked against (and SNI);</li>
 *   <li>{@code apiKey}: sent as {@code authorization: Bearer <key>} on every call; without a {@code tls}
 *       section it implies TLS with the system trust store (Temporal Cloud).</li>
 * </ul>
 * {@code rpcTimeout} bounds every call. The channel connects lazily: {@link #open} does no network I/O,
 * {@link #check} does.
 */
public final class TemporalConnection implements AutoCloseable {

    private final WorkflowServiceStubs stubs;
    private final String namespace;
    private final TemporalRpcMetrics metrics;

    /** Wraps stubs built elsewhere (tests: an in-process channel). The connection closes them. */
    public TemporalConnection(WorkflowServiceStubs stubs, String namespace, TemporalRpcMetrics metrics) {
        this.stubs = Objects.requireNonNull(stubs, "stubs");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Builds the stubs the configuration describes.
     *
     * @throws TemporalSetupException if a TLS file is missing, unreadable or not in the expected format
     */
    public static TemporalConnection open(TemporalConfig config, TemporalRpcMetrics metrics) {
        return new TemporalConnection(WorkflowServiceStubs.newServiceStubs(stubsOptions(config)), config.namespace(),
                metrics);
    }

    /** The stub options for {@code config}: target, TLS, API key and RPC timeout. */
    public static WorkflowServiceStubsOptions stubsOptions(TemporalConfig config) {
        WorkflowServiceStubsOptions.Builder b = WorkflowServiceStubsOptions.newBuilder()
                .setTarget(config.address())
                .setRpcTimeout(config.rpcTimeout());
        if (config.tls().isPresent()) {
            TemporalConfig.TlsConfig tls = config.tls().get();
            b.setSslContext(sslContext(tls));
            tls.serverName().ifPresent(name ->
                    // gRPC checks the certificate against the channel authority and sends it as SNI.
                    b.setChannelInitializer(channel -> channel.overrideAuthority(name)));
        } else if (config.apiKey().isPresent()) {
            b.setEnableHttps(true);
        }
        config.apiKey().ifPresent(key -> b.addApiKey(key::value));
        return b.build();
    }

    private static SslContext sslContext(TemporalConfig.TlsConfig tls) {
        Optional<Path> cert = tls.clientCertFile();
        Optional<Path> key = tls.clientKeyFile();
        if (cert.isPresent() != key.isPresent()) {
            throw new TemporalSetupException("temporal.tls: clientCertFile and clientKeyFile go together for mTLS, "
                    + "but only " + (cert.isPresent() ? "clientCertFile" : "clientKeyFile") + " is set");
        }
        try {
            SimpleSslContextBuilder builder;
            if (cert.isPresent()) {
                byte[] certPem = read("temporal.tls.clientCertFile", cert.get());
                byte[] keyPem = read("temporal.tls.clientKeyFile", key.get());
                checkPkcs8(key.get(), keyPem);
                builder = SimpleSslContextBuilder.forPKCS8(new ByteArrayInputStream(certPem),
                        new ByteArrayInputStream(keyPem));
            } else {
                builder = SimpleSslContextBuilder.noKeyOrCertChain();
            }
            if (tls.serverCaFile().isPresent()) {
                builder.setTrustManager(trustManagerFor(tls.serverCaFile().get()));
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TemporalSetupException("temporal.tls: cannot use the client certificate "
                    + cert.map(Path::toString).orElse("") + " and key " + key.map(Path::toString).orElse("")
                    + ": " + e.getMessage() + " (expected a PEM certificate chain and its PKCS#8 PEM private key)");
        }
    }

    private static byte[] read(String field, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TemporalSetupException(field + ": cannot read " + file + ": " + e.getMessage());
        }
    }

    private static void checkPkcs8(Path file, byte[] pem) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new TemporalSetupException("temporal.tls.clientKeyFile: " + file + " holds a PKCS#1/SEC1 key "
                    + "('BEGIN RSA/EC PRIVATE KEY'); expected PKCS#8 ('BEGIN PRIVATE KEY'). Convert it with: "
                    + "openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + " -out client-pkcs8.key");
        }
        if (!text.contains("-----BEGIN PRIVATE KEY-----") && !text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new TemporalSetupException("temporal.tls.clientKeyFile: " + file
                    + " is not a PEM private key (expected '-----BEGIN PRIVATE KEY-----')");
        }
    }

    private static TrustManager trustManagerFor(Path caFile) {
        byte[] pem = read("temporal.tls.serverCaFile", caFile);
        try (InputStream in = new ByteArrayInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new TemporalSetupException("temporal.tls.serverCaFile: " + caFile
                        + " holds no certificate (expected PEM '-----BEGIN CERTIFICATE-----' blocks)");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager) {
                    return tm;
                }
            }
            throw new TemporalSetupException("temporal.tls.serverCaFile: the JVM offers no X.509 trust manager");
        } catch (GeneralSecurityException | IOException e) {
            throw new TemporalSetupException("temporal.tls.serverCaFile: " + caFile
                    + " is not a PEM certificate bundle: " + e.getMessage());
        }
    }

    /** The stubs every Temporal call goes through. */
    public WorkflowServiceStubs stubs() {
        return stubs;
    }

    public String namespace() {
        return namespace;
    }

    public TemporalRpcMetrics metrics() {
        return metrics;
    }

    /**
     * The outcome of a health check: whether Temporal answered, and what it said or why not.
     *
     * @param warnings server settings that work but cost tasks or time (e.g. polls not completed on a worker's stop)
     */
    public record Health(boolean ok, String detail, List<String> warnings) {
        public Health {
            warnings = List.copyOf(warnings);
        }

        public Health(boolean ok, String detail) {
            this(ok, detail, List.of());
        }
    }

    /** Why a namespace without {@code workerPollCompleteOnShutdown} loses tasks to workers that exit idle. */
    static final String POLLS_NOT_COMPLETED_ON_SHUTDOWN = "the namespace does not complete a stopping worker's polls "
            + "(capability workerPollCompleteOnShutdown): a task dispatched just as a Lambda worker exits idle waits "
            + "for its timeout. Self-hosted: set the dynamic config frontend.enableCancelWorkerPollsOnShutdown=true";

    /**
     * Asks the server who it is ({@code GetSystemInfo}) and whether the namespace exists and may be read with
     * these credentials ({@code DescribeNamespace}). For {@code /readyz}; never throws.
     */
    public Health check(Duration timeout) {
        try {
            GetSystemInfoResponse info = metrics.call("GetSystemInfo", () -> stubs.blockingStub()
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .getSystemInfo(GetSystemInfoRequest.getDefaultInstance()));
            DescribeNamespaceResponse ns = metrics.call("DescribeNamespace", () -> stubs.blockingStub()
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(namespace).build()));
            String version = info.getServerVersion().isEmpty() ? "unknown" : info.getServerVersion();
            List<String> warnings = ns.getNamespaceInfo().getCapabilities().getWorkerPollCompleteOnShutdown()
                    ? List.of() : List.of(POLLS_NOT_COMPLETED_ON_SHUTDOWN);
            return new Health(true, "server " + version + ", namespace " + namespace, warnings);
        } catch (StatusRuntimeException e) {
            String what = e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
                    : ": " + e.getStatus().getDescription());
            return new Health(false, "Temporal at " + target() + " (namespace " + namespace + "): " + what);
        } catch (RuntimeException e) {
            return new Health(false, "Temporal at " + target() + ": " + e);
        }
    }

    private String target() {
        String t = stubs.getOptions().getTarget();
        return t == null ? "(in-process channel)" : t;
    }

    /** Closes the channel, waiting up to 5 s for calls in flight. */
    @Override
    public void close() {
        stubs.shutdown();
        // awaitTermination keeps the thread's interrupt flag set if interrupted, rather than throwing.
        if (!stubs.awaitTermination(5, TimeUnit.SECONDS)) {
            stubs.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "TemporalConnection[" + target() + ", namespace " + namespace + "]";
    }
}
