package dev.wci.server.config;

import java.nio.file.Path;

/** Where something was written in the configuration file: for messages that point the user at it. */
public record ConfigLocation(Path file, int line, int column) {

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
