package dev.wci.server.temporal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wci.core.testing.TestClock;
import dev.wci.server.config.Secret;
import dev.wci.server.config.TemporalConfig;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.serviceclient.GrpcMetadataProvider;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemporalConnectionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final TemporalRpcMetrics metrics = new TemporalRpcMetrics(new SimpleMeterRegistry());

    @TempDir
    Path tmp;

    private static Path tls(String file) {
        try {
            return Path.of(TemporalConnectionTest.class.getResource("tls/" + file).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TemporalConfig config(String address, Optional<TemporalConfig.TlsConfig> tls,
                                         Optional<Secret> apiKey) {
        return new TemporalConfig(address, FakeTemporal.NAMESPACE, tls, apiKey, 10, Duration.ofSeconds(7));
    }

    private static TemporalConfig.TlsConfig tlsConfig(Path ca, Path cert, Path key, String serverName) {
        return new TemporalConfig.TlsConfig(Optional.ofNullable(ca), Optional.ofNullable(cert),
                Optional.ofNullable(key), Optional.ofNullable(serverName));
    }

    @Test
    void plainTextWithoutTlsOrApiKey() {
        WorkflowServiceStubsOptions o = TemporalConnection.stubsOptions(
                config("temporal:7233", Optional.empty(), Optional.empty()));
        assertEquals("temporal:7233", o.getTarget());
        assertNull(o.getSslContext());
        assertFalse(o.getEnableHttps());
        assertEquals(Duration.ofSeconds(7), o.getRpcTimeout());
        assertTrue(o.getGrpcMetadataProviders() == null || o.getGrpcMetadataProviders().isEmpty());
    }

    @Test
    void anApiKeyAloneMeansTlsWithTheSystemTrustStoreAndABearerHeader() {
        WorkflowServiceStubsOptions o = TemporalConnection.stubsOptions(
                config("ns.tmprl.cloud:7233", Optional.empty(), Optional.of(new Secret("k-123"))));
        assertTrue(o.getEnableHttps());
        List<GrpcMetadataProvider> providers = List.copyOf(o.getGrpcMetadataProviders());
        assertEquals(1, providers.size());
        Metadata headers = providers.get(0).getMetadata();
        assertEquals("Bearer k-123",
                headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER)));
    }

    @Test
    void aTlsSectionBuildsAnSslContext() {
        WorkflowServiceStubsOptions o = TemporalConnection.stubsOptions(config("h:7233",
                Optional.of(tlsConfig(tls("ca.pem"), tls("client.pem"), tls("client.key"), "temporal.test")),
                Optional.empty()));
        assertNotNull(o.getSslContext());
        assertNotNull(o.getChannelInitializer(), "server name override");
    }

    @Test
    void tlsMistakesAreClearUserErrors() throws IOException {
        Path missing = tmp.resolve("nope.pem");
        TemporalSetupException e = assertThrows(TemporalSetupException.class, () -> TemporalConnection.stubsOptions(
                config("h:1", Optional.of(tlsConfig(missing, null, null, null)), Optional.empty())));
        assertTrue(e.getMessage().startsWith("temporal.tls.serverCaFile: cannot read " + missing), e.getMessage());
        assertEquals(0, e.getStackTrace().length, "no stack trace for a user mistake");

        Path notPem = Files.writeString(tmp.resolve("ca.txt"), "hello");
        e = assertThrows(TemporalSetupException.class, () -> TemporalConnection.stubsOptions(
                config("h:1", Optional.of(tlsConfig(notPem, null, null, null)), Optional.empty())));
        assertTrue(e.getMessage().contains(notPem.toString()), e.getMessage());

        e = assertThrows(TemporalSetupException.class, () -> TemporalConnection.stubsOptions(config("h:1",
                Optional.of(tlsConfig(null, tls("client.pem"), tls("client-pkcs1.key"), null)), Optional.empty())));
        assertTrue(e.getMessage().contains("PKCS#8") && e.getMessage().contains("openssl pkcs8"), e.getMessage());

        e = assertThrows(TemporalSetupException.class, () -> TemporalConnection.stubsOptions(config("h:1",
                Optional.of(tlsConfig(null, tls("client.pem"), null, null)), Optional.empty())));
        assertTrue(e.getMessage().contains("only clientCertFile is set"), e.getMessage());

        e = assertThrows(TemporalSetupException.class, () -> TemporalConnection.stubsOptions(config("h:1",
                Optional.of(tlsConfig(null, tls("client.pem"), tls("ca.pem"), null)), Optional.empty())));
        assertTrue(e.getMessage().contains("is not a PEM private key"), e.getMessage());
    }

    @Test
    void checkWarnsWhenTheNamespaceDoesNotCompleteAStoppingWorkersPolls() throws Exception {
        try (FakeTemporal fake = new FakeTemporal(new TestClock())) {
            fake.pollsCompletedOnShutdown = false;
            TemporalConnection.Health h = new TemporalConnection(fake.stubs, FakeTemporal.NAMESPACE, metrics)
                    .check(TIMEOUT);
            assertTrue(h.ok(), "a warning, not a failure: " + h.detail());
            assertEquals(List.of(TemporalConnection.POLLS_NOT_COMPLETED_ON_SHUTDOWN), h.warnings());
            assertTrue(h.warnings().get(0).contains("frontend.enableCancelWorkerPollsOnShutdown=true"));
        }
    }

    @Test
    void checkReportsTheServerAndAnUnknownNamespace() throws Exception {
        TestClock clock = new TestClock();
        try (FakeTemporal fake = new FakeTemporal(clock)) {
            TemporalConnection good = new TemporalConnection(fake.stubs, FakeTemporal.NAMESPACE, metrics);
            TemporalConnection.Health h = good.check(TIMEOUT);
            assertTrue(h.ok(), h.detail());
            assertTrue(h.detail().contains("fake-1.0"), h.detail());
            assertEquals(List.of(), h.warnings());
            assertEquals(1, metrics.count("DescribeNamespace", Status.Code.OK));

            TemporalConnection.Health bad = new TemporalConnection(fake.stubs, "nope", metrics).check(TIMEOUT);
            assertFalse(bad.ok());
            assertTrue(bad.detail().contains("NOT_FOUND") && bad.detail().contains("nope"), bad.detail());

            fake.fail("GetSystemInfo", Status.UNAVAILABLE.withDescription("down"), 1);
            TemporalConnection.Health down = good.check(TIMEOUT);
            assertFalse(down.ok());
            assertTrue(down.detail().contains("UNAVAILABLE: down"), down.detail());
        }
    }

    /** A real TLS server on loopback that requires a client certificate and records authorization headers. */
    private static final class TlsServer implements AutoCloseable {
        final List<String> authorization = new CopyOnWriteArrayList<>();
        final Server server;
        final FakeTemporal fake;

        TlsServer() throws Exception {
            fake = new FakeTemporal(new TestClock());
            ServerInterceptor capture = new ServerInterceptor() {
                @Override
                public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                                   ServerCallHandler<Q, R> next) {
                    String auth = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
                    authorization.add(auth == null ? "" : auth);
                    return next.startCall(call, headers);
                }
            };
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .sslContext(GrpcSslContexts.forServer(tls("server.pem").toFile(), tls("server.key").toFile())
                            .trustManager(tls("ca.pem").toFile()).clientAuth(ClientAuth.REQUIRE).build())
                    .addService(ServerInterceptors.intercept(fake, capture)).build().start();
        }

        String address() {
            return "127.0.0.1:" + server.getPort();
        }

        @Override
        public void close() throws Exception {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            fake.close();
        }
    }

    @Test
    void mutualTlsWithAnApiKeyReachesARealTlsServer() throws Exception {
        try (TlsServer server = new TlsServer();
             TemporalConnection c = TemporalConnection.open(config(server.address(),
                     Optional.of(tlsConfig(tls("ca.pem"), tls("client.pem"), tls("client.key"), "temporal.test")),
                     Optional.of(new Secret("k-secret"))), metrics)) {
            TemporalConnection.Health h = c.check(TIMEOUT);
            assertTrue(h.ok(), h.detail());
            assertTrue(server.authorization.contains("Bearer k-secret"), server.authorization.toString());
            assertFalse(c.toString().contains("k-secret"));
        }
    }

    @Test
    void withoutTheClientCertificateOrTheRightCaTheCheckFails() throws Exception {
        try (TlsServer server = new TlsServer()) {
            try (TemporalConnection noClientCert = TemporalConnection.open(config(server.address(),
                    Optional.of(tlsConfig(tls("ca.pem"), null, null, "temporal.test")), Optional.empty()), metrics)) {
                TemporalConnection.Health h = noClientCert.check(TIMEOUT);
                assertFalse(h.ok());
                assertTrue(h.detail().contains(server.address()), h.detail());
            }
            try (TemporalConnection systemTrust = TemporalConnection.open(config(server.address(),
                    Optional.of(tlsConfig(null, tls("client.pem"), tls("client.key"), "temporal.test")),
                    Optional.empty()), metrics)) {
                assertFalse(systemTrust.check(TIMEOUT).ok(), "the test CA is not in the system trust store");
            }
            try (TemporalConnection wrongName = TemporalConnection.open(config(server.address(),
                    Optional.of(tlsConfig(tls("ca.pem"), tls("client.pem"), tls("client.key"), "other.test")),
                    Optional.empty()), metrics)) {
                assertFalse(wrongName.check(TIMEOUT).ok(), "the certificate does not name other.test");
            }
            try (TemporalConnection plain = TemporalConnection.open(config(server.address(), Optional.empty(),
                    Optional.empty()), metrics)) {
                assertFalse(plain.check(TIMEOUT).ok(), "plain text to a TLS port");
            }
        }
    }
}
