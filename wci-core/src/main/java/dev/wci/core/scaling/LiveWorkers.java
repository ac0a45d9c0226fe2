package dev.wci.core.scaling;

/**
 * Live workers of a group at one moment: starting (invoked, not yet polling) and ready (polling); of those, how
 * many stop taking work before a replacement invoked now could be ready ({@code expiring}), and how many have been
 * starting for much longer than a cold start ({@code late}: a slow start, or one that failed without a word). Late
 * and expiring workers hold their cap slots but do not cover demand.
 */
public record LiveWorkers(int starting, int ready, int expiring, int late) {

    public static final LiveWorkers NONE = new LiveWorkers(0, 0, 0, 0);

    /** No late worker. */
    public LiveWorkers(int starting, int ready, int expiring) {
        this(starting, ready, expiring, 0);
    }

    public int live() {
        return starting + ready;
    }

    /** Workers that will still be capacity one cold start from now. */
    public int lasting() {
        return live() - expiring - late;
    }
}
