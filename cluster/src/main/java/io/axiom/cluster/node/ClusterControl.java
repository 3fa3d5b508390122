package io.axiom.cluster.node;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

import io.aeron.AeronCounters;
import io.aeron.CncFileDescriptor;
import io.aeron.cluster.ClusterTool;
import io.aeron.cluster.service.ClusterMarkFile;
import org.agrona.IoUtil;
import org.agrona.concurrent.status.CountersReader;

/**
 * Operator actions on a running node, through the same control toggle that Aeron's {@code ClusterTool} flips.
 */
public final class ClusterControl
{
    /**
     * How long {@link #snapshot(ClusterNode)} waits for the snapshot by default.
     */
    public static final long SNAPSHOT_TIMEOUT_MS_DEFAULT = 30_000;

    /**
     * What an action came to.
     *
     * @param succeeded true when it was done.
     * @param message   what happened, for a human.
     */
    public record Outcome(boolean succeeded, String message)
    {
    }

    private ClusterControl()
    {
    }

    /**
     * Ask the cluster to take a snapshot through this node, which must be the leader, and wait until its snapshot
     * counter moves.
     *
     * @param node the leader.
     * @return whether the snapshot was taken, and what happened.
     */
    public static Outcome snapshot(final ClusterNode node)
    {
        return snapshot(node.clusterDir(), SNAPSHOT_TIMEOUT_MS_DEFAULT);
    }

    /**
     * Ask the cluster to take a snapshot through the node on this cluster directory, which must be the leader, and
     * wait until its snapshot counter moves.
     *
     * @param clusterDir the leader's cluster directory.
     * @param timeoutMs  how long to wait for the snapshot to be taken.
     * @return whether the snapshot was taken, and what happened.
     */
    public static Outcome snapshot(final File clusterDir, final long timeoutMs)
    {
        if (!new File(clusterDir, ClusterMarkFile.FILENAME).exists())
        {
            return new Outcome(false, "no cluster node in " + clusterDir + ": no " + ClusterMarkFile.FILENAME);
        }
        final int clusterId;
        final String aeronDirectoryName;
        try (ClusterMarkFile markFile = new ClusterMarkFile(
            clusterDir, ClusterMarkFile.FILENAME, System::currentTimeMillis, 1_000, (message) -> { }))
        {
            clusterId = markFile.clusterId();
            aeronDirectoryName = markFile.decoder().aeronDirectory();
        }
        final File cncFile = new File(aeronDirectoryName, CncFileDescriptor.CNC_FILE);
        if (!cncFile.exists())
        {
            return new Outcome(false, "the node's media driver is not running: no " + cncFile);
        }

        final CountersReader counters = io.aeron.cluster.ClusterControl.mapCounters(cncFile);
        try
        {
            final int counterId = ClusterStatus.findCounter(
                counters, AeronCounters.CLUSTER_SNAPSHOT_COUNTER_TYPE_ID, clusterId);
            if (CountersReader.NULL_COUNTER_ID == counterId)
            {
                return new Outcome(false, "the node's consensus module is not running: no snapshot counter in " +
                    cncFile);
            }
            final long before = counters.getCounterValue(counterId);
            final ByteArrayOutputStream text = new ByteArrayOutputStream();
            final boolean toggled;
            try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8))
            {
                toggled = ClusterTool.snapshot(clusterDir, out);
            }
            final String toolSays = text.toString(StandardCharsets.UTF_8).trim();
            if (!toggled)
            {
                return new Outcome(false, "snapshot refused: " + toolSays);
            }

            final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
            long after;
            while ((after = counters.getCounterValue(counterId)) == before)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    return new Outcome(false, "snapshot requested (" + toolSays + ") but the snapshot counter " +
                        "stayed at " + before + " for " + timeoutMs + " ms");
                }
                LockSupport.parkNanos(1_000_000L);
            }
            return new Outcome(true, "snapshot taken: snapshot count " + before + " -> " + after + " (" +
                toolSays + ")");
        }
        finally
        {
            IoUtil.unmap(counters.valuesBuffer().byteBuffer());
        }
    }
}
