package io.axiom.cluster.service;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * How commands travel in the replicated log: one message of the log carries a batch of them, each behind a 20-byte
 * header (a member's forwarder packs what it drained from its ring in one duty cycle into one message, so the log, its
 * archive and every member's service container handle one message where there were many).
 * <pre>
 *   0  length     of the command in bytes
 *   4  token      the sending member's key of the party waiting for the answer (0: none)
 *  12  route key  the worker connection a worker frame came from (0: not a worker frame)
 *  20  command    an SBE message of the log's command schema or of the worker protocol, header included
 * </pre>
 * Items follow each other without padding; a message ends with its last item.
 */
final class LogEnvelope
{
    static final int ITEM_HEADER = 20;

    private LogEnvelope()
    {
    }

    /**
     * @return the item's whole length.
     */
    static int putItem(
        final MutableDirectBuffer buffer,
        final int offset,
        final long token,
        final long routeKey,
        final DirectBuffer command,
        final int commandLength)
    {
        buffer.putInt(offset, commandLength, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + 4, token, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + 12, routeKey, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(offset + ITEM_HEADER, command, 0, commandLength);
        return ITEM_HEADER + commandLength;
    }

    static int commandLength(final DirectBuffer buffer, final int item)
    {
        return buffer.getInt(item, ByteOrder.LITTLE_ENDIAN);
    }

    static long token(final DirectBuffer buffer, final int item)
    {
        return buffer.getLong(item + 4, ByteOrder.LITTLE_ENDIAN);
    }

    static long routeKey(final DirectBuffer buffer, final int item)
    {
        return buffer.getLong(item + 12, ByteOrder.LITTLE_ENDIAN);
    }
}
