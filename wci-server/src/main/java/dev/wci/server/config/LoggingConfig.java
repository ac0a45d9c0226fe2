package dev.wci.server.config;

/** Logging ({@code logging} section): format {@code text} (default) or {@code json}, and the root level. */
public record LoggingConfig(Format format, String level) {

    public enum Format { TEXT, JSON }
}
