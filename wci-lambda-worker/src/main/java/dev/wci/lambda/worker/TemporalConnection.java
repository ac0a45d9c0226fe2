package dev.wci.lambda.worker;

import io.grpc.ClientInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * How a worker connects to Temporal. {@link #fromEnvironment} reads the variable names of Temporal's
 * client environment configuration (the {@code temporal-envconfig} artifact does not resolve from our
 * registry, so the subset a Lambda worker needs is read here):
 * {@code TEMPORAL_ADDRESS} (default {@code localhost:7233}), {@code TEMPORAL_NAMESPACE} (default
 * {@code default}), {@code TEMPORAL_API_KEY}, {@code TEMPORAL_TLS} ({@code true}/{@code false}),
 * {@code TEMPORAL_TLS_CLIENT_CERT_PATH}, {@code TEMPORAL_TLS_CLIENT_KEY_PATH},
 * {@code TEMPORAL_TLS_SERVER_CA_CERT_PATH}, {@code TEMPORAL_TLS_SERVER_NAME},
 * {@code TEMPORAL_TLS_DISABLE_HOST_VERIFICATION}. As in Temporal's own rules, an API key or any TLS file
 * turns TLS on unless {@code TEMPORAL_TLS=false}.
 *
 * @param address                 host:port of the Temporal frontend
 * @param namespace               the namespace
 * @param apiKey                  API key, or null
 * @param tls                     whether to use TLS
 * @param clientCertPath          PEM client certificate for mTLS, or null
 * @param clientKeyPath           PEM PKCS#8 client key for mTLS, or null
 * @param serverCaCertPath        PEM CA bundle to trust instead of the system roots, or null
 * @param serverName              TLS server name (SNI / verification) override, or null
 * @param disableHostVerification trust any server certificate (development only)
 */
public record TemporalConnection(
        String address,
        String namespace,
        String apiKey,
        boolean tls,
        Path clientCertPath,
        Path clientKeyPath,
        Path serverCaCertPath,
        String serverName,
        boolean disableHostVerification) {

    public TemporalConnection {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("Temporal address must not be blank");
        }
        if (namespace == null || namespace.isBlank()) {
            throw new IllegalArgumentException("Temporal namespace must not be blank");
        }
        if ((clientCertPath == null) != (clientKeyPath == null)) {
            throw new IllegalArgumentException("mTLS needs both TEMPORAL_TLS_CLIENT_CERT_PATH and "
                    + "TEMPORAL_TLS_CLIENT_KEY_PATH, only one is set");
        }
    }

    /** A plain-text connection, as to a local dev server. */
    public static TemporalConnection plaintext(String address, String namespace) {
        return new TemporalConnection(address, namespace, null, false, null, null, null, null, false);
    }

    /** Reads the connection from environment variables (see the type description). */
    public static TemporalConnection fromEnvironment(Function<String, String> env) {
        String apiKey = blankToNull(env.apply("TEMPORAL_API_KEY"));
        Path cert = path(env, "TEMPORAL_TLS_CLIENT_CERT_PATH");
        Path key = path(env, "TEMPORAL_TLS_CLIENT_KEY_PATH");
        Path ca = path(env, "TEMPORAL_TLS_SERVER_CA_CERT_PATH");
        String tlsFlag = blankToNull(env.apply("TEMPORAL_TLS"));
        boolean tls;
        if (tlsFlag == null) {
            tls = apiKey != null || cert != null || ca != null;
        } else {
            tls = parseBoolean("TEMPORAL_TLS", tlsFlag);
        }
        String noVerify = blankToNull(env.apply("TEMPORAL_TLS_DISABLE_HOST_VERIFICATION"));
        return new TemporalConnection(
                orDefault(env.apply("TEMPORAL_ADDRESS"), "localhost:7233"),
                orDefault(env.apply("TEMPORAL_NAMESPACE"), "default"),
                apiKey, tls, cert, key, ca,
                blankToNull(env.apply("TEMPORAL_TLS_SERVER_NAME")),
                noVerify != null && parseBoolean("TEMPORAL_TLS_DISABLE_HOST_VERIFICATION", noVerify));
    }

    private static boolean parseBoolean(String name, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, got '" + value + "'");
        };
    }

    private static Path path(Function<String, String> env, String name) {
        String value = blankToNull(env.apply(name));
        if (value == null) {
            return null;
        }
        Path p = Path.of(value);
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException(name + " points to '" + value + "', which is not a readable file");
        }
        return p;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String orDefault(String s, String dflt) {
        String v = blankToNull(s);
        return v == null ? dflt : v;
    }

    /** Service stub options for this connection: target, TLS and API key. */
    public WorkflowServiceStubsOptions stubsOptions() {
        WorkflowServiceStubsOptions.Builder b = WorkflowServiceStubsOptions.newBuilder().setTarget(address);
        if (tls) {
            b.setSslContext(sslContext());
            if (serverName != null) {
                // gRPC verifies the certificate against the channel authority; this overrides it.
                String name = serverName;
                b.setChannelInitializer(channel -> channel.overrideAuthority(name));
            }
        }
        if (apiKey != null) {
            String key = apiKey;
            b.addApiKey(() -> key);
        }
        return b.build();
    }

    /** Opens fresh stubs whose calls pass through the given interceptors; the caller closes them. */
    public WorkflowServiceStubs newStubs(ClientInterceptor... interceptors) {
        return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder(stubsOptions())
                .setGrpcClientInterceptors(List.of(interceptors))
                .build());
    }

    private SslContext sslContext() {
        try {
            SslContextBuilder b = GrpcSslContexts.forClient();
            if (disableHostVerification) {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (serverCaCertPath != null) {
                b.trustManager(serverCaCertPath.toFile());
            }
            if (clientCertPath != null) {
                b.keyManager(clientCertPath.toFile(), clientKeyPath.toFile());
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot build TLS settings for Temporal at " + address + " from "
                    + describeFiles() + ": " + e.getMessage(), e);
        }
    }

    private String describeFiles() {
        StringBuilder sb = new StringBuilder();
        for (Path p : new Path[] {clientCertPath, clientKeyPath, serverCaCertPath}) {
            if (p != null) {
                sb.append(sb.length() == 0 ? "" : ", ").append(p.toAbsolutePath());
            }
        }
        return sb.length() == 0 ? "system trust store" : sb.toString();
    }

    /** The settings without the API key, safe to log. */
    @Override
    public String toString() {
        return "TemporalConnection[address=" + address + ", namespace=" + namespace + ", tls=" + tls
                + ", apiKey=" + (apiKey == null ? "none" : "***") + ", mTLS=" + (clientCertPath != null)
                + (serverCaCertPath == null ? "" : ", ca=" + serverCaCertPath) + (serverName == null ? ""
                : ", serverName=" + serverName) + "]";
    }
}
