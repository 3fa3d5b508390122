/**
 * Axiom's processor replicated on Aeron Cluster: the same deterministic state machine as on a single node, hosted
 * as a {@code ClusteredService} on every member, fed by the cluster's replicated log instead of local producers.
 * <p>
 * <b>The shape.</b>
 * <pre>
 *  gateway / worker endpoint ─► engine.ring() ─► LogForwarder ─┬─ write ─► cluster ingress ─► leader ─► Raft log
 *         (any member)                          (cluster client)└─ read ──► this member's log ring ─► processor
 *  Raft log (committed, every member) ─► AxiomService ─► engine.logRing() ─► processor ─► journal, replies
 * </pre>
 * {@link io.axiom.cluster.service.ReplicatedEngine} assembles one member: the {@code ClusterNode} with the
 * {@link io.axiom.cluster.service.AxiomService}, the engine it launches on start ({@code core}'s
 * {@code HostedLog} mode), and the {@link io.axiom.cluster.service.LogForwarder}, the member's gateway as a client
 * of the cluster (it follows the leader). A write's envelope ({@link io.axiom.cluster.service.LogEnvelope}) carries
 * a token under which the sending member's {@link io.axiom.cluster.service.Routes} keep the waiting party: when the
 * entry comes out of the log there, the member's own processor answers it. Every other member applies the entry the
 * same way and drops the answer. Reads never enter the log: each member answers them from its own state, which holds
 * every write it has acknowledged (read-your-writes on the member you write through; another member may be a few
 * entries behind).
 * <p>
 * <b>Deterministic.</b> Each entry is stamped with the log's timestamp; time moves only with the log's tick, a
 * cluster timer every {@code cluster.tick-ms}, at which timers fire and ended workflows retire; ready tasks are dealt
 * after every entry. Workers are known by a route key (the sending member's session id and a connection number), the
 * same on every member: the member holding the connection sends the TaskAssigned, the others deal to a stand-in. When
 * a member's session closes (the member died), its workers leave every member's dealer at that point of the log, and
 * their leases expire on the log's time. So every member writes the same journal, byte for byte
 * ({@code ReplicatedEngineTest}), and fencing tokens (StepLeased positions in that journal) grow across terms.
 * <p>
 * <b>What durable means here.</b> An acknowledgement (HTTP 201, a completion accepted, a task dispatched) leaves a
 * member only after (1) the cluster committed the entry, which with {@code cluster.force-archive} (the default) means
 * a majority of members recorded it and forced it to disk, and (2) this member applied it and forced its own journal
 * once for the batch. A minority of members may then lose power, disks or their whole directory and nothing
 * acknowledged is lost: a restarted member loads its last cluster snapshot and replays the log after it, a wiped one
 * replays the log from the start. A write offered to a leader that fails before committing it is lost with it and
 * never acknowledged: its caller times out and retries with the same Idempotency-Key, which is safe.
 * <p>
 * <b>The journal.</b> Each member keeps its journal, derived from the log: at start it is cut back to where the
 * member's cluster snapshot ends (or to empty without one) and the log's replay writes the rest again. A cluster
 * snapshot ({@code onTakeSnapshot}) is the processor's whole state in the single-node snapshot encoding, bound to
 * the journal position it covers; the processor forces the journal first. The data directory's own snapshots and
 * segment retention are off in cluster mode.
 * <p>
 * <b>Threads.</b> The service container's thread only copies entries onto the log ring (it blocks when the ring is
 * full: back-pressure on the log) and never does I/O; the processor's thread does the journal. The forwarder runs on
 * its own backing-off thread.
 * <p>
 * <b>Must never know:</b> HTTP, the worker protocol's contents (frames pass through with their route key), how a
 * member's directories are laid out ({@code io.axiom.cluster.node}).
 */
package io.axiom.cluster.service;
