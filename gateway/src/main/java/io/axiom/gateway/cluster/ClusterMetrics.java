package io.axiom.gateway.cluster;

import io.aeron.cluster.service.Cluster;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import io.axiom.cluster.service.ReplicatedEngine;

/**
 * A cluster member's Prometheus families, read per scrape from its consensus module's counters and its gateway's
 * session: no query of the cluster, nothing that blocks.
 */
public final class ClusterMetrics implements MultiCollector
{
    private final ReplicatedEngine replicated;

    /**
     * @param replicated this member.
     */
    public ClusterMetrics(final ReplicatedEngine replicated)
    {
        this.replicated = replicated;
    }

    /**
     * @param role a member's role.
     * @return its value in {@code axiom_cluster_role}: 0 follower, 1 candidate, 2 leader.
     */
    public static int roleValue(final Cluster.Role role)
    {
        return switch (role)
        {
            case FOLLOWER -> 0;
            case CANDIDATE -> 1;
            case LEADER -> 2;
        };
    }

    @Override
    public MetricSnapshots collect()
    {
        final MetricSnapshots.Builder out = MetricSnapshots.builder();
        gauge(out, "axiom_cluster_member_id", "This server's member id in its cluster", replicated.node().memberId());
        gauge(out, "axiom_cluster_role", "This member's role: 0 follower, 1 candidate, 2 leader",
            roleValue(replicated.node().role()));
        gauge(out, "axiom_cluster_leadership_term_id", "The leadership term this member is in",
            replicated.node().leadershipTermId());
        gauge(out, "axiom_cluster_commit_position", "The log position this member knows committed, in bytes",
            replicated.node().commitPosition());
        gauge(out, "axiom_cluster_connected", "1 while this member's gateway has a session with a leader, else 0",
            replicated.connected() ? 1 : 0);
        gauge(out, "axiom_cluster_snapshots", "Cluster snapshots this member has taken since it started",
            replicated.node().snapshotCount());
        out.metricSnapshot(CounterSnapshot.builder().name("axiom_cluster_errors")
            .help("Errors this member's cluster node (driver, archive, consensus module, service container) " +
                "reported since start, Aeron's warnings not counted")
            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .value(replicated.node().errorCount()).build())
            .build());
        return out.build();
    }

    private static void gauge(final MetricSnapshots.Builder out, final String name, final String help, final double v)
    {
        out.metricSnapshot(GaugeSnapshot.builder().name(name).help(help)
            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(v).build()).build());
    }
}
