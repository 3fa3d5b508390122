package io.axiom.cluster.node;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import io.aeron.AeronCounters;
import io.aeron.CncFileDescriptor;
import io.aeron.archive.status.RecordingPos;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ClusterMember;
import io.aeron.cluster.ClusterMembership;
import io.aeron.cluster.ClusterTool;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.RecordingLog;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusterMarkFile;
import org.agrona.IoUtil;
import org.agrona.concurrent.status.CountersReader;

/**
 * A node's state read from outside, without joining the cluster: its mark file, the counters in its media driver's
 * CnC file, its recording log, and a members query on its control channel (what {@code ClusterTool}'s
 * {@code describe}, {@code list-members} and {@code is-leader} read).
 *
 * @param memberId         the node's member id.
 * @param role             its role, or null when its consensus module's counters are gone.
 * @param electionState    its election state ({@code CLOSED} between elections), or null.
 * @param moduleState      its consensus module's state ({@code ACTIVE}, {@code SNAPSHOT}, ...), or null.
 * @param leaderMemberId   the leader it knows, or -1 when the members query did not answer.
 * @param leadershipTermId its leadership term id, or -1.
 * @param commitPosition   the log position it knows committed, or -1.
 * @param appendPosition   how far its archive has recorded the log (its append position), or -1; found by
 *                         archive id = member id, as {@link ClusterNode} launches archives.
 * @param snapshotCount    how many snapshots it has taken since it started, or -1.
 * @param members          every member's log position as the node knows it (exact for all on the leader), or
 *                         empty when the members query did not answer.
 */
