/**
 * Chaos: fault injection into this server's own parts, for operators who want to see the promises hold on their
 * deployment (README, "Chaos and verify").
 * <p>
 * <b>What it owns.</b> The three scenarios ({@link io.axiom.gateway.chaos.ChaosScenario}) and one run at a time
 * ({@link io.axiom.gateway.chaos.ChaosRunner}) behind {@code POST /api/v1/chaos/run}
 * ({@link io.axiom.gateway.chaos.ChaosModule}), the GraphQL {@code runChaos} mutation and {@code bin/axiom chaos run};
 * the faults themselves ({@link io.axiom.gateway.chaos.ChaosFaults}) go through seams the production modules expose
 * and leave unset unless {@code chaos.enabled}: the journal's {@code JournalFaults} (flush latency), the processor's
 * duty-cycle hook (latency), the worker endpoint's {@code FrameFaults} (frames dropped and delayed both ways), and
 * restarts of the worker transport, of the worker connections and of the HTTP connections.
 * <p>
 * <b>Off by default.</b> Without {@code chaos.enabled} (flag {@code --chaos-enabled}, env
 * {@code AXIOM_CHAOS_ENABLED=true}) no seam is set, so no chaos code is on any path, and every entry point answers
 * 403 FORBIDDEN saying how to enable it.
 * <p>
 * <b>Why here and not in the {@code chaos} module.</b> These faults act on the running server's own objects (its
 * journal, processor, endpoint, listener), so they are assembled where the server is: the gateway. The {@code chaos}
 * module holds what drives servers from outside (the SIGKILL soak harness).
 * <p>
 * <b>Must never know:</b> the engine's internals beyond its public counters and client; it must never write to the
 * journal or the engine's state itself: every fault is one a real failure could cause.
 */
package io.axiom.gateway.chaos;
