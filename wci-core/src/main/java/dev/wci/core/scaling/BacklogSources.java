package dev.wci.core.scaling;

/**
 * How a decision's believed backlog was learnt, summed over the group's task queues: the stats picture's own backlog
 * plus the sync-match failures added on top of it, per origin ({@link dev.wci.core.signal.SyncMatchFailure.Origin}),
 * and the failures left out because a picture already shows them or they came before the moment it describes.
 * {@code picture + pushed + grown} is the backlog. Failures are counted from the scaler's small ring of batches (at
 * most a few dozen per queue, older ones merged), so this is what the scaler itself added, not a per-task record.
 *
 * @param picture          tasks the fresh stats pictures show waiting (0 when none is fresh)
 * @param pictureAgeMillis how long before the decision the oldest fresh picture's moment (its as-of time) was; -1
 *                         when no picture is fresh (then every failure within the drain target counts)
 * @param pushed           pushed failures added to the picture: stamped after its moment and not shown by a
 *                         picture's growth (taken, or about to be: the picture grew and its growth is still to come)
 * @param grown            stats-growth failures added: only while no picture is fresh (a growth is its picture's own)
 * @param pushedInPicture  pushed failures after the picture's moment that a picture already shows (not added)
 * @param grownInPicture   stats-growth failures after the picture's moment, shown by their picture (not added)
 * @param earlier          failures still remembered from before the cut-off (the picture's moment, the drain target,
 *                         or a worker going idle): not added
 */
public record BacklogSources(long picture, long pictureAgeMillis, long pushed, long grown, long pushedInPicture,
                             long grownInPicture, long earlier) {

    /** The tasks believed waiting: the picture's backlog and the failures added to it. */
    public long total() {
        return picture + pushed + grown;
    }
}
