/**
 * The seeded SIGKILL soak ({@code bin/axiom chaos soak}): {@link io.axiom.chaos.soak.Soak} runs it.
 * <p>
 * Who does what: {@link io.axiom.chaos.soak.FaultSchedule} draws the kills from the seed;
 * {@link io.axiom.chaos.soak.Soak} starts the real server ({@code bin/axiom server}) and the
 * {@link io.axiom.chaos.soak.SoakWorker} JVMs, carries out the schedule and stops everything; the load driver keeps the
 * ledger of acknowledged creates; {@link io.axiom.chaos.soak.EffectsLedger} is the downstream system the workers
 * change, fenced by token; the log audit reads {@code bin/axiom wal dump} after a clean stop and holds the log against
 * both ledgers. A violation is one broken promise, named by workflow, step, token or position.
 * <p>
 * With a cluster ({@code --cluster N}) the same parts run against N {@code bin/axiom server --cluster} members:
 * {@link io.axiom.chaos.soak.Endpoints} holds the members' URIs as they come and go (the load and the probe take them
 * in turn), the schedule's server faults become leader and member kills, and each member's journal is audited on its
 * own and compared with the others'.
 * <p>
 * Waits are bounded and follow conditions (a process's line, {@code /ready}, no unfinished workflow); the only waits
 * by the clock are the schedule's moments and the soak's duration. Every process started is killed on close.
 * <p>
 * <b>Must never know:</b> the engine's or the cluster's code from inside. The soak sees the system as a user does:
 * the command line, HTTP, the worker SDK, the log's offline tools (and a killed member's mark file, to find the
 * media driver directory it left).
 */
package io.axiom.chaos.soak;
