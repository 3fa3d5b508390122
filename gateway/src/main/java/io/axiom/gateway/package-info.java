/**
 * The assembly point of an Axiom process and the {@code axiom} command.
 * <p>
 * {@link io.axiom.gateway.AxiomMain} is the entry point: a picocli command whose subcommands live in
 * {@code io.axiom.gateway.cli} (and in other modules); adding one is one line in its {@code COMMANDS} list, and a run
 * builds only the one it names. {@link io.axiom.gateway.StartupTraining} is the training run of the start-up cache
 * {@code bin/axiom} keeps for the short commands: the client commands against a canned loopback server.
 * {@link io.axiom.gateway.AxiomServer} wires a concluded configuration into a running engine
 * ({@code io.axiom.core.Engine}) and a Helidon web server ({@code io.axiom.gateway.listener} for connections,
 * {@code io.axiom.gateway.http} and the other modules for routes), and closes them in the reverse order. What keeps a
 * server from starting (an unusable data directory, a port that cannot be bound) is a
 * {@link io.axiom.gateway.StartupException} with an operator-ready message and an exit code.
 * <p>
 * The gateway faces people: it owns the HTTP contract, configuration, the command line and the server's log
 * ({@code io.axiom.gateway.log}). It talks to the engine
 * only through {@code Engine}/{@code EngineClient} and the journal only through its offline inspector; it never
 * touches processor state or mapped segments, and holds no workflow state of its own. The one producer that writes
 * ring slots itself is the worker transport ({@code io.axiom.gateway.transport}), whose Aeron thread must never
 * wait. With {@code chaos.enabled} (never by default) it also installs the fault seams of the journal, the processor
 * and the worker endpoint and serves chaos runs ({@code io.axiom.gateway.chaos}).
 */
package io.axiom.gateway;
