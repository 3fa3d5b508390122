package io.axiom.cluster.service;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The processor's state in a cluster snapshot: an 8-byte length, then the state in messages of at most the
 * publication's largest payload.
 */
final class SnapshotStream
{
    private SnapshotStream()
    {
    }

    /**
     * @param publication the snapshot's.
     * @param state       as the processor answered it.
     * @param idle        while the publication is back-pressured.
     */
    static void write(final ExclusivePublication publication, final byte[] state, final IdleStrategy idle)
    {
        final UnsafeBuffer length = new UnsafeBuffer(new byte[8]);
        length.putLong(0, state.length);
        offer(publication, length, 0, 8, idle);
        final UnsafeBuffer body = new UnsafeBuffer(state);
        final int chunk = publication.maxPayloadLength();
        for (int offset = 0; offset < state.length; offset += chunk)
        {
            offer(publication, body, offset, Math.min(chunk, state.length - offset), idle);
        }
    }

    private static void offer(
        final ExclusivePublication publication,
        final UnsafeBuffer buffer,
        final int offset,
        final int length,
        final IdleStrategy idle)
    {
        long result;
        while ((result = publication.offer(buffer, offset, length)) < 0)
        {
            if (result == Publication.CLOSED || result == Publication.NOT_CONNECTED ||
                result == Publication.MAX_POSITION_EXCEEDED)
            {
                throw new IllegalStateException("cannot write the snapshot: publication result " + result);
            }
            idle.idle();
        }
        idle.reset();
    }

    /**
     * @param image the snapshot's.
     * @param into  where the state goes, from offset 0.
     * @param idle  while nothing arrives.
     * @return the state's length.
     */
    static int read(final Image image, final ExpandableArrayBuffer into, final IdleStrategy idle)
    {
        final long[] expected = {-1};
        final int[] received = {0};
        final FragmentHandler handler = (buffer, offset, length, header) ->
        {
            if (expected[0] < 0)
            {
                expected[0] = buffer.getLong(offset);
                return;
            }
            into.putBytes(received[0], buffer, offset, length);
            received[0] += length;
        };
        while (expected[0] < 0 || received[0] < expected[0])
        {
            final int fragments = image.poll(handler, 16);
            if (0 == fragments)
            {
                if (image.isClosed() || image.isEndOfStream())
                {
                    throw new IllegalStateException("the cluster's snapshot ended after " + received[0] + " of " +
                        expected[0] + " bytes of the processor's state");
                }
                idle.idle();
            }
            else
            {
                idle.reset();
            }
        }
        return received[0];
    }
}
