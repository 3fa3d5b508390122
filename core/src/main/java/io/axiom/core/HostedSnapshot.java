package io.axiom.core;

import io.axiom.journal.DataDirectoryLock;
import io.axiom.journal.Journal;
import io.axiom.journal.JournalBehindException;
import io.axiom.journal.JournalContext;
import io.axiom.journal.JournalCorruptionException;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The processor's whole state as a replicated log's host keeps it in its own snapshot ({@link HostedLog}): the
 * journal binding first, then the state in the same encoding as a data directory's snapshot
 * ({@link SnapshotCodec}).
 * <p>
 * Layout, little-endian: magic {@code AXHSNAP1} (8), the journal's end position (8), the sequence (8) and CRC32C (4)
 * of its last record, 4 bytes of padding, the log time of the last entry applied (8), the state's length (4), the
 * state.
 */
final class HostedSnapshot
{
    static final long MAGIC = 0x3150414E53485841L; // "AXHSNAP1", little-endian
    static final int HEADER_LENGTH = 44;

    private final long endPosition;
    private final long lastSequence;
    private final int lastChecksum;
    private final long logTimeMs;
    private final DirectBuffer state;
    private final int stateLength;

    private HostedSnapshot(
        final long endPosition,
        final long lastSequence,
        final int lastChecksum,
        final long logTimeMs,
        final DirectBuffer state,
        final int stateLength)
    {
        this.endPosition = endPosition;
        this.lastSequence = lastSequence;
        this.lastChecksum = lastChecksum;
        this.logTimeMs = logTimeMs;
        this.state = state;
        this.stateLength = stateLength;
    }

    /**
     * @param in     as {@link #answer} wrote it.
     * @param length of it.
     * @return the snapshot.
     * @throws IllegalArgumentException when it is not one.
     */
    static HostedSnapshot read(final DirectBuffer in, final int length)
    {
        if (length < HEADER_LENGTH || in.getLong(0) != MAGIC)
        {
            throw new IllegalArgumentException("the replicated log's snapshot (" + length + " bytes) is not an " +
                "Axiom state: magic " + (length >= 8 ? Long.toHexString(in.getLong(0)) : "missing"));
        }
        final int stateLength = in.getInt(40);
        if (HEADER_LENGTH + stateLength != length)
        {
            throw new IllegalArgumentException("the replicated log's snapshot is cut: its state says " +
                stateLength + " bytes, " + (length - HEADER_LENGTH) + " arrived");
        }
        return new HostedSnapshot(in.getLong(8), in.getLong(16), in.getInt(24), in.getLong(32),
            new UnsafeBuffer(in, HEADER_LENGTH, stateLength), stateLength);
    }

    /**
     * Write the whole state after a flush and hand it to the host's sink at once (it copies it into its snapshot).
     */
    static void answer(
        final Journal journal,
        final WorkflowStateMachine stateMachine,
        final long logTimeMs,
        final ReplySink sink,
        final Object replyTo)
    {
        final ExpandableDirectByteBuffer state = new ExpandableDirectByteBuffer(1024 * 1024);
        final int stateLength = stateMachine.encodeSnapshot(state);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[HEADER_LENGTH + stateLength]);
        out.putBytes(HEADER_LENGTH, state, 0, stateLength);
        out.putLong(0, MAGIC);
        out.putLong(8, journal.endPosition());
        out.putLong(16, journal.lastSequence());
        out.putInt(24, journal.lastChecksum());
        out.putInt(28, 0);
        out.putLong(32, logTimeMs);
        out.putInt(40, stateLength);
        sink.onReply(replyTo, out, 0, HEADER_LENGTH + stateLength);
    }

    /**
     * Open the data directory's journal cut back to where this snapshot ends (or to empty without one), and check
     * that the record it is bound to is the one the journal holds there.
     */
    static Journal openJournal(
        final EngineContext ctx, final DataDirectoryLock directoryLock, final HostedSnapshot snapshot)
    {
        final Journal journal;
        try
        {
            journal = Journal.open(new JournalContext()
            .dataDir(ctx.dataDir())
            .maxSegmentSize(ctx.maxSegmentSize())
            .fsync(ctx.fsync())
            .faults(ctx.journalFaults())
            .directoryLock(directoryLock)
            .archiveDir(ctx.archiveDir())
            .cutAfter(null == snapshot ? Journal.SEGMENT_HEADER_LENGTH : snapshot.endPosition)
            .conclude());
        }
        catch (final JournalBehindException ex)
        {
            throw new IllegalStateException(ex.getMessage() + " This member's cluster snapshot covers records its " +
                "journal lacks (was the data directory replaced without the cluster directory?). To rejoin, stop " +
                "the member, delete both its data directory and its cluster directory, and start it again: it " +
                "replays the cluster's log from the start.", ex);
        }
        if (null != snapshot &&
            (journal.lastSequence() != snapshot.lastSequence || journal.lastChecksum() != snapshot.lastChecksum))
        {
            final long position = journal.lastPosition();
            journal.abandon();
            throw new JournalCorruptionException("Journal diverged from the replicated log: the log's snapshot is " +
                "bound to sequence " + snapshot.lastSequence + " with CRC32C " +
                Integer.toHexString(snapshot.lastChecksum) + " ending at position " + snapshot.endPosition +
                ", but this node's journal holds sequence " + journal.lastSequence() + " with CRC32C " +
                Integer.toHexString(journal.lastChecksum()) + " there. Wipe this node's data directory: it rejoins " +
                "from the cluster's log.", ctx.dataDir(), 0, position);
        }
        return journal;
    }

    void load(final WorkflowStateMachine stateMachine, final RouteResolver routes)
    {
        stateMachine.routeResolver(routes);
        stateMachine.loadSnapshot(state, stateLength);
    }

    long endPosition()
    {
        return endPosition;
    }

    long logTimeMs()
    {
        return logTimeMs;
    }
}
