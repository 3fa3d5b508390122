/**
 * Subcommands of {@code axiom} owned by the gateway: {@code server}, and {@code wal verify} / {@code wal dump} for
 * offline inspection of a journal.
 * <p>
 * Exit codes are the same for every command: 0 done, 1 the operation failed (corruption found, port taken, I/O
 * error), 2 usage or configuration error (unknown flag, bad value, missing file, a data directory that cannot hold a
 * journal) or a fatal engine failure at start (e.g. a corrupt journal, which needs an operator's decision: restore,
 * or {@code --repair}).
 * <p>
 * {@code axiom server} logs on stdout, one line per event ({@code io.axiom.gateway.log}, installed before anything
 * else runs). A server that cannot start says so in one line, {@code axiom: REASON}, on stderr (and at ERROR in the
 * log), and never logs its listening or ready lines (those come once the journal is recovered); {@code --debug} adds
 * the stack trace.
 * <p>
 * {@code axiom cluster local --nodes N} ({@link io.axiom.gateway.cli.ClusterLocalCommand}) supervises N cluster
 * members on this machine as child processes of {@code bin/axiom server --cluster} (found through
 * {@code $AXIOM_LAUNCHER}, which {@code bin/axiom} exports): it copies their output prefixed {@code [node-i]},
 * announces each member's URL, and on SIGINT/SIGTERM (or one child ending) stops them all, SIGTERM then SIGKILL.
 * <p>
 * Commands parse, print and delegate; they never hold engine or journal state beyond one invocation.
 */
package io.axiom.gateway.cli;
