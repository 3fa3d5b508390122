package io.axiom.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Opens the segments of a data directory for writing and brings the log to a state the writer can append to:
 * removes the debris of interrupted segment creation, validates headers and contiguity, runs the
 * {@link RecoveryScan}, truncates a torn tail or an incomplete last unit, and refuses corruption or a missing segment
 * (or, with repair, cuts it loudly). A repair sets aside the snapshots that cover more than what is left. With
 * {@link JournalContext#startFromSnapshot()} the scan starts after the record the newest usable snapshot is bound to,
 * and the segments wholly before it are left {@link Segment#unchecked()}. With {@link JournalContext#cutAfter(long)}
 * it then cuts the log back to that position on purpose, the damage after it included.
 */
final class Recovery
{
    private final Path dir;
    private final boolean fsync;
    private final boolean repair;
    private final boolean startFromSnapshot;
    private final DiskProbe disk;
    private final Path archiveDir;
    private final long cutAfter;
    private LogFault deferredFault;
    private final List<Path> deferredFiles = new ArrayList<>();
    private int lastChecksum;
    private List<Path> archives = List.of();
    private long archivedUpTo;
    private long archivedLastSequence;
    private long replayableFrom;
    private final List<String> notes = new ArrayList<>();
    private final List<Segment> segments = new ArrayList<>();
    private long segmentSize;
    private long logStartPosition;
    private boolean repairCut;
    private RecoveryReport report;
    private RecoveryScan scan;
    private SnapshotStore.Parsed anchor;
    private Path anchorFile;
    private long checkedFromPosition;

    private Recovery(final JournalContext ctx, final DiskProbe disk)
    {
        this.dir = ctx.dataDir();
        this.fsync = ctx.fsync();
        this.repair = ctx.repair();
        this.startFromSnapshot = ctx.startFromSnapshot();
        this.disk = disk;
        this.archiveDir = ctx.archiveDir();
        this.cutAfter = ctx.cutAfter();
        this.segmentSize = ctx.maxSegmentSize();
    }

    /**
     * Recover the log in ctx.dataDir().
     *
     * @param ctx  concluded context.
     * @param disk probe used when a first segment must be created.
     * @return the recovered log, segments mapped read-write.
     * @throws JournalCorruptionException when acknowledged data is damaged or missing and repair is off.
     */
    static Recovery run(final JournalContext ctx, final DiskProbe disk)
    {
        final Recovery recovery = new Recovery(ctx, disk);
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
            notes.add("fsync is DISABLED: flush() does not force records to the device, so acknowledged records " +
                "can be lost on power failure.");
        }
        boolean directoryChanged = false;
        for (final Path temp : SegmentFiles.listTemp(dir))
        {
            notes.add("Removed " + temp.getFileName() + ", a segment whose creation was interrupted by a crash" +
                SegmentFiles.deleteOrPool(temp) + ".");
            directoryChanged = true;
        }
        for (final Path prepared : SegmentFiles.listPrepared(dir))
        {
            notes.add("Removed " + prepared.getFileName() + ", a segment prepared ahead of need and never used" +
                SegmentFiles.deleteOrPool(prepared) + ".");
            directoryChanged = true;
        }
        archives = SegmentArchive.list(archiveDir);
        for (final Path temp : SegmentArchive.listTemp(archiveDir))
        {
            SegmentFiles.delete(temp);
            notes.add("recovery: removed " + temp + ", an archive whose writing was interrupted by a crash; its " +
                "segment is still in the log and is archived again.");
        }
        directoryChanged |= openSegments(configuredSegmentSize);
        removeDuplicateArchives();

        if (segments.isEmpty())
        {
            try
            {
                segments.add(Segment.create(dir, 0, segmentSize, fsync, disk));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create the first segment of a new log in " + dir, ex);
            }
            notes.add("Created a new log in " + dir + " with segments of " + segmentSize + " bytes.");
        }

        scan = new RecoveryScan(segments);
        scan.mark(cutAfter);
        final RecoveryScan.Outcome outcome;
        final int anchorSegment = startFromSnapshot ? findAnchor() : -1;
        if (anchorSegment < 0)
        {
            final long firstExpected = segments.get(0).index() == 0 ? 1 :
                archivedUpTo == segments.get(0).basePosition() && archivedLastSequence > 0 ?
                archivedLastSequence + 1 : 0;
            outcome = scan.scan(0, SegmentHeader.LENGTH, firstExpected);
        }
        else
        {
            final Segment holding = segments.get(anchorSegment);
            for (int s = 0; s < anchorSegment; s++)
            {
                segments.get(s).markUnchecked();
            }
            checkedFromPosition = anchor.position();
            outcome = scan.scanAfter(
                anchorSegment,
                (int)(anchor.position() - holding.basePosition()),
                segments.get(0).basePosition() + SegmentHeader.LENGTH,
                anchor.lastPosition(),
                anchor.lastSequence(),
                anchor.lastChecksum(),
                anchor.lastSequence());
        }
        final Segment cut = segments.get(scan.cutSegment());
        final long cutPosition = cut.basePosition() + scan.cutOffset();
        lastChecksum = scan.lastChecksum();
        boolean behind = false;
        if (cutAfter >= 0)
        {
            if (scan.markFound() &&
                (cutAfter != cutPosition || RecoveryScan.Outcome.CORRUPT == outcome || null != deferredFault))
            {
                cutAtMark(outcome, directoryChanged);
                return;
            }
            if (!scan.markFound())
            {
                if (cutAfter <= cutPosition)
                {
                    throw new IllegalStateException(notAUnitEnd());
                }
                if (null != deferredFault)
                {
                    throw deferredFault.toException(null);
                }
                if (RecoveryScan.Outcome.CORRUPT != outcome)
                {
                    throw new JournalBehindException(dir, cutAfter, cutPosition);
                }
                behind = true; // the corruption lies before the cut: refused below, or cut by repair, then behind
            }
        }
        long truncatedAt = -1;
        long truncatedBytes = 0;
        long truncatedRecords = 0;
        switch (outcome)
        {
            case CORRUPT:
            {
                final LogFault corruption = scan.corruption();
                if (!repair)
                {
                    throw corruption.toException(scan.evidence());
                }
                truncatedAt = cutPosition;
                truncatedRecords = scan.unitRecords();
                truncatedBytes = truncateAtCut("REPAIR: it lies after the truncation point at position " +
                    cutPosition + ", and every record in it is LOST.");
                notes.add(0, "REPAIR: " + corruption.description() + "; " + scan.evidence() + ". Truncated the " +
                    "log at position " + cutPosition + (cutPosition < corruption.position() ? ", the start of the " +
                    "unit the bad record belongs to (" + truncatedRecords + " valid record(s) of that unit before it " +
                    "dropped too)" : "") + ": every record from there on is LOST (" + truncatedBytes +
                    " non-zero bytes removed).");
                repairCut = true;
                directoryChanged = true;
                break;
            }

            case TORN_TAIL:
            {
                truncatedAt = cutPosition;
                truncatedRecords = scan.unitRecords();
                truncatedBytes = truncateAtCut("it held only the torn tail after position " + cutPosition + ".");
                notes.add(0, truncatedRecords > 0 ?
                    "Torn tail: truncated an incomplete unit at position " + cutPosition + ": " + truncatedRecords +
                    " valid record(s) of a command that never reached its commit mark, " + truncatedBytes +
                    " bytes in all" + (null == scan.fault() ? "" : " (then " + scan.fault().description() + ")") +
                    "; none was acknowledged, since an acknowledgement waits for the flush after the mark." :
                    "Torn tail: truncated " + truncatedBytes + " bytes of a partial write at position " +
                    cutPosition + (null == scan.fault() ? "" : " (" + scan.fault().description() + ")") +
                    "; no valid record follows, so no acknowledged record was in it.");
                directoryChanged = true;
                break;
            }

            case CLEAN:
                directoryChanged |= removeSegmentsAfterCut("it is empty, after the end of the log.");
                break;
        }
        cut.limit(scan.cutOffset());
        int setAside = 0;
        if (repairCut)
        {
            // Only a repair can cut below a snapshot: snapshots cover flushed units, and a torn tail lies after the
            // last flush. A snapshot past a cut without repair is evidence of lost records, for select() to refuse.
            setAside = SnapshotStore.setAsidePast(dir, cutPosition, "repair cut the log at position " + cutPosition,
                notes);
        }
        else if (cutAfter >= 0)
        {
            // the log already ends there: set aside what an interrupted cut back to it may have left
            setAside = SnapshotStore.setAsidePast(dir, cutAfter, "the log was cut back to position " + cutAfter,
                notes);
        }
        if (directoryChanged && fsync)
        {
            SegmentFiles.forceDirectory(dir);
        }
        if (behind)
        {
            throw new JournalBehindException(dir, cutAfter, cutPosition);
        }

        report = new RecoveryReport(
            segments.size(),
            scan.recordCount(),
            scan.firstPosition(),
            scan.lastPosition(),
            scan.lastSequence(),
            cutPosition,
            truncatedAt,
            truncatedBytes,
            truncatedRecords,
            -1,
            0,
            0,
            repairCut,
            logStartPosition,
            setAside,
            notes);
    }

    /**
     * Cut the log back to {@link JournalContext#cutAfter(long)}, a unit end the scan passed: drop every record after
     * it, the damage the scan found after it too. The later segment files go first (renamed into the pool, directory
     * forced), then the tail of the segment holding the position is zeroed and forced, so a crash at any point leaves
     * a log that ends at or after the position, and once done no record after it is ever read again: in the same
     * segment life a stale record would validate with the same salt, so zeros, not the generation, keep it out.
     */
    private void cutAtMark(final RecoveryScan.Outcome outcome, final boolean debrisRemoved)
    {
        final int holdingIndex = scan.markSegment();
        final int offset = scan.markOffset();
        final Segment holding = segments.get(holdingIndex);
        final CRC32C crc = new CRC32C();
        final int holdingEnd = holding.lifeEnd(crc, offset);
        long bytes = holdingEnd - offset;
        for (int s = holdingIndex + 1; s < segments.size(); s++)
        {
            bytes += segments.get(s).lifeEnd(crc, SegmentHeader.LENGTH) - SegmentHeader.LENGTH;
        }
        final long records = scan.recordCount() + scan.unitRecords() - scan.markRecordCount();
        final String position = "position " + cutAfter;
        // first, so that a crash in the middle of the cut cannot leave one behind a log that already ends at P
        final int setAside = SnapshotStore.setAsidePast(dir, cutAfter, "the log was cut back to " + position, notes);
        boolean directoryChanged = debrisRemoved;
        directoryChanged |= removeSegmentsAfter(holdingIndex, "the log was cut back to " + position +
            " (derived log: its records are re-derived from the replicated log).");
        for (final Path file : deferredFiles)
        {
            SegmentFiles.delete(file);
            notes.add("Deleted segment file " + file.getFileName() + ": it lies after " + position + " the log was " +
                "cut back to, and " + deferredFault.description() + ".");
            directoryChanged = true;
        }
        if (directoryChanged && fsync)
        {
            SegmentFiles.forceDirectory(dir);
        }
        holding.zeroAndForce(offset, holdingEnd, fsync);
        holding.limit(offset);
        final StringBuilder note = new StringBuilder()
            .append("Cut ").append(records).append(" record(s), ").append(bytes).append(" bytes after ")
            .append(position).append(" (derived log: they are re-derived from the replicated log)");
        if (scan.unitRecords() > 0)
        {
            note.append("; ").append(scan.unitRecords()).append(" of them an incomplete last unit");
        }
        if (RecoveryScan.Outcome.CORRUPT == outcome)
        {
            note.append("; damage after the cut was dropped with them: ").append(scan.corruption().description());
        }
        else if (null != scan.fault())
        {
            note.append("; a torn write after the cut was dropped with them: ").append(scan.fault().description());
        }
        if (null != deferredFault)
        {
            note.append("; ").append(deferredFault.description());
        }
        notes.add(0, note.append('.').toString());

        lastChecksum = scan.markLastChecksum();
        report = new RecoveryReport(
            segments.size(),
            scan.markRecordCount(),
            scan.markRecordCount() > 0 ? scan.markFirstPosition() : 0,
            scan.markLastPosition(),
            scan.markLastSequence(),
            cutAfter,
            -1,
            0,
            0,
            cutAfter,
            records,
            bytes,
            repairCut,
            logStartPosition,
            setAside,
            notes);
    }

    /**
     * @return why {@link JournalContext#cutAfter(long)} is not a position the log can be cut back to, naming the
     * unit ends around it.
     */
    private String notAUnitEnd()
    {
        final long below = scan.unitEndBelowMark();
        final long above = scan.unitEndAboveMark();
        return "Cannot cut the log in " + dir + " back to position " + cutAfter + ": no unit ends there" +
            (scan.markInsideUnit() ? " (a record ends there, inside a unit)" : "") + "; the nearest unit ends are " +
            (below < 0 ? "none below" : below + " below") + " and " + (above < 0 ? "none above" : above + " above") +
            " (the log checked from position " + (segments.get(0).basePosition() + SegmentHeader.LENGTH) +
            (checkedFromPosition > 0 ? ", record by record from " + checkedFromPosition : "") + "). The position " +
            "must be one Journal.endPosition() returned right after a unit ended in this log, or " +
            SegmentHeader.LENGTH + " for the empty log: this log is not the one the position was taken from.";
    }

    /**
     * Find where the record-by-record check starts: the newest snapshot that passes its own checksums and whose bound
     * record is in the mapped segments with its sequence and stored checksum, validating, ending its unit exactly at
     * the snapshot's position. Reads the snapshot files and one record per snapshot tried, no segment's records.
     * Each snapshot passed over and the start chosen are notes.
     *
     * @return index into the segment list of the segment holding the bound record, -1 to check from the first
     * record (no usable snapshot, or a log that does not start at position 0).
     */
    private int findAnchor()
    {
        final List<Path> files = SnapshotStore.list(dir.resolve(SnapshotStore.DIRECTORY));
        if (files.isEmpty())
        {
            return -1;
        }
        final long firstIndex = segments.get(0).index();
        final CRC32C crc = new CRC32C();
        for (int i = files.size() - 1; i >= 0; i--)
        {
            final Path file = files.get(i);
            final SnapshotStore.Parsed parsed = SnapshotStore.parse(file);
            final String name = file.getFileName().toString();
            String problem = null;
            int index = -1;
            if (null != parsed.problem())
            {
                problem = "it " + parsed.problem();
            }
            else if (cutAfter >= 0 && parsed.position() > cutAfter)
            {
                problem = "it covers the log up to position " + parsed.position() + ", past position " + cutAfter +
                    " the log is cut back to";
            }
            else if (SnapshotStore.VERSION_UNBOUND == parsed.version())
            {
                problem = "it is format 1, bound to no record";
            }
            else
            {
                final long segmentIndex = parsed.lastPosition() / segmentSize - firstIndex;
                if (parsed.lastPosition() < SegmentHeader.LENGTH || segmentIndex >= segments.size())
                {
                    problem = "the log holds no segment for its last record's position " + parsed.lastPosition();
                }
                else if (segmentIndex < 0)
                {
                    problem = "its last record, at position " + parsed.lastPosition() + ", lies in a segment " +
                        "retention archived";
                }
                else
                {
                    index = (int)segmentIndex;
                    final Segment segment = segments.get(index);
                    final String mismatch = RecoveryScan.bindingMismatch(
                        segment, (int)(parsed.lastPosition() - segment.basePosition()), crc, parsed.lastSequence(),
                        parsed.lastChecksum(), parsed.position(), segment.capacity());
                    if (null != mismatch)
                    {
                        problem = "its last record is sequence " + parsed.lastSequence() + " at position " +
                            parsed.lastPosition() + " but " + mismatch;
                    }
                }
            }
            if (null != problem)
            {
                notes.add("Start-up does not check the log from snapshot " + name + ": " + problem + "; " +
                    (i > 0 ? "trying the next older snapshot." : "checking every record from the first."));
                continue;
            }
            anchor = parsed;
            anchorFile = file;
            notes.add("Start-up checks the log record by record from position " + parsed.position() + ", where " +
                "snapshot " + name + " is bound (sequence " + parsed.lastSequence() + " at position " +
                parsed.lastPosition() + ", found with that sequence and CRC32C); the " + index +
                " segment(s) before " + segments.get(index).file().getFileName() + " and the records before that " +
                "position are verified in the background after start-up (axiom wal verify checks them all).");
            return index;
        }
        return -1;
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
                    notes.add("Removed " + file.getFileName() + ": it was all zero, its creation never finished.");
                    deleted = true;
                    continue;
                }
                final LogFault fault = new LogFault(LogFault.Kind.HEADER, file, 0, basePosition,
                    "bad segment header in " + file + " at file offset 0 (position " + basePosition + "): " + problem);
                deleted |= refuseOrDropFrom(files, i, fault);
                break;
            }
            if (segments.isEmpty() && index > 0 && archivedPrefix(basePosition, size))
            {
                notes.add("The live log starts at " + file.getFileName() + " (position " + basePosition + "): the " +
                    "segments before it were retired by retention, their archives or summaries are in " + archiveDir +
                    ".");
            }
            else if (segments.isEmpty() && index > 0)
            {
                final LogFault fault = new LogFault(LogFault.Kind.MISSING_SEGMENT, dir.resolve(Segment.fileName(0)),
                    0, 0, "segment file " + Segment.fileName(0) + " is missing: the log in " + dir + " starts with " +
                    file.getFileName() + " (position " + basePosition + "), so the records at positions [0, " +
                    basePosition + ") are gone");
                if (!repair)
                {
                    throw fault.toException(null, "Acknowledged records are missing. Restore the missing segment " +
                        "file(s) from backup, or start with --repair, which starts from the files present only if a " +
                        "snapshot bound to this log covers the missing positions.");
                }
                logStartPosition = basePosition;
                repairCut = true;
                notes.add("REPAIR: " + fault.description() + "; starting from " + file.getFileName() +
                    " because repair is on, if a snapshot bound to this log covers the missing positions.");
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
                    notes.add("The existing log uses segments of " + size + " bytes; the configured " +
                        configuredSegmentSize + " applies to new logs only.");
                }
            }
            segments.add(Segment.map(file, index, basePosition, SegmentHeader.formatVersion(header),
                SegmentHeader.generation(header), false));
        }
        return deleted;
    }

    /**
     * @return true when archiveDir holds an archive or a deleted segment's summary for every segment below
     * basePosition, contiguous from 0; the newest one's header is checked (the rest by {@code wal verify}).
     */
    private boolean archivedPrefix(final long basePosition, final long size)
    {
        long expected = 0;
        Path last = null;
        for (final Path archive : archives)
        {
            final long base = SegmentArchive.basePosition(archive);
            if (base >= basePosition)
            {
                break;
            }
            if (base != expected)
            {
                return false;
            }
            expected += size;
            last = archive;
        }
        if (expected != basePosition || null == last)
        {
            return false;
        }
        final SegmentArchive.Summary summary = SegmentArchive.readSummary(last);
        if (summary.segmentSize() != size || summary.basePosition() != basePosition - size)
        {
            throw new JournalCorruptionException("Journal corruption: archive " + last + " is of segment size " +
                summary.segmentSize() + " at base position " + summary.basePosition() + ", the log's segments are " +
                size + " bytes and the live log starts at " + basePosition + ". Restore the archive directory from " +
                "backup.", last, 0, summary.basePosition());
        }
        archivedUpTo = basePosition;
        archivedLastSequence = summary.lastSequence();
        for (final Path archive : archives)
        {
            if (SegmentArchive.basePosition(archive) < basePosition && SegmentArchive.isDeleted(archive))
            {
                replayableFrom = SegmentArchive.basePosition(archive) + size;
            }
        }
        return true;
    }

    /**
     * An archive of a segment still in the log: archiving finished but the crash came before the segment was
     * retired. The live segment is kept; the archive is written again when retention retires it.
     */
    private void removeDuplicateArchives()
    {
        if (segments.isEmpty())
        {
            return;
        }
        final long firstLive = segments.get(0).basePosition();
        boolean removed = false;
        for (final Path archive : archives)
        {
            if (SegmentArchive.basePosition(archive) >= firstLive)
            {
                SegmentFiles.delete(archive);
                notes.add("recovery: removed archive " + archive + ": its segment " +
                    Segment.fileName(SegmentArchive.basePosition(archive)) + " is still in the log (a crash came " +
                    "after archiving and before the segment was retired); the live segment is kept and archived " +
                    "again by retention.");
                removed = true;
            }
        }
        if (removed && fsync)
        {
            SegmentFiles.forceDirectory(archiveDir);
        }
    }

    /**
     * Keep at most limit files in the pool of retired segments: delete the oldest beyond it.
     *
     * @return true when files were deleted.
     */
    static boolean capPool(final Path dir, final int limit, final List<String> notes)
    {
        final List<Path> free = SegmentFiles.listFree(dir);
        for (int i = 0; i < free.size() - limit; i++)
        {
            SegmentFiles.delete(free.get(i));
            if (null != notes)
            {
                notes.add("Deleted " + free.get(i).getFileName() + " from the pool of retired segments, which keeps " +
                    "at most " + limit + " files for reuse.");
            }
        }
        return free.size() > limit;
    }

    private boolean refuseOrDropFrom(final List<Path> files, final int from, final LogFault fault)
    {
        if (!repair && cutAfter >= 0 && fault.position() >= cutAfter)
        {
            // wholly after the position the log is cut back to: deleted by the cut if the scan confirms the position
            deferredFault = fault;
            deferredFiles.addAll(files.subList(from, files.size()));
            return false;
        }
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
            ": every record in them is LOST.");
        repairCut = true;
        return true;
    }

    /**
     * Zero the cut segment from the end of the last complete unit to its last non-zero byte and delete every later
     * segment.
     *
     * @return non-zero bytes removed.
     */
    private long truncateAtCut(final String whyLaterSegments)
    {
        final Segment cut = segments.get(scan.cutSegment());
        final long bytes = scan.bytesAfterCut();
        // later segments first: a crash between the two steps then leaves a torn tail, never a zeroed hole before
        // valid records of the same unit in a later segment
        if (removeSegmentsAfterCut(whyLaterSegments) && fsync)
        {
            SegmentFiles.forceDirectory(dir);
        }
        cut.zeroAndForce(scan.cutOffset(), scan.tailEnd(), fsync);
        return bytes;
    }

    private boolean removeSegmentsAfterCut(final String why)
    {
        return removeSegmentsAfter(scan.cutSegment(), why);
    }

    /**
     * Rename every segment after the one at index kept into the pool: a recycled file gets a new generation, so its
     * records never validate again.
     */
    private boolean removeSegmentsAfter(final int kept, final String why)
    {
        boolean removed = false;
        while (segments.size() > kept + 1)
        {
            final Segment last = segments.remove(segments.size() - 1);
            last.unmap();
            final Path free = last.file().resolveSibling(last.file().getFileName() + SegmentFiles.FREE_SUFFIX);
            try
            {
                Files.move(last.file(), free, StandardCopyOption.ATOMIC_MOVE);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot remove segment " + last.file() + " from the log", ex);
            }
            notes.add("Removed segment file " + last.file().getFileName() + " from the log (kept as " +
                free.getFileName() + " for reuse, never read as records): " + why);
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

    /**
     * @return the position below which the log is archived (0: no archived prefix).
     */
    long archivedUpTo()
    {
        return archivedUpTo;
    }

    /**
     * @return the lowest position from which the log can be replayed: past the last segment the policy deleted.
     */
    long replayableFrom()
    {
        return replayableFrom;
    }

    RecoveryScan scan()
    {
        return scan;
    }

    /**
     * @return CRC32C stored in the last record of the recovered log, 0 when empty.
     */
    int lastChecksum()
    {
        return lastChecksum;
    }

    /**
     * @return the snapshot the check started from (read and checksummed once, for {@link SnapshotStore#select}),
     * null when every record was checked.
     */
    SnapshotStore.Parsed anchor()
    {
        return anchor;
    }

    /**
     * @return the file of {@link #anchor()}.
     */
    Path anchorFile()
    {
        return anchorFile;
    }

    /**
     * @return position from which every record was checked: 0, or the position of {@link #anchor()}.
     */
    long checkedFromPosition()
    {
        return checkedFromPosition;
    }
}
