package io.axiom.perf;

import java.io.File;

import io.aeron.AeronCounters;
import io.aeron.CncFileDescriptor;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusterMarkFile;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.status.CountersReader;

/**
 * A running member's role, election state and leadership term read from its media driver's counters, cheap enough
 * to poll every few milliseconds (no client, no query): the CnC file is mapped once, for the life of the member's
 * process. {@code io.axiom.cluster.node.ClusterStatus} reads more, but opens an Aeron client per read.
 */
final class RoleProbe implements AutoCloseable
{
    private final CountersReader counters;
    private final int roleId;
    private final int electionId;
    private final int termId;

    private RoleProbe(final CountersReader counters, final int roleId, final int electionId, final int termId)
    {
        this.counters = counters;
        this.roleId = roleId;
        this.electionId = electionId;
        this.termId = termId;
    }

    /**
     * @param clusterDir the member's cluster directory (its consensus module's mark file is there).
     * @return a probe, or null while the member's counters are not all allocated yet.
     */
    static RoleProbe open(final File clusterDir)
    {
        if (!new File(clusterDir, ClusterMarkFile.FILENAME).exists())
        {
            return null;
        }
        final int clusterId;
        final String aeronDir;
        try (ClusterMarkFile markFile = new ClusterMarkFile(
            clusterDir, ClusterMarkFile.FILENAME, System::currentTimeMillis, 1_000, (message) -> { }))
        {
            clusterId = markFile.clusterId();
            aeronDir = markFile.decoder().aeronDirectory();
        }
        final File cnc = new File(aeronDir, CncFileDescriptor.CNC_FILE);
        if (!cnc.exists())
        {
            return null;
        }
        final CountersReader counters = ClusterControl.mapCounters(cnc);
        final int role = find(counters, AeronCounters.CLUSTER_NODE_ROLE_TYPE_ID, clusterId);
        final int election = find(counters, AeronCounters.CLUSTER_ELECTION_STATE_TYPE_ID, clusterId);
        final int term = find(counters, AeronCounters.CLUSTER_LEADERSHIP_TERM_ID_TYPE_ID, clusterId);
        if (CountersReader.NULL_COUNTER_ID == role || CountersReader.NULL_COUNTER_ID == election ||
            CountersReader.NULL_COUNTER_ID == term)
        {
            IoUtil.unmap(counters.valuesBuffer().byteBuffer());
            return null;
        }
        return new RoleProbe(counters, role, election, term);
    }

    /**
     * @param clusterDir the member's cluster directory.
     * @return its media driver's directory as its mark file names it, or null when there is no mark file.
     */
    static String aeronDir(final File clusterDir)
    {
        if (!new File(clusterDir, ClusterMarkFile.FILENAME).exists())
        {
            return null;
        }
        try (ClusterMarkFile markFile = new ClusterMarkFile(
            clusterDir, ClusterMarkFile.FILENAME, System::currentTimeMillis, 1_000, (message) -> { }))
        {
            return markFile.decoder().aeronDirectory();
        }
    }

    /**
     * @return true when this member leads and its election is over.
     */
    boolean isLeader()
    {
        return Cluster.Role.LEADER.code() == counters.getCounterValue(roleId) &&
            ElectionState.CLOSED.code() == counters.getCounterValue(electionId);
    }

    /**
     * @return true when this member follows and its election is over.
     */
    boolean isFollower()
    {
        return Cluster.Role.FOLLOWER.code() == counters.getCounterValue(roleId) &&
            ElectionState.CLOSED.code() == counters.getCounterValue(electionId);
    }

    /**
     * @return its leadership term id.
     */
    long term()
    {
        return counters.getCounterValue(termId);
    }

    @Override
    public void close()
    {
        IoUtil.unmap(counters.valuesBuffer().byteBuffer());
    }

    private static int find(final CountersReader counters, final int typeId, final int clusterId)
    {
        final DirectBuffer meta = counters.metaDataBuffer();
        for (int i = 0, size = counters.maxCounterId(); i < size; i++)
        {
            if (CountersReader.RECORD_ALLOCATED == counters.getCounterState(i) &&
                counters.getCounterTypeId(i) == typeId &&
                meta.getInt(CountersReader.metaDataOffset(i) + CountersReader.KEY_OFFSET) == clusterId)
            {
                return i;
            }
        }
        return CountersReader.NULL_COUNTER_ID;
    }
}
