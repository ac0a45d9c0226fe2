package dev.wci.core.scaling;

/**
 * Live workers of a group at one moment: starting (invoked, not yet polling) and ready (polling), and
 * of those, how many stop taking work before a replacement invoked now could be ready.
 */
public record LiveWorkers(int starting, int ready, int expiring) {

    public static final LiveWorkers NONE = new LiveWorkers(0, 0, 0);

    public int live() {
        return starting + ready;
    }

    /** Workers that will still be capacity one cold start from now. */
    public int lasting() {
        return live() - expiring;
    }
}
