package dev.wci.core.scaling;

/**
 * A group's {@link BacklogSources} being summed over its queues ({@link QueueDemand#tally}), without a record per
 * queue: the backlog is read on every decision, and its sources are kept only with a decision made. Mutable and
 * reused by one group under the scaler's lock.
 */
final class BacklogTally {

    long picture;
    long pictureAgeMillis = -1;
    long pushed;
    long grown;
    long pushedInPicture;
    long grownInPicture;
    long earlier;

    /** Starts a new sum. */
    BacklogTally reset() {
        picture = 0;
        pictureAgeMillis = -1;
        pushed = 0;
        grown = 0;
        pushedInPicture = 0;
        grownInPicture = 0;
        earlier = 0;
        return this;
    }

    /** The tasks believed waiting: the pictures' backlog and the failures added to it. */
    long total() {
        return picture + pushed + grown;
    }

    /** The sum as a record (the age is the oldest picture's). */
    BacklogSources sources() {
        return new BacklogSources(picture, pictureAgeMillis, pushed, grown, pushedInPicture, grownInPicture, earlier);
    }
}
