package io.axiom.core;

import io.axiom.codecs.ReplyStatus;
import org.agrona.DirectBuffer;

/**
 * What the deciders ({@link CreateDecider}, {@link AdvanceDecider}, {@link CancelDecider}, {@link TimerDecider})
 * share: the refusal when the journal has no room, and byte comparison for idempotent retries.
 */
final class Deciders
{
    /** Longest Idempotency-Key the engine keeps, in bytes (the gateway allows 256 visible ASCII characters). */
    static final int MAX_IDEMPOTENCY_KEY_BYTES = 256;

    private Deciders()
    {
    }

    /**
     * Refuse a write because the journal cannot get room for it (disk full): nothing was written.
     */
    static void noRoom(
        final Replies replies,
        final ReplySink sink,
        final Object replyTo,
        final long correlationId,
        final EventWriter events)
    {
        replies.problem(sink, replyTo, correlationId, ReplyStatus.INSUFFICIENT_STORAGE, "DISK_FULL",
            "the journal cannot get room for this command: " + events.storageDetail() + "; nothing was written. " +
            "Reads go on; writes resume by themselves once space is freed in " + events.journal().dataDir());
    }

    static boolean equalBytes(
        final DirectBuffer a, final int aOffset, final DirectBuffer b, final int bOffset, final int length)
    {
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            if (a.getLong(aOffset + i) != b.getLong(bOffset + i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (a.getByte(aOffset + i) != b.getByte(bOffset + i))
            {
                return false;
            }
        }
        return true;
    }
}
