/**
 * {@code wci demo}: the whole loop on one machine. It starts a Temporal dev server, the local Lambda runtime
 * with a sample worker function published as two versions, and WCI itself, then drives load through it (a
 * burst, a trickle, a switch of the Current version) while printing live progress and, at the end, a summary.
 */
package dev.wci.dev.demo;
