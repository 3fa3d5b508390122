package io.axiom.cluster.service;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * How a command travels in the replicated log: a 16-byte envelope, then the command (an SBE message of the log's
 * command schema or of the worker protocol, header included).
 * <pre>
 *   0  token      the sending node's key of the party waiting for the answer (0: none)
 *   8  route key  the worker connection a worker frame came from (0: not a worker frame)
 *  16  command
 * </pre>
 */
final class LogEnvelope
{
    static final int LENGTH = 16;

    private LogEnvelope()
    {
    }

    static void put(final MutableDirectBuffer buffer, final int offset, final long token, final long routeKey)
    {
        buffer.putLong(offset, token, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + 8, routeKey, ByteOrder.LITTLE_ENDIAN);
    }

    static long token(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
    }

    static long routeKey(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + 8, ByteOrder.LITTLE_ENDIAN);
    }
}
