package dev.wci.dev.e2e;

import dev.wci.core.lease.LeaseEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The HA tests' double-invoke check: from each replica's lease holds and the invocations the Lambda runtime received,
 * attributed to the replica that sent them, counts (a) overlapping holds of one deployment by two replicas, (b) an
 * invoke received while a replica other than its sender held the deployment's lease, and (c) an invoke sent outside
 * its sender's own hold (only where the send time is known). Prints the tally.
 */
final class DoubleInvokes {

    /**
     * One invocation the runtime received.
     *
     * @param sentAt when the replica sent it, or null when only the runtime's time is known (a separate process)
     */
    record Invoke(String replica, String deployment, Instant sentAt, Instant receivedAt) {
    }

    private DoubleInvokes() {
    }

    /**
     * @param holds        per replica, per deployment, its holds as [from, to) intervals (see {@link #intervals})
     * @param invokes      the attributed invocations of the deployments
     * @param unattributed invocations no replica could be named for (printed only)
     */
    static int count(List<String> deployments, Map<String, Map<String, List<Instant[]>>> holds, List<Invoke> invokes,
                     int unattributed) {
        int doubles = 0;
        int outsideOwnHold = 0;
        int sendTimeUnknown = 0;
        List<String> replicas = holds.keySet().stream().sorted().toList();
        for (String d : deployments) {
            for (String a : replicas) {
                for (String b : replicas) {
                    if (a.compareTo(b) >= 0) {
                        continue;
                    }
                    for (Instant[] x : holds.get(a).getOrDefault(d, List.of())) {
                        for (Instant[] y : holds.get(b).getOrDefault(d, List.of())) {
                            if (x[0].isBefore(y[1]) && y[0].isBefore(x[1])) {
                                System.out.printf("HA overlap on %s: %s %s..%s and %s %s..%s%n", d, a, x[0], x[1], b,
                                        y[0], y[1]);
                                doubles++;
                            }
                        }
                    }
                }
            }
            for (Invoke i : invokes) {
                if (!i.deployment().equals(d)) {
                    continue;
                }
                if (i.sentAt() == null) {
                    sendTimeUnknown++;
                } else if (holds.getOrDefault(i.replica(), Map.of()).getOrDefault(d, List.of()).stream()
                        .noneMatch(h -> within(i.sentAt(), h))) {
                    outsideOwnHold++;
                    System.out.printf("HA invoke of %s by %s sent at %s outside its own hold%n", d, i.replica(),
                            i.sentAt());
                    doubles++;
                }
                for (String other : replicas) {
                    if (!other.equals(i.replica()) && holds.get(other).getOrDefault(d, List.of()).stream()
                            .anyMatch(h -> within(i.receivedAt(), h))) {
                        System.out.printf("HA double invoke of %s: %s's invoke received at %s while %s held it%n", d,
                                i.replica(), i.receivedAt(), other);
                        doubles++;
                    }
                }
            }
        }
        System.out.printf("HA double invokes: %d (invocations attributed to their replica: %d, unattributed: %d, sent "
                        + "outside the sender's own hold: %d, send time unknown: %d)%n", doubles, invokes.size(),
                unattributed, outsideOwnHold, sendTimeUnknown);
        return doubles;
    }

    /**
     * A replica's holds of a deployment from its lease history, in order; a hold still open at the end of the history
     * ends at {@code end} (the replica's death), or never when it is null.
     */
    static List<Instant[]> intervals(List<LeaseEvent> history, String deployment, Instant end) {
        List<Instant[]> out = new ArrayList<>();
        Instant open = null;
        for (LeaseEvent e : history) {
            if (!e.deployment().equals(deployment)) {
                continue;
            }
            if (e.kind().holds() && open == null) {
                open = e.at();
            } else if (!e.kind().holds() && open != null) {
                out.add(new Instant[] {open, e.at()});
                open = null;
            }
        }
        if (open != null) {
            out.add(new Instant[] {open, end == null ? Instant.MAX : end});
        }
        return out;
    }

    private static boolean within(Instant t, Instant[] interval) {
        return !t.isBefore(interval[0]) && t.isBefore(interval[1]);
    }
}
