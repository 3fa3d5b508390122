package io.axiom.journal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the segments of a data directory for writing and brings the log to a state the writer can append to:
 * removes the debris of interrupted segment creation, validates headers and contiguity, runs the
 * {@link RecoveryScan}, truncates a torn tail, and refuses corruption (or, with repair, truncates it loudly).
 */
final class Recovery
{
    private final Path dir;
    private final boolean fsync;
    private final boolean repair;
    private final List<String> notes = new ArrayList<>();
    private final List<Segment> segments = new ArrayList<>();
    private long segmentSize;
    private RecoveryReport report;
    private RecoveryScan scan;

    private Recovery(final JournalContext ctx)
    {
        this.dir = ctx.dataDir();
        this.fsync = ctx.fsync();
        this.repair = ctx.repair();
        this.segmentSize = ctx.maxSegmentSize();
    }

    /**
     * Recover the log in ctx.dataDir().
     *
     * @param ctx concluded context.
     * @return the recovered log, segments mapped read-write.
     * @throws JournalCorruptionException when acknowledged data is damaged and repair is off.
     */
    static Recovery run(final JournalContext ctx)
    {
        final Recovery recovery = new Recovery(ctx);
        try
        {
            recovery.recover(ctx.maxSegmentSize());
        }
        catch (final RuntimeException ex)
        {
            recovery.unmapAll();
            throw ex;
        }
        return recovery;
    }

    private void recover(final long configuredSegmentSize)
    {
        if (!fsync)
        {
            notes.add("fsync is DISABLED: flush() does not force records to the device, acknowledged records can " +
                "be lost on power failure");
        }
        boolean directoryChanged = false;
        for (final Path temp : SegmentFiles.listTemp(dir))
        {
            SegmentFiles.delete(temp);
            notes.add("removed " + temp.getFileName() + ", a segment whose creation was interrupted by a crash");
            directoryChanged = true;
        }
        for (final Path prepared : SegmentFiles.listPrepared(dir))
        {
            SegmentFiles.delete(prepared);
            notes.add("removed " + prepared.getFileName() + ", a segment prepared ahead of need and never used");
            directoryChanged = true;
        }
        directoryChanged |= openSegments(configuredSegmentSize);

        if (segments.isEmpty())
        {
            segments.add(Segment.create(dir, 0, segmentSize, fsync));
            notes.add("created a new log in " + dir + " with segments of " + segmentSize + " bytes");
        }

        scan = new RecoveryScan(segments);
        final long firstExpected = segments.get(0).index() == 0 ? 1 : 0;
        final RecoveryScan.Outcome outcome = scan.scan(0, SegmentHeader.LENGTH, firstExpected);
        final Segment stop = segments.get(scan.stopSegment());
        final long stopPosition = stop.basePosition() + scan.stopOffset();
        long truncatedAt = -1;
        long truncatedBytes = 0;
        switch (outcome)
        {
            case CORRUPT:
                if (!repair)
                {
                    throw scan.corruption().toException(scan.evidence());
                }
                notes.add("REPAIR: " + scan.corruption().description() + "; " + scan.evidence() + ". Truncated the " +
                    "log at position " + stopPosition + ": every record from there on is LOST");
                truncatedAt = stopPosition;
                truncatedBytes = truncateAfterStop();
                directoryChanged = true;
                break;

            case TORN_TAIL:
                truncatedAt = stopPosition;
                truncatedBytes = truncateAfterStop();
                notes.add("torn tail: truncated " + truncatedBytes + " bytes of a partial write at position " +
                    stopPosition + (null == scan.fault() ? "" : " (" + scan.fault().description() + ")") +
                    "; no valid record follows, so no acknowledged record was in it");
                directoryChanged = true;
                break;

            case CLEAN:
                directoryChanged |= removeSegmentsAfterStop("empty, after the end of the log");
                break;
        }
        if (directoryChanged && fsync)
        {
            SegmentFiles.forceDirectory(dir);
        }

        report = new RecoveryReport(
            segments.size(),
            scan.recordCount(),
            scan.firstPosition(),
            scan.lastPosition(),
            scan.lastSequence(),
            stopPosition,
            truncatedAt,
            (int)Math.min(Integer.MAX_VALUE, truncatedBytes),
            notes);
    }

