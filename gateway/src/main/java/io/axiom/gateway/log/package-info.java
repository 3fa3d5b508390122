/**
 * The server's log: what a line looks like and where it goes.
 * <p>
 * {@link io.axiom.gateway.log.ServerLog} is installed by {@code axiom server} before anything else runs: one
 * {@code java.util.logging} handler on the root logger writes every record of the process (Axiom's
 * {@code System.Logger}s, Helidon, the JDK) as one line on standard output, formatted by
 * {@link io.axiom.gateway.log.LineFormatter} as text or JSON ({@code log.format}) and filtered by level
 * ({@code log.level}, {@link io.axiom.gateway.log.LogLevel}). No logging framework: the JDK's own API, so the engine,
 * the journal and the transport log with {@code System.getLogger} and need no dependency.
 * <p>
 * The operator-facing events use short logger names, which are the line's source: {@code axiom.server} (start,
 * listening, ready, stop), {@code axiom.recovery}, {@code axiom.storage}, {@code axiom.http} (refused and failed
 * requests), {@code axiom.workers}, {@code axiom.chaos}, {@code axiom.engine}, {@code axiom.listener}.
 * <p>
 * Must never know: the engine, HTTP, configuration or the command line; it formats and writes records. Nothing here
 * is on the processor's hot path: the processor logs only on failure paths.
 */
package io.axiom.gateway.log;
