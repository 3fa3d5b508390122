package io.axiom.transport;

import java.nio.ByteOrder;

import io.axiom.wire.HeartbeatDecoder;
import io.axiom.wire.MessageHeaderDecoder;
import io.axiom.wire.TaskCompletedDecoder;
import io.axiom.wire.TaskFailedDecoder;
import io.axiom.wire.WorkerGoodbyeDecoder;
import io.axiom.wire.WorkerHelloDecoder;
import org.agrona.DirectBuffer;

/**
 * Structural checks of the frames a worker sends, before anything decodes them for real: every length inside the
 * frame is read with bounds, so that a frame that passes never makes a decoder read past its end, and one that fails
 * is named precisely. The meaning of the fields (capacity, step names, tokens) is the engine's to judge.
 */
public final class WireFrames
{
    /** Bytes of the message header every frame starts with. */
    public static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    /** Largest var-data length the schema allows. */
    static final long MAX_VAR_LENGTH = 1L << 30;
    private static final int VAR_HEADER = 4;
    private static final int GROUP_HEADER = WorkerHelloDecoder.StepNamesDecoder.HEADER_SIZE;

    private WireFrames()
    {
    }

    /**
     * @param templateId a template id of the wire schema.
     * @return true for the frames a worker sends (WorkerHello, Heartbeat, TaskCompleted, TaskFailed, WorkerGoodbye).
     */
    public static boolean isWorkerTemplate(final int templateId)
    {
        return templateId >= WorkerHelloDecoder.TEMPLATE_ID && templateId <= WorkerGoodbyeDecoder.TEMPLATE_ID;
    }

    /**
     * @param templateId a template id of the wire schema.
     * @return its message name, or {@code template N}.
     */
    public static String name(final int templateId)
    {
        return switch (templateId)
        {
            case WorkerHelloDecoder.TEMPLATE_ID -> "WorkerHello";
            case HeartbeatDecoder.TEMPLATE_ID -> "Heartbeat";
            case TaskCompletedDecoder.TEMPLATE_ID -> "TaskCompleted";
            case TaskFailedDecoder.TEMPLATE_ID -> "TaskFailed";
            case WorkerGoodbyeDecoder.TEMPLATE_ID -> "WorkerGoodbye";
            default -> "template " + templateId;
        };
    }

    /**
     * @param templateId a worker template.
     * @return its root block length in the version this code speaks.
     */
    static int blockLength(final int templateId)
    {
        return switch (templateId)
        {
            case WorkerHelloDecoder.TEMPLATE_ID -> WorkerHelloDecoder.BLOCK_LENGTH;
            case HeartbeatDecoder.TEMPLATE_ID -> HeartbeatDecoder.BLOCK_LENGTH;
            case TaskCompletedDecoder.TEMPLATE_ID -> TaskCompletedDecoder.BLOCK_LENGTH;
            case TaskFailedDecoder.TEMPLATE_ID -> TaskFailedDecoder.BLOCK_LENGTH;
            case WorkerGoodbyeDecoder.TEMPLATE_ID -> WorkerGoodbyeDecoder.BLOCK_LENGTH;
            default -> -1;
        };
    }

    /**
     * Check that a worker frame decodes within its length.
     *
     * @param buffer         holding the frame.
     * @param offset         of the frame (its message header).
     * @param length         of the frame.
     * @param templateId     from its header, a worker template.
     * @param blockLength    from its header.
     * @param allowTrailing  true for a frame of a newer version, which may carry fields this code does not know after
     *                       the ones it reads.
     * @return null when it decodes, else what is wrong, in words for the worker.
     */
    public static String check(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int templateId,
        final int blockLength,
        final boolean allowTrailing)
    {
        final String name = name(templateId);
        final int minBlock = blockLength(templateId);
        if (minBlock < 0)
        {
            return "unknown worker frame " + name;
        }
        if (blockLength < minBlock)
        {
            return name + " has a block of " + blockLength + " bytes, at least " + minBlock + " expected";
        }
        final int end = offset + length;
        long pos = (long)offset + HEADER_LENGTH + blockLength;
        if (pos > end)
        {
            return name + " is truncated: " + length + " bytes, its header and block need " + (pos - offset);
        }
        switch (templateId)
        {
            case WorkerHelloDecoder.TEMPLATE_ID ->
            {
                if (pos + GROUP_HEADER > end)
                {
                    return "WorkerHello is truncated before its step names";
                }
                final int entryBlock = buffer.getShort((int)pos, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
                final int count = buffer.getShort((int)pos + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
                pos += GROUP_HEADER;
                for (int i = 0; i < count; i++)
                {
                    pos += entryBlock;
                    pos = skipVar(buffer, pos, end);
                    if (pos < 0)
                    {
                        return "WorkerHello is truncated in step name " + i + " of " + count;
                    }
                }
                pos = skipVar(buffer, pos, end);
                if (pos < 0)
                {
                    return "WorkerHello is truncated in its response channel";
                }
            }
            case TaskCompletedDecoder.TEMPLATE_ID ->
            {
                pos = skipVar(buffer, pos, end);
                if (pos < 0)
                {
                    return "TaskCompleted is truncated in its output";
                }
            }
            case TaskFailedDecoder.TEMPLATE_ID ->
            {
                pos = skipVar(buffer, pos, end);
                if (pos < 0)
                {
                    return "TaskFailed is truncated in its error";
                }
            }
            default ->
            {
                // Heartbeat and WorkerGoodbye are a block only
            }
        }
        if (!allowTrailing && pos != end)
        {
            return name + " has " + (end - pos) + " trailing bytes";
        }
        return null;
    }

    /**
     * @return the position after the var field at {@code pos}, or -1 when it does not fit before {@code end}.
     */
    private static long skipVar(final DirectBuffer buffer, final long pos, final int end)
    {
        if (pos < 0 || pos + VAR_HEADER > end)
        {
            return -1;
        }
        final long length = buffer.getInt((int)pos, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (length > MAX_VAR_LENGTH || pos + VAR_HEADER + length > end)
        {
            return -1;
        }
        return pos + VAR_HEADER + length;
    }
}
