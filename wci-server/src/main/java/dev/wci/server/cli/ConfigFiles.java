package dev.wci.server.cli;

import dev.wci.server.config.ConfigException;
import dev.wci.server.config.ConfigLoader;
import dev.wci.server.config.WciConfig;
import java.nio.file.Path;

/** Loads the configuration for a command; a broken file is a user error listing every problem, one a line. */
final class ConfigFiles {

    private ConfigFiles() {
    }

    static WciConfig load(Path file) {
        try {
            return new ConfigLoader(System::getenv).load(file);
        } catch (ConfigException e) {
            // One line per mistake, each complete on its own (file:line:column: path: expected ..., found ...).
            throw new UserError(e.getMessage());
        }
    }
}
