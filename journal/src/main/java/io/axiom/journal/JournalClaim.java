package io.axiom.journal;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight for one record being written, filled by {@link Journal#claim(int, int, int, long, JournalClaim)}: the
 * caller writes the payload straight into the journal's staging buffer (or, for a record larger than it, the mapped
 * segment) at {@link #offset()}, then calls {@link #commit()} or {@link #abort()}. A committed record joins the open
 * unit, which {@link Journal#endUnit()} ends. Reusable: one instance can serve every claim of a writer.
 */
public final class JournalClaim
{
    private Journal journal;
    private UnsafeBuffer buffer;
    private int frameOffset;
    private int length;
    private long position;

    void wrap(
        final Journal journal,
        final UnsafeBuffer buffer,
        final int frameOffset,
        final int length,
        final long position)
    {
        this.journal = journal;
        this.buffer = buffer;
        this.frameOffset = frameOffset;
        this.length = length;
        this.position = position;
    }

    void release()
    {
        this.journal = null;
    }

    int frameOffset()
    {
        return frameOffset;
    }

    /**
     * @return the staging buffer or the segment's buffer; write the payload into [offset(), offset() + length())
     * only, before the next claim.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return where the payload starts in {@link #buffer()}.
     */
    public int offset()
    {
        return frameOffset + RecordFrame.HEADER_LENGTH;
    }

    /**
     * @return payload length claimed.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return position of this record in the log.
     */
    public long position()
    {
        return position;
    }

    /**
     * @return true while claimed and neither committed nor aborted.
     */
    public boolean isOpen()
    {
        return null != journal;
    }

    /**
     * Compute the CRC32C and publish the record by writing its length last, with a release store. The record joins
     * the open unit: it is visible to reads at once, and is made durable by the first {@link Journal#flush()} after
     * {@link Journal#endUnit()} ends its unit; a crash before that loses the whole unit, never part of it.
     *
     * @throws IllegalStateException if the claim is not open.
     */
    public void commit()
    {
        openJournal().commit(this, 0);
    }

    /**
     * Give the claimed space back: the bytes are zeroed, no record is written and no sequence is used.
     *
     * @throws IllegalStateException if the claim is not open.
     */
    public void abort()
    {
        openJournal().abort(this);
    }

    private Journal openJournal()
    {
        final Journal journal = this.journal;
        if (null == journal)
        {
            throw new IllegalStateException("claim is not open (already committed or aborted)");
        }
        return journal;
    }
}
