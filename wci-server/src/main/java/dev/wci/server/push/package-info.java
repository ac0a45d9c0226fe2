/**
 * The {@code push} signal source: {@link dev.wci.server.push.PushSignalServer} serves the
 * {@code wci.push.v1.SignalPush} gRPC API (generated into {@code dev.wci.server.push.v1}) where producers
 * report task-add events, and delivers the sync-match failures among them to a
 * {@link dev.wci.core.signal.SignalSink}. Protocol and producer guide: docs/push.md.
 */
package dev.wci.server.push;
