package io.axiom.core;

import io.axiom.codecs.StepType;
import io.axiom.codecs.WorkflowCreatedDecoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * Interns {@link WorkflowDefinition}s by the bytes that encode their steps (the steps group of a WorkflowCreated), so
 * that a create with a known step list allocates no definition and no strings, whatever the workflow's name: names
 * are often unique (an order number in them), step lists rarely are. The name stays in the log.
 */
final class WorkflowDefinitions
{
    private final Long2ObjectHashMap<WorkflowDefinition> byHash = new Long2ObjectHashMap<>();
    private final java.util.ArrayList<WorkflowDefinition> inOrder = new java.util.ArrayList<>();

    /**
     * @param buffer holding the encoding.
     * @param offset of the steps group.
     * @param length of the steps group.
     * @return the definition already known for these bytes, or null.
     */
    WorkflowDefinition find(final DirectBuffer buffer, final int offset, final int length)
    {
        final long hash = hash(buffer, offset, length);
        for (WorkflowDefinition d = byHash.get(hash); null != d; d = d.next)
        {
            if (sameBytes(d.encoding, buffer, offset, length))
            {
                return d;
            }
        }
        return null;
    }

    /**
     * Decode and keep a definition not seen before.
     *
     * @param buffer  holding the encoding.
     * @param offset  of the steps group.
     * @param length  of the steps group.
     * @param decoder wrapped on the WorkflowCreated message whose steps group starts at offset.
     * @return the new definition.
     */
    WorkflowDefinition add(
        final DirectBuffer buffer, final int offset, final int length, final WorkflowCreatedDecoder decoder)
    {
        final byte[] encoding = new byte[length];
        buffer.getBytes(offset, encoding);
        final long hash = hash(buffer, offset, length);

        final WorkflowCreatedDecoder.StepsDecoder steps = decoder.steps();
        final int count = steps.count();
        final String[] names = new String[count];
        final StepType[] types = new StepType[count];
        final long[] timeouts = new long[count];
        final long[] durations = new long[count];
        final int[] attempts = new int[count];
        final long[] backoffs = new long[count];
        final long[] maxBackoffs = new long[count];
        final double[] multipliers = new double[count];
        int i = 0;
        for (final WorkflowCreatedDecoder.StepsDecoder step : steps)
        {
            types[i] = step.type();
            timeouts[i] = step.timeoutMs();
            durations[i] = step.durationMs();
            attempts[i] = step.maxAttempts();
            backoffs[i] = step.backoffMs();
            maxBackoffs[i] = step.maxBackoffMs();
            multipliers[i] = step.multiplier();
            names[i] = step.name();
            i++;
        }
        final WorkflowDefinition definition = new WorkflowDefinition(count, encoding, hash);
        System.arraycopy(names, 0, definition.stepNames, 0, count);
        for (int n = 0; n < count; n++)
        {
            definition.stepNameBytes[n] = names[n].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        System.arraycopy(types, 0, definition.stepTypes, 0, count);
        System.arraycopy(timeouts, 0, definition.timeoutMs, 0, count);
        System.arraycopy(durations, 0, definition.durationMs, 0, count);
        System.arraycopy(attempts, 0, definition.maxAttempts, 0, count);
        System.arraycopy(backoffs, 0, definition.backoffMs, 0, count);
        System.arraycopy(maxBackoffs, 0, definition.maxBackoffMs, 0, count);
        System.arraycopy(multipliers, 0, definition.multiplier, 0, count);
        definition.next = byHash.get(hash);
        definition.index = inOrder.size();
        byHash.put(hash, definition);
        inOrder.add(definition);
        return definition;
    }

    int size()
    {
        return inOrder.size();
    }

    WorkflowDefinition get(final int index)
    {
        return inOrder.get(index);
    }

    static long hash(final DirectBuffer buffer, final int offset, final int length)
    {
        long h = 0xcbf29ce484222325L;
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            h ^= buffer.getLong(offset + i);
            h *= 0x100000001b3L;
            h ^= h >>> 29;
        }
        for (; i < length; i++)
        {
            h ^= buffer.getByte(offset + i);
            h *= 0x100000001b3L;
        }
        return h ^ (h >>> 32);
    }

    private static boolean sameBytes(final byte[] encoding, final DirectBuffer buffer, final int offset, final int length)
    {
        if (encoding.length != length)
        {
            return false;
        }
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            if (buffer.getLong(offset + i) != LONGS.getLong(encoding, i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (encoding[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads native-order longs out of a byte[], as DirectBuffer.getLong does.
     */
    private static final class LONGS
    {
        private static final java.lang.invoke.VarHandle VIEW = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.nativeOrder());

        static long getLong(final byte[] bytes, final int index)
        {
            return (long)VIEW.get(bytes, index);
        }
    }
}