    /**
     * Validate headers and contiguity, map the good prefix. Returns true when files were deleted.
     */
    private boolean openSegments(final long configuredSegmentSize)
    {
        final List<Path> files = SegmentFiles.list(dir);
        boolean deleted = false;
        for (int i = 0; i < files.size(); i++)
        {
            final Path file = files.get(i);
            final ByteBuffer header = SegmentFiles.readHeader(file);
            final long fileLength = SegmentFiles.size(file);
            final long basePosition = SegmentFiles.basePosition(file);
            final long headerSize = header.limit() >= SegmentHeader.LENGTH ? SegmentHeader.maxSegmentSize(header) : 0;
            final long size = segments.isEmpty() ? headerSize : segmentSize;
            String problem = null;
            int index = -1;
            if (size <= 0 || basePosition % size != 0 || basePosition / size > Integer.MAX_VALUE)
            {
                problem = "file name base position " + basePosition + " does not fit segment size " + headerSize;
            }
            else
            {
                index = (int)(basePosition / size);
                problem = SegmentHeader.validate(header, index, fileLength);
                if (null == problem && headerSize != size)
                {
                    problem = "segment size " + headerSize + " differs from the log's " + size;
                }
            }

            if (null != problem)
            {
                if (i == files.size() - 1 && SegmentFiles.isAllZero(file))
                {
                    SegmentFiles.delete(file);
                    notes.add("removed " + file.getFileName() + ": all zero, its creation never finished");
                    deleted = true;
                    continue;
                }
                final LogFault fault = new LogFault(LogFault.Kind.HEADER, file, 0, basePosition,
                    "bad segment header in " + file + " at file offset 0 (position " + basePosition + "): " + problem);
                deleted |= refuseOrDropFrom(files, i, fault);
                break;
            }
            if (!segments.isEmpty() && index != segments.get(segments.size() - 1).index() + 1)
            {
                final Segment previous = segments.get(segments.size() - 1);
                final long missingBase = previous.basePosition() + size;
                final LogFault fault = new LogFault(LogFault.Kind.MISSING_SEGMENT, file, 0, missingBase,
                    "segment file " + Segment.fileName(missingBase) + " is missing between " +
                    previous.file().getFileName() + " and " + file.getFileName() + " (position " + missingBase + ")");
                deleted |= refuseOrDropFrom(files, i, fault);
                break;
            }
            if (segments.isEmpty())
            {
                segmentSize = size;
                if (size != configuredSegmentSize)
                {
                    notes.add("existing log uses segments of " + size + " bytes; configured " +
                        configuredSegmentSize + " applies to new logs only");
                }
            }
            segments.add(Segment.map(file, index, basePosition, false));
        }
        return deleted;
    }

    private boolean refuseOrDropFrom(final List<Path> files, final int from, final LogFault fault)
    {
        if (!repair)
        {
            throw fault.toException(null);
        }
        final StringBuilder dropped = new StringBuilder();
        for (int j = from; j < files.size(); j++)
        {
            SegmentFiles.delete(files.get(j));
            dropped.append(' ').append(files.get(j).getFileName());
        }
        notes.add("REPAIR: " + fault.description() + ". Deleted segment files" + dropped +
            ": every record in them is LOST");
        return true;
    }

    /**
     * Zero the stop segment from the stop offset to its last non-zero byte and delete every later segment.
     *
     * @return non-zero bytes removed.
     */
    private long truncateAfterStop()
    {
        final Segment stop = segments.get(scan.stopSegment());
        final long bytes = (scan.tailEnd() - scan.stopOffset()) + scan.laterGarbageBytes();
        stop.zeroAndForce(scan.stopOffset(), scan.tailEnd(), fsync);
        removeSegmentsAfterStop(repair && scan.outcome() == RecoveryScan.Outcome.CORRUPT ?
            "REPAIR: deleted, it lies after the truncation point" : "it held only a partial write");
        return bytes;
    }

    private boolean removeSegmentsAfterStop(final String why)
    {
        boolean removed = false;
        while (segments.size() > scan.stopSegment() + 1)
        {
            final Segment last = segments.remove(segments.size() - 1);
            last.unmap();
            SegmentFiles.delete(last.file());
            notes.add("removed " + last.file().getFileName() + ": " + why);
            removed = true;
        }
        return removed;
    }

    private void unmapAll()
    {
        for (final Segment segment : segments)
        {
            segment.unmap();
        }
        segments.clear();
    }

    List<Segment> segments()
    {
        return segments;
    }

    long segmentSize()
    {
        return segmentSize;
    }

    RecoveryReport report()
    {
        return report;
    }

    RecoveryScan scan()
    {
        return scan;
    }
}
