package io.axiom.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Keeps the journal's {@link StorageState}, written by the writer and the segment preparer, read by anyone: one
 * volatile reference to an immutable state, replaced (rarely) under this object's lock.
 * <p>
 * FULL is set by the writer only, when a new segment could not be had; LOW by a check of usable space below two
 * segments, or by a failed preparation ahead of need. Whoever has a new segment (the writer at rotation, the
 * preparer after a preparation) checks the space again, which clears FULL.
 */
final class StorageMonitor
{
    private final Path dir;
    private final long segmentSize;
    private final DiskProbe disk;
    private volatile StorageState state;

    StorageMonitor(final Path dir, final long segmentSize, final DiskProbe disk)
    {
        this.dir = dir;
        this.segmentSize = segmentSize;
        this.disk = disk;
        this.state = new StorageState(StorageStatus.OK, "not checked yet", -1);
    }

    StorageState state()
    {
        return state;
    }

    /**
     * @return usable bytes in the data directory, or -1 when the file system cannot tell (treated as enough: the
     * creation itself will then say).
     */
    long usableBytes()
    {
        try
        {
            return disk.usableBytes();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /**
     * @return true when at least one segment's worth of space is usable (or the file system cannot tell).
     */
    boolean roomForSegment(final long usable)
    {
        return usable < 0 || usable >= segmentSize;
    }

    /**
     * A segment was had (created, installed or prepared): check the space and leave FULL.
     */
    synchronized void segmentHad()
    {
        check(usableBytes(), true);
    }

    /**
     * Check the space without having had a segment: OK or LOW, FULL stays.
     */
    synchronized void check()
    {
        check(usableBytes(), false);
    }

    /**
     * The writer needed a segment and could not have one.
     *
     * @param what the segment file wanted.
     * @param usable usable bytes when it tried, -1 if unknown.
     * @param cause  the I/O error, or null when the space check alone refused.
     */
    synchronized void full(final String what, final long usable, final IOException cause)
    {
        state = new StorageState(StorageStatus.FULL, "cannot create " + what + " in " + dir + ": " +
            (null == cause ? "usable space " + bytes(usable) + " is below one segment of " + bytes(segmentSize) :
            String.valueOf(cause.getMessage())) + "; commands that write are refused until space is freed",
            usable);
    }

    /**
     * The preparer could not prepare the next segment ahead of need: LOW unless already FULL.
     */
    synchronized void preparationFailed(final String what, final long usable, final Exception cause)
    {
        if (state.status() != StorageStatus.FULL)
        {
            state = new StorageState(StorageStatus.LOW, "could not prepare " + what + " ahead of need in " + dir +
                ": " + (null == cause ? "usable space " + bytes(usable) + " is below one segment of " +
                bytes(segmentSize) : String.valueOf(cause.getMessage())) + "; writes stop at the next rotation " +
                "unless space is freed", usable);
        }
    }

    private void check(final long usable, final boolean segmentHad)
    {
        if (!segmentHad && state.status() == StorageStatus.FULL)
        {
            return;
        }
        if (usable >= 0 && usable < 2 * segmentSize)
        {
            state = new StorageState(StorageStatus.LOW, "usable space " + bytes(usable) + " in " + dir +
                " is below two segments of " + bytes(segmentSize) + ": writes stop when the next segment cannot " +
                "be created; free space", usable);
        }
        else
        {
            state = new StorageState(StorageStatus.OK, "usable space " + (usable < 0 ? "unknown" : bytes(usable)) +
                " in " + dir + ", segments of " + bytes(segmentSize), usable);
        }
    }

    static String bytes(final long bytes)
    {
        if (bytes < 0)
        {
            return "unknown";
        }
        if (bytes < 1024 * 1024)
        {
            return bytes + " bytes";
        }
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
