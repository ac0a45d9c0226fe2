package dev.wci.server.config;

/** The HTTP listener for /metrics, /healthz, /readyz, /status ({@code http.listen}, default 127.0.0.1:8080). */
public record HttpConfig(String host, int port) {
}
