package dev.wci.server.scrape;

import java.util.Collection;

/**
 * The task queues WCI knows, by the versions whose workers poll them. The matching-metrics source needs it for two
 * things the metrics cannot say by themselves:
 * <ul>
 *   <li>the deployment of a task queue whose series is unversioned ({@code worker_version="__unversioned__"}).
 *       Temporal keeps the backlog of unpinned (Auto-Upgrade and new) workflows in the task queue's unversioned
 *       queue, so most sync-match failures arrive this way; they go to
 *       {@link dev.wci.core.registry.VersionLookup#attributeUnpinned} of that deployment;</li>
 *   <li>the real names behind label values: Temporal's default metrics reporter replaces every character other than
 *       letters, digits and {@code _} with {@code _}, so {@code orders-v1} is exported as {@code orders_v1}, and the
 *       build ID {@code 1.4.2} as {@code 1_4_2}. Signals must carry the real task queue and version.</li>
 * </ul>
 * List the task queues of every version of the deployments WCI manages (at least of the managed versions; a task
 * queue belongs to one deployment). Called once per scrape round, from one thread; must be thread-safe and cheap
 * (return a snapshot, do not call Temporal).
 */
@FunctionalInterface
public interface TaskQueueDirectory {

    /** The (version, task queue) pairs known now. */
    Collection<VersionTaskQueue> knownTaskQueues();
}
