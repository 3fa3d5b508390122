/**
 * Operating a server that runs as a member of a replicated cluster (Aeron Cluster): {@code GET /api/v1/cluster}
 * (this member's view: role, leader, term, commit and append positions, snapshots, every member's log position and,
 * on the leader, lag), {@code POST /api/v1/cluster/snapshot} (a cluster snapshot through the leader), what
 * {@code /ready} reports of the member ({@link io.axiom.gateway.http.ClusterMembership}: ready only while its gateway
 * has a session with a leader) and the {@code axiom_cluster_*} Prometheus families.
 * <p>
 * Status reads go through {@link io.axiom.cluster.node.ClusterStatus} (the node read from outside, a members query
 * bounded by a timeout), metrics and {@code /ready} only through the node's counters and the gateway's session
 * flags, never a query. A single node answers both routes with 404 {@code NOT_CLUSTERED}.
 * <p>
 * <b>Must never know:</b> the processor, workflows, the journal; it never writes to the engine.
 */
package io.axiom.gateway.cluster;
