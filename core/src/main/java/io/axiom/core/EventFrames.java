package io.axiom.core;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * How events travel inside a reply: each one as the journal held it, behind a small fixed frame.
 * <pre>
 *   0  int64 position
 *   8  int64 sequence
 *  16  int64 timestamp
 *  24  int16 type (template id)
 *  26  int16 version
 *  28  int32 payload length
 *  32  payload (SBE message, header included)
 * </pre>
 */
public final class EventFrames
{
    /** Bytes before the payload. */
    public static final int FRAME_HEADER_LENGTH = 32;

    private EventFrames()
    {
    }

    static int write(
        final MutableDirectBuffer out,
        final int limit,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int type,
        final int version,
        final long position,
        final long sequence,
        final long timestamp)
    {
        out.putLong(limit, position, ByteOrder.LITTLE_ENDIAN);
        out.putLong(limit + 8, sequence, ByteOrder.LITTLE_ENDIAN);
        out.putLong(limit + 16, timestamp, ByteOrder.LITTLE_ENDIAN);
        out.putShort(limit + 24, (short)type, ByteOrder.LITTLE_ENDIAN);
        out.putShort(limit + 26, (short)version, ByteOrder.LITTLE_ENDIAN);
        out.putInt(limit + 28, length, ByteOrder.LITTLE_ENDIAN);
        out.putBytes(limit + FRAME_HEADER_LENGTH, buffer, offset, length);
        return limit + FRAME_HEADER_LENGTH + length;
    }

    static long position(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getLong(frameOffset, ByteOrder.LITTLE_ENDIAN);
    }

    static long sequence(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getLong(frameOffset + 8, ByteOrder.LITTLE_ENDIAN);
    }

    static long timestamp(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getLong(frameOffset + 16, ByteOrder.LITTLE_ENDIAN);
    }

    static int type(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getShort(frameOffset + 24, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    static int version(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getShort(frameOffset + 26, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    static int payloadLength(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getInt(frameOffset + 28, ByteOrder.LITTLE_ENDIAN);
    }
}