public record ClusterStatus(
    int memberId,
    Cluster.Role role,
    ElectionState electionState,
    ConsensusModule.State moduleState,
    int leaderMemberId,
    long leadershipTermId,
    long commitPosition,
    long appendPosition,
    long snapshotCount,
    List<MemberPosition> members)
{
    /**
     * How long the members query waits for the node's answer by default.
     */
    public static final long QUERY_TIMEOUT_MS_DEFAULT = 1_000;

    /**
     * A member's log position as the queried node knows it.
     *
     * @param memberId    the member.
     * @param logPosition its log position.
     * @param leader      true for the leader.
     */
    public record MemberPosition(int memberId, long logPosition, boolean leader)
    {
    }

    /**
     * Read a running node's status.
     *
     * @param node the node.
     * @return its status.
     */
    public static ClusterStatus read(final ClusterNode node)
    {
        return read(node.clusterDir(), QUERY_TIMEOUT_MS_DEFAULT);
    }

    /**
     * Read a node's status from its cluster directory.
     *
     * @param clusterDir       the node's cluster directory ({@code <nodeDir>/cluster}).
     * @param queryTimeoutMs   how long to wait for the members query.
     * @return its status.
     * @throws IllegalStateException when there is no mark file (no node has run there).
     */
    public static ClusterStatus read(final File clusterDir, final long queryTimeoutMs)
    {
        if (!new File(clusterDir, ClusterMarkFile.FILENAME).exists())
        {
            throw new IllegalStateException("no cluster node in " + clusterDir + ": no " + ClusterMarkFile.FILENAME);
        }
        final int memberId;
        final int clusterId;
        final String aeronDirectoryName;
        try (ClusterMarkFile markFile = new ClusterMarkFile(
            clusterDir, ClusterMarkFile.FILENAME, System::currentTimeMillis, queryTimeoutMs, (message) -> { }))
        {
            memberId = markFile.memberId();
            clusterId = markFile.clusterId();
            aeronDirectoryName = markFile.decoder().aeronDirectory();
        }

        Cluster.Role role = null;
        ElectionState electionState = null;
        ConsensusModule.State moduleState = null;
        long leadershipTermId = -1;
        long commitPosition = -1;
        long appendPosition = -1;
        long snapshotCount = -1;
        final File cncFile = new File(aeronDirectoryName, CncFileDescriptor.CNC_FILE);
        if (cncFile.exists())
        {
            final CountersReader counters = ClusterControl.mapCounters(cncFile);
            try
            {
                final long roleCode = value(counters, AeronCounters.CLUSTER_NODE_ROLE_TYPE_ID, clusterId, -1);
                role = roleCode < 0 ? null : Cluster.Role.get(roleCode);
                final long election = value(counters, AeronCounters.CLUSTER_ELECTION_STATE_TYPE_ID, clusterId, -1);
                electionState = election < 0 ? null : ElectionState.get(election);
                moduleState = ConsensusModule.State.find(counters, clusterId);
                leadershipTermId = value(counters, AeronCounters.CLUSTER_LEADERSHIP_TERM_ID_TYPE_ID, clusterId, -1);
                commitPosition = value(counters, AeronCounters.CLUSTER_COMMIT_POSITION_TYPE_ID, clusterId, -1);
                snapshotCount = value(counters, AeronCounters.CLUSTER_SNAPSHOT_COUNTER_TYPE_ID, clusterId, -1);
                appendPosition = appendPosition(clusterDir, counters, memberId);
            }
            finally
            {
                IoUtil.unmap(counters.valuesBuffer().byteBuffer());
            }
        }

        final ClusterMembership membership = new ClusterMembership();
        final List<MemberPosition> members = new ArrayList<>();
        int leaderMemberId = -1;
        if (null != role && ClusterTool.listMembers(membership, clusterDir, queryTimeoutMs))
        {
            leaderMemberId = membership.leaderMemberId;
            if (null != membership.activeMembers)
            {
                for (final ClusterMember member : membership.activeMembers)
                {
                    members.add(new MemberPosition(
                        member.id(), member.logPosition(), member.id() == membership.leaderMemberId));
                }
            }
        }

        return new ClusterStatus(
            memberId,
            role,
            electionState,
            moduleState,
            leaderMemberId,
            leadershipTermId,
            commitPosition,
            appendPosition,
            snapshotCount,
            List.copyOf(members));
    }

    /**
     * @return true when this node is the leader of a closed election.
     */
    public boolean isLeader()
    {
        return Cluster.Role.LEADER == role && ElectionState.CLOSED == electionState;
    }

    /**
     * @param memberId a member.
     * @return how far that member's log is behind this node's commit position (meaningful on the leader), or -1
     * when unknown.
     */
    public long lag(final int memberId)
    {
        for (final MemberPosition member : members)
        {
            if (member.memberId() == memberId)
            {
                return commitPosition < 0 ? -1 : Math.max(0, commitPosition - member.logPosition());
            }
        }
        return -1;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder()
            .append("member ").append(memberId)
            .append(": ").append(null == role ? "not running" : role)
            .append(", election ").append(electionState)
            .append(", state ").append(moduleState)
            .append(", leader ").append(leaderMemberId)
            .append(", term ").append(leadershipTermId)
            .append(", commit ").append(commitPosition)
            .append(", append ").append(appendPosition)
            .append(", snapshots ").append(snapshotCount);
        if (Cluster.Role.LEADER == role)
        {
            for (final MemberPosition member : members)
            {
                sb.append("\n  member ").append(member.memberId())
                    .append(member.leader() ? " (leader)" : "")
                    .append(": log ").append(member.logPosition())
                    .append(", lag ").append(lag(member.memberId()));
            }
        }
        return sb.toString();
    }

    private static long value(final CountersReader counters, final int typeId, final int clusterId, final long absent)
    {
        final int counterId = findCounter(counters, typeId, clusterId);
        return CountersReader.NULL_COUNTER_ID == counterId ? absent : counters.getCounterValue(counterId);
    }

    /**
     * The consensus module's counters carry the cluster id as the first int of their key.
     */
    static int findCounter(final CountersReader counters, final int typeId, final int clusterId)
    {
        final org.agrona.DirectBuffer meta = counters.metaDataBuffer();
        for (int i = 0, size = counters.maxCounterId(); i < size; i++)
        {
            final int state = counters.getCounterState(i);
            if (CountersReader.RECORD_ALLOCATED == state)
            {
                if (counters.getCounterTypeId(i) == typeId &&
                    meta.getInt(CountersReader.metaDataOffset(i) + CountersReader.KEY_OFFSET) == clusterId)
                {
                    return i;
                }
            }
            else if (CountersReader.RECORD_UNUSED == state)
            {
                break;
            }
        }
        return CountersReader.NULL_COUNTER_ID;
    }

    private static long appendPosition(final File clusterDir, final CountersReader counters, final long archiveId)
    {
        final long recordingId;
        try (RecordingLog recordingLog = new RecordingLog(clusterDir, false))
        {
            recordingId = recordingLog.findLastTermRecordingId();
        }
        catch (final RuntimeException ex)
        {
            return -1;
        }
        if (RecordingPos.NULL_RECORDING_ID == recordingId)
        {
            return -1;
        }
        final int counterId = RecordingPos.findCounterIdByRecording(counters, recordingId, archiveId);
        return CountersReader.NULL_COUNTER_ID == counterId ? -1 : counters.getCounterValue(counterId);
    }
}
