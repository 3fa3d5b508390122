package io.axiom.core;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.BroadcastBufferDescriptor;
import org.agrona.concurrent.broadcast.BroadcastReceiver;
import org.agrona.concurrent.broadcast.BroadcastTransmitter;
import org.agrona.concurrent.broadcast.CopyBroadcastReceiver;

/**
 * Durable events, as they are released, for any number of readers on other threads (subscriptions, metrics).
 * <p>
 * The processor transmits every event of a batch after the batch's fsync, in log order, each as an
 * {@link EventFrames} frame. Readers never slow the processor: the feed is an Agrona broadcast buffer, so a reader
 * that falls a whole buffer behind is told it was lapped and must catch up from the log (the events query) before
 * following the feed again. A reader sees only events transmitted after it subscribed.
 */
public final class EventFeed
{
    /** Default capacity of the broadcast buffer in bytes (a power of two). */
    public static final int CAPACITY_DEFAULT = 4 * 1024 * 1024;

    private final UnsafeBuffer buffer;
    private final BroadcastTransmitter transmitter;
    private final UnsafeBuffer frame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64 * 1024, 64));
    private final UnsafeBuffer largeFrameScratch = new UnsafeBuffer(0, 0);

    EventFeed(final int capacity)
    {
        final ByteBuffer byteBuffer = BufferUtil.allocateDirectAligned(
            capacity + BroadcastBufferDescriptor.TRAILER_LENGTH, 64);
        buffer = new UnsafeBuffer(byteBuffer);
        transmitter = new BroadcastTransmitter(buffer);
    }

    /**
     * Follow the feed from now on.
     *
     * @return a reader for one thread.
     */
    public Reader reader()
    {
        return new Reader(new CopyBroadcastReceiver(new BroadcastReceiver(buffer), 1024 * 1024));
    }

    /**
     * @return the largest frame the feed can carry; larger events are sent as a header-only frame with
     * payload length -1, and readers fetch them from the log.
     */
    public int maxFrameLength()
    {
        return Math.min(transmitter.maxMsgLength(), 1024 * 1024);
    }

    void transmit(
        final DirectBuffer payload,
        final int offset,
        final int length,
        final int type,
        final int version,
        final long position,
        final long sequence,
        final long timestamp)
    {
        final int frameLength = EventFrames.FRAME_HEADER_LENGTH + length;
        if (frameLength > maxFrameLength())
        {
            EventFrames.write(frame, 0, payload, offset, 0, type, version, position, sequence, timestamp);
            frame.putInt(28, -1, java.nio.ByteOrder.LITTLE_ENDIAN);
            transmitter.transmit(type, frame, 0, EventFrames.FRAME_HEADER_LENGTH);
            return;
        }
        final MutableDirectBuffer target;
        if (frameLength <= frame.capacity())
        {
            target = frame;
        }
        else
        {
            largeFrameScratch.wrap(new byte[frameLength]);
            target = largeFrameScratch;
        }
        EventFrames.write(target, 0, payload, offset, length, type, version, position, sequence, timestamp);
        transmitter.transmit(type, target, 0, frameLength);
    }

    /**
     * Handles one released event.
     */
    @FunctionalInterface
    public interface EventHandler
    {
        /**
         * @param buffer        holding the frame.
         * @param payloadOffset of the SBE payload.
         * @param payloadLength of the payload, or -1 when it was too large for the feed (read it from the log).
         * @param type          event template id.
         * @param version       schema version.
         * @param position      journal position.
         * @param sequence      journal sequence.
         * @param timestamp     epoch ms.
         */
        void onEvent(
            DirectBuffer buffer,
            int payloadOffset,
            int payloadLength,
            int type,
            int version,
            long position,
            long sequence,
            long timestamp);
    }

    /**
     * One thread's cursor on the feed.
     */
    public static final class Reader
    {
        private final CopyBroadcastReceiver receiver;
        private final MessageHandler messageHandler = this::onMessage;
        private EventHandler handler;

        private Reader(final CopyBroadcastReceiver receiver)
        {
            this.receiver = receiver;
        }

        /**
         * Deliver every event released since the last poll.
         *
         * @param handler for each event.
         * @return events delivered, or -1 when this reader was lapped and missed events: catch up from the log.
         */
        public int poll(final EventHandler handler)
        {
            return poll(handler, Integer.MAX_VALUE);
        }

        /**
         * Deliver events released since the last poll, at most limit of them.
         *
         * @param handler for each event.
         * @param limit   most events to deliver.
         * @return events delivered, or -1 when this reader was lapped and missed events: catch up from the log.
         */
        public int poll(final EventHandler handler, final int limit)
        {
            this.handler = handler;
            int count = 0;
            try
            {
                while (count < limit && receiver.receive(messageHandler) > 0)
                {
                    count++;
                }
                return count;
            }
            catch (final IllegalStateException ex)
            {
                return -1;
            }
            finally
            {
                this.handler = null;
            }
        }

        private void onMessage(final int msgTypeId, final DirectBuffer buffer, final int index, final int length)
        {
            handler.onEvent(
                buffer,
                index + EventFrames.FRAME_HEADER_LENGTH,
                EventFrames.payloadLength(buffer, index),
                EventFrames.type(buffer, index),
                EventFrames.version(buffer, index),
                EventFrames.position(buffer, index),
                EventFrames.sequence(buffer, index),
                EventFrames.timestamp(buffer, index));
        }
    }
}
