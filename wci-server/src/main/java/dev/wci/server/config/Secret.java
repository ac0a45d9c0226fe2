package dev.wci.server.config;

import java.util.Objects;

/** A secret value from the configuration (API key, token): never printed. */
public record Secret(String value) {

    public Secret {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return "***";
    }
}
