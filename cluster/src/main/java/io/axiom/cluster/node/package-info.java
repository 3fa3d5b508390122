/**
 * A member of an Aeron Cluster (Raft over Aeron, the log recorded by Aeron Archive) on a directory of its own, and
 * how to look at one and steer it from outside.
 * <p>
 * <b>What it owns.</b>
 * <ul>
 *     <li>{@link io.axiom.cluster.node.ClusterMembers}: the member list, Aeron's full form
 *     {@code "0,ingress,consensus,log,catchup,archive|1,..."} or the short {@code "0,host:basePort|1,..."} (ports
 *     {@code basePort+0..4} in that order); {@code local(n, basePort)} puts member {@code i} on
 *     {@code basePort + 10i}. It gives Aeron's string, the clients' ingress endpoints ({@code "0=host:port,..."})
 *     and a member's archive endpoint.</li>
 *     <li>{@link io.axiom.cluster.node.ClusterNode}: media driver, archive, consensus module and service container
 *     for one {@code ClusteredService}, launched in that order and closed in reverse, on {@code <nodeDir>}:
 *     {@code archive/}, {@code cluster/}, {@code node.lock}; the driver's directory is
 *     {@code /dev/shm/axiom-node-<memberId>-<crc32 of nodeDir>} (under {@code nodeDir} without {@code /dev/shm}),
 *     the same on every launch so that a killed node's is found and deleted.</li>
 *     <li>{@link io.axiom.cluster.node.ClusterStatus}: role, election and module state, leader, term, commit and
 *     append positions, snapshot count, and on the leader every member's log position and lag, read from outside
 *     the node (its mark file, its driver's counters, its recording log, a members query on its control
 *     channel).</li>
 *     <li>{@link io.axiom.cluster.node.ClusterControl}: a snapshot through the leader's control toggle, waited for
 *     until the snapshot counter moves.</li>
 * </ul>
 * <b>Tuning (defaults, from issue 11's measurements on 2 cores).</b> Leader heartbeat timeout 1 s, interval
 * 100 ms, election timeout 500 ms (a leader SIGKILL costs ~2 s instead of ~11 s with Aeron's defaults); session
 * timeout 10 s; log term length 4 MiB (shorter terms let a follower drop its log stream under load). The ingress
 * term length is the client's: clients use {@link io.axiom.cluster.node.ClusterNode#INGRESS_CHANNEL}. Every agent
 * backs off (a few spins and yields, then parks up to 1 ms): the driver is {@code ThreadingMode.SHARED}, the
 * archive {@code ArchiveThreadingMode.SHARED}, and the archive, consensus module and service container take an
 * {@code idleStrategySupplier} each.
 * <p>
 * <b>Durability.</b> With {@code forceArchive(true)} (the default) the archive forces its recordings
 * ({@code Archive.Context.fileSyncLevel(1)}) and catalog ({@code catalogFileSyncLevel(1)}), and the consensus
 * module its recording log and node state ({@code ConsensusModule.Context.fileSyncLevel(1)}). A command the
 * cluster has committed has then been recorded, and forced to disk, on a majority: an acknowledgement survives any
 * minority of machines losing power. {@code forceArchive(false)} exists to measure what that costs.
 * <p>
 * <b>Restart after SIGKILL.</b> Each of Aeron's mark files refuses to start while the one a previous process left
 * was active within the last 10 s ({@code LIVENESS_TIMEOUT_MS}, ten mark-file update intervals of 1 s):
 * {@code IllegalStateException: active mark file detected}. There are three, each shown to block by
 * {@code RestartAfterKillTest} (the first two by a launch, the third by the check its container makes):
 * {@code archive/archive-mark.dat}, {@code cluster/cluster-mark.dat} (consensus module) and
 * {@code cluster/cluster-mark-service-0.dat} (service container). The node takes an exclusive OS lock on
 * {@code node.lock} ({@code FileChannel.tryLock}, released by the OS when the process dies) before anything
 * else; holding it proves no live process uses the directory, so those three are deleted before launch and the
 * driver's directory is cleared ({@code dirDeleteOnStart}). Nothing else is deleted: {@code cluster/node-state.dat}
 * holds the term this node voted in (Raft's safety rests on it), {@code cluster/recording.log} and the archive's
 * catalog and segments hold the log and the snapshots. A second launch on a locked directory fails naming the lock
 * file and the pid written in it. The errors a killed process's mark files held are lost with them (Aeron copies
 * them aside only when it reopens a mark file itself).
 * <p>
 * <b>Aeron's ClusterTool.</b> It works against a node's cluster directory as is; it finds the driver through the
 * mark file: {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp <axiom-cluster's classpath>
 * io.aeron.cluster.ClusterTool <nodeDir>/cluster describe} (also {@code pid}, {@code list-members},
 * {@code is-leader}, {@code recording-log}, {@code errors}, {@code snapshot}, {@code suspend}, {@code resume}).
 * Its static methods ({@code ClusterTool.describe(out, clusterDir)}, {@code listMembers(membership, clusterDir,
 * timeoutMs)}, {@code snapshot(clusterDir, out)}) are what this package uses; {@code snapshot} must be asked of the
 * leader and itself waits (up to 30 s) for the toggle to return to neutral.
 * <p>
 * <b>Pitfalls met.</b> Aeron reports warnings ({@code ClusterEvent}: leader heartbeat timeout, unexpected service
 * client close) through the error handler; the node counts them apart ({@code warningCount}) from errors
 * ({@code errorCount}) and logs them on {@code System.Logger} {@code axiom.cluster} at WARNING. The consensus
 * module's counters carry the cluster id as the first int of their key. {@code ClusterControl.mapCounters} maps the
 * whole CnC file: unmap its values buffer once, not the metadata buffer too (the same mapping). When the service
 * container fails to start, closing the already started consensus module takes about 5 s (its agent waits for the
 * service and is interrupted after the runner's close timeout). Closing a node closes its service container first, so
 * the consensus module logs {@code ClusterTerminationException: unexpected termination} on the way down: noise, but
 * it counts as an error; an orderly stop of a whole cluster is the {@code SHUTDOWN} toggle
 * ({@code ClusterTool shutdown}), not done here. A SIGKILLed node's driver directory under {@code /dev/shm} stays
 * until the next launch on the same node directory clears it.
 * <p>
 * <b>Must never know:</b> the processor, workflows, the journal, HTTP. The service hosted is any
 * {@code ClusteredService}; Axiom's is in {@code io.axiom.cluster.service}.
 */
package io.axiom.cluster.node;
