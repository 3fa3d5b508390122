package io.axiom.cluster.node;

import java.util.concurrent.TimeUnit;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Test service: keeps the sum and count of the longs it receives, echoes each message to its sender, and snapshots
 * the sum and count.
 */
final class SumService implements ClusteredService
{
    private final UnsafeBuffer snapshotBuffer = new UnsafeBuffer(new byte[16]);
    private Cluster cluster;
    private volatile long sum;
    private volatile long count;
    private volatile boolean loadedSnapshot;

    long sum()
    {
        return sum;
    }

    long count()
    {
        return count;
    }

    boolean loadedSnapshot()
    {
        return loadedSnapshot;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        if (null != snapshotImage)
        {
            final IdleStrategy idle = cluster.idleStrategy();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            final boolean[] done = new boolean[1];
            while (!done[0])
            {
                final int fragments = snapshotImage.poll((buffer, offset, length, header) ->
                {
                    sum = buffer.getLong(offset);
                    count = buffer.getLong(offset + 8);
                    done[0] = true;
                }, 1);
                if (snapshotImage.isEndOfStream() && !done[0])
                {
                    throw new IllegalStateException("snapshot ended before its state");
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("snapshot not read within 10 s");
                }
                idle.idle(fragments);
            }
            loadedSnapshot = true;
        }
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
    }

    @Override
    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        sum += buffer.getLong(offset);
        count++;
        if (null != session)
        {
            final IdleStrategy idle = cluster.idleStrategy();
            idle.reset();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            long result;
            while ((result = session.offer(buffer, offset, length)) < 0 &&
                (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result) &&
                System.nanoTime() - deadlineNs < 0)
            {
                idle.idle();
            }
        }
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        snapshotBuffer.putLong(0, sum);
        snapshotBuffer.putLong(8, count);
        final IdleStrategy idle = cluster.idleStrategy();
        idle.reset();
        while (snapshotPublication.offer(snapshotBuffer, 0, 16) < 0)
        {
            idle.idle();
        }
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
    }
}
