package dev.wci.server.config;

import java.time.Duration;
import java.util.Optional;

/**
 * How to reach Temporal ({@code temporal} section).
 *
 * @param address                 host:port of the frontend
 * @param namespace               the namespace whose deployments are managed (default {@code default})
 * @param tls                     TLS settings; empty for plain text. An API key without a {@code tls} section
 *                                implies TLS with the system trust store.
 * @param apiKey                  Temporal Cloud API key, sent as a bearer token
 * @param describeBudgetPerSecond most describe calls per second WCI makes (default 10; the server allows 50
 *                                per namespace)
 * @param rpcTimeout              timeout of one describe call (default 10 s)
 */
public record TemporalConfig(String address, String namespace, Optional<TlsConfig> tls, Optional<Secret> apiKey,
                             double describeBudgetPerSecond, Duration rpcTimeout) {

    /** TLS or mTLS. All files are PEM. Client certificate and key come together or not at all. */
    public record TlsConfig(Optional<java.nio.file.Path> serverCaFile, Optional<java.nio.file.Path> clientCertFile,
                            Optional<java.nio.file.Path> clientKeyFile, Optional<String> serverName) {
    }
}
