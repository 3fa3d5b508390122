package io.axiom.core;

import org.agrona.DirectBuffer;

/**
 * Where the processor hands a reply once the events behind it are durable.
 * <p>
 * Called on the processor thread, after the group commit of the batch that produced the reply. The buffer is only
 * valid for the duration of the call: copy what you need, never block.
 */
@FunctionalInterface
public interface ReplySink
{
    /**
     * @param replyTo the object the producer put into the command's slot.
     * @param buffer  holding the SBE reply (message header included).
     * @param offset  of the reply in the buffer.
     * @param length  of the reply in bytes.
     */
    void onReply(Object replyTo, DirectBuffer buffer, int offset, int length);
}
