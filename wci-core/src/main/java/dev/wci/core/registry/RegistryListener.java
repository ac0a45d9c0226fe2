package dev.wci.core.registry;

/**
 * Hears registry changes. Called on the thread that updated the registry, in order, after the new snapshot
 * is visible; must be quick and must not block. An exception neither undoes the update nor keeps other
 * listeners from hearing it: it is rethrown to the updater once every listener has been called.
 */
@FunctionalInterface
public interface RegistryListener {
    void changed(RegistryChange change);
}
