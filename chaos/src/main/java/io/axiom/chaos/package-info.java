/**
 * Fault injection and the soak harness: the tools that try to break Axiom's promises from the outside, the way a
 * user's own failures would, and report whether the promises held.
 * <p>
 * What this module owns:
 * <ul>
 *     <li>{@code bin/axiom chaos soak} ({@link io.axiom.chaos.ChaosMain}, package {@link io.axiom.chaos.soak}): a real
 *     server process and real worker processes under load, SIGKILLed and restarted at moments drawn from a seed, then
 *     judged against the harness's own ledgers and the log itself.</li>
 * </ul>
 * What it must never know, and what must never know it:
 * <ul>
 *     <li>No production module ({@code codecs}, {@code journal}, {@code core}, {@code transport}, {@code gateway})
 *     imports anything from here, and nothing here is on a server's hot path. The dependency points one way: chaos
 *     uses the gateway (and through it everything else), like {@code perf}.</li>
 *     <li>The harness does not reach into a server's memory or files while it runs: it talks to the server the way a
 *     user does (HTTP, the Aeron worker SDK, signals, {@code bin/axiom} commands), and reads the log only with the
 *     offline tools ({@code bin/axiom wal dump}, {@code wal verify}) once the server has stopped. A verdict that
 *     needed the engine's internals would prove less.</li>
 *     <li>Server-side fault scenarios ({@code chaos run SCENARIO}, {@code POST /api/v1/chaos/run}) are a client
 *     command of the gateway and a capability of the server, not part of this module: {@code bin/axiom} sends only
 *     {@code chaos soak} here.</li>
 * </ul>
 */
package io.axiom.chaos;
