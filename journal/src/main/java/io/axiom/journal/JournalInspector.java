package io.axiom.journal;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Operator tools over a data directory, behind {@code axiom wal verify} and {@code axiom wal dump}, and the walk
 * {@code axiom verify} replays ({@link #read(Path, long, LogVisitor)}). Files are opened read-only, nothing is modified
 * and the directory lock is not taken, so they work on a live directory too (where the tail may be a unit still being
 * written).
 */
public final class JournalInspector
{
    private static final int MAX_FAULTS = 100;

    private JournalInspector()
    {
    }

    /**
     * Check every segment header and record (length, CRC32C, flags, sequence continuity, unit ends) and every
     * snapshot against the log. Never throws on corruption: past a corrupt record it resynchronises on the next
     * valid one and goes on, so every damaged region is reported.
     *
     * @param dataDir the data directory.
     * @return segments, records, faults, the torn tail start-up would truncate, and notes.
     */
    public static VerifyReport verify(final Path dataDir)
    {
        return verify(dataDir, dataDir.resolve(JournalContext.ARCHIVE_DIRECTORY));
    }

    /**
     * {@link #verify(Path)} with the archive directory given: the archived prefix is checked too (every block's and
     * record's CRC32C, sequence continuity from archive to archive and on into the live log).
     *
     * @param dataDir    the data directory.
     * @param archiveDir where retention archived segments.
     * @return segments, archives, records, faults, the torn tail start-up would truncate, and notes.
     */
    public static VerifyReport verify(final Path dataDir, final Path archiveDir)
    {
        final List<SegmentArchive.Summary> archives = new ArrayList<>();
        final List<String> faults = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        if (!Files.isDirectory(dataDir))
        {
            faults.add("no such data directory: " + dataDir);
            return new VerifyReport(List.of(), 0, 0, 0, faults, false, -1, 0, 0, notes, archives);
        }
        final List<Segment> segments = new ArrayList<>();
        try
        {
            final List<LogFault> mappingFaults = new ArrayList<>();
            final int files = mapReadOnly(dataDir, segments, mappingFaults, notes);
            final long archivedEnd = verifyArchives(archiveDir, segments, archives, faults, notes);
            mappingFaults.stream().filter(fault -> !(fault.kind() == LogFault.Kind.MISSING_SEGMENT &&
                fault.position() == 0 && archivedEnd > 0)).forEach(fault -> faults.add(fault.description()));
            if (0 == files)
            {
                faults.add("no journal in " + dataDir + ": it holds no segment files (" + Segment.fileName(0) +
                    " and on)");
            }
            if (segments.isEmpty())
            {
                return new VerifyReport(List.of(), 0, 0, 0, faults, false, -1, 0, 0, notes, archives);
            }
            final RecoveryScan scan = new RecoveryScan(segments);
            RecoveryScan.Outcome outcome =
                scan.scan(0, SegmentHeader.LENGTH, firstExpectedSequence(segments, archives));
            while (outcome == RecoveryScan.Outcome.CORRUPT && faults.size() < MAX_FAULTS)
            {
                faults.add(scan.corruption().description() + "; " + scan.evidence());
                if (!scan.validFollows())
                {
                    break;
                }
                outcome = scan.scan(scan.nextSegment(), scan.nextOffset(), scan.nextSequence());
            }
            final boolean tornTail = outcome == RecoveryScan.Outcome.TORN_TAIL;
            final Segment cut = segments.get(scan.cutSegment());
            final long end = cut.basePosition() + scan.cutOffset();

            final List<SegmentInfo> infos = new ArrayList<>(segments.size());
            for (int i = 0; i < segments.size(); i++)
            {
                final Segment segment = segments.get(i);
                infos.add(new SegmentInfo(segment.file(), segment.index(), segment.basePosition(),
                    scan.segmentRecords(i), segment.limit(), segment.capacity(), segment.generation()));
            }
            if (faults.isEmpty())
            {
                verifySnapshots(dataDir, segments, end, faults, notes);
            }
            else
            {
                notes.add("Snapshots were not checked against the log, which has faults.");
            }
            return new VerifyReport(infos, scan.recordCount(), scan.lastPosition(), scan.lastSequence(), faults,
                tornTail, tornTail ? end : -1, tornTail ? scan.unitRecords() : 0,
                tornTail ? scan.bytesAfterCut() : 0, notes, archives);
        }
        finally
        {
            unmapAll(segments);
        }
    }

    /**
     * One line per archived and live segment, from their headers only (cheap): file, index, generation, and for an
     * archive its sequences; what {@code wal dump} prints beside the records.
     *
     * @param dataDir    the data directory.
     * @param archiveDir where retention archived segments.
     * @return the lines, archives first; a header that cannot be read says so in its line.
     */
    public static List<String> describeSegments(final Path dataDir, final Path archiveDir)
    {
        final List<String> lines = new ArrayList<>();
        for (final Path file : SegmentArchive.list(archiveDir))
        {
            try
            {
                final SegmentArchive.Summary a = SegmentArchive.readSummary(file);
                lines.add("archived " + file.getFileName() + " index=" + a.index() + " generation=" + a.generation() +
                    (a.deleted() ? " DELETED by policy" : "") + " sequences=" + a.firstSequence() + ".." +
                    a.lastSequence());
            }
            catch (final RuntimeException ex)
            {
                lines.add("archived " + file.getFileName() + " unreadable: " + ex.getMessage());
            }
        }
        if (Files.isDirectory(dataDir))
        {
            for (final Path file : SegmentFiles.list(dataDir))
            {
                final ByteBuffer header = SegmentFiles.readHeader(file);
                lines.add("segment " + file.getFileName() + (header.limit() < SegmentHeader.LENGTH ?
                    " header unreadable" : " generation=" + SegmentHeader.generation(header)));
            }
        }
        return lines;
    }

    /**
     * Check each snapshot as start-up would ({@link SnapshotStore#select(Journal, boolean)}), against a sound log
     * that ends at end.
     */
    private static void verifySnapshots(
        final Path dataDir, final List<Segment> segments, final long end, final List<String> faults,
        final List<String> notes)
    {
        final Path snapshotDir = dataDir.resolve(SnapshotStore.DIRECTORY);
        for (final Path temp : SnapshotStore.listTemp(snapshotDir))
        {
            notes.add("Snapshot temp file " + temp.getFileName() + " is the leftover of an interrupted write; " +
                "start-up removes it (on a live directory it may be a write in progress).");
        }
        final CRC32C crc = new CRC32C();
        final long segmentSize = segments.get(0).capacity();
        final int firstIndex = segments.get(0).index();
        for (final Path file : SnapshotStore.list(snapshotDir))
        {
            final SnapshotStore.Parsed parsed = SnapshotStore.parse(file);
            if (null != parsed.problem())
            {
                faults.add("snapshot " + file + " " + parsed.problem() + "; start-up sets it aside");
                continue;
            }
            if (SnapshotStore.VERSION_UNBOUND == parsed.version())
            {
                notes.add("Snapshot " + file.getFileName() + " is format 1 (no binding to the log); start-up sets " +
                    "it aside and replays the log instead.");
                continue;
            }
            if (parsed.position() > end)
            {
                faults.add("snapshot " + file + " covers the log up to position " + parsed.position() + " (sequence " +
                    parsed.lastSequence() + " at position " + parsed.lastPosition() + "), but the log ends at " +
                    "position " + end + ": records it saw are missing (a deleted or truncated segment file); " +
                    "start-up refuses (restore the missing files from backup, or --repair sets the snapshot aside)");
                continue;
            }
            final long index = parsed.lastPosition() / segmentSize - firstIndex;
            final String mismatch = parsed.lastPosition() < 0 || index < 0 || index >= segments.size() ?
                "the log holds no segment for position " + parsed.lastPosition() :
                RecoveryScan.bindingMismatch(segments.get((int)index),
                (int)(parsed.lastPosition() - segments.get((int)index).basePosition()), crc, parsed.lastSequence(),
                parsed.lastChecksum(), parsed.position());
            if (null != mismatch)
            {
                faults.add("snapshot " + file + " does not match the log: its last record is sequence " +
                    parsed.lastSequence() + " at position " + parsed.lastPosition() + ", but " + mismatch +
                    " (a different history, after a repair or from another log); start-up sets it aside");
            }
        }
    }

    /**
     * Deliver the records of complete units oldest first, from fromPosition on, stopping at the first bad record or
     * at an incomplete last unit.
     *
     * @param dataDir      the data directory.
     * @param fromPosition first position of interest, need not be a record start.
     * @param limit        most records to deliver.
     * @param handler      receives each record; the buffer is only valid during the call.
     */
    public static void dump(final Path dataDir, final long fromPosition, final long limit, final RecordHandler handler)
    {
        dump(dataDir, dataDir.resolve(JournalContext.ARCHIVE_DIRECTORY), fromPosition, limit, handler);
    }

    /**
     * {@link #dump(Path, long, long, RecordHandler)} through the archived prefix in archiveDir: records of archived
     * segments first (those the policy deleted are skipped: only their summaries are kept), then the live log.
     *
     * @param dataDir      the data directory.
     * @param archiveDir   where retention archived segments.
     * @param fromPosition first position of interest, need not be a record start.
     * @param limit        most records to deliver.
     * @param handler      receives each record; the buffer is only valid during the call.
     */
    public static void dump(
        final Path dataDir, final Path archiveDir, final long fromPosition, final long limit,
        final RecordHandler handler)
    {
        if (!Files.isDirectory(dataDir))
        {
            throw new IllegalArgumentException("no such data directory: " + dataDir);
        }
        final List<Segment> segments = new ArrayList<>();
        try
        {
            mapReadOnly(dataDir, segments, new ArrayList<>(), new ArrayList<>());
            if (segments.isEmpty())
            {
                return;
            }
            final List<SegmentArchive.Summary> archives = new ArrayList<>();
            long delivered = deliverArchived(archiveDir, segments.get(0).basePosition(), fromPosition, limit,
                Long.MAX_VALUE, handler, archives, null);
            final RecoveryScan scan = new RecoveryScan(segments);
            scan.scan(0, SegmentHeader.LENGTH, firstExpectedSequence(segments, archives));
            for (int i = 0; i <= scan.cutSegment() && delivered < limit; i++)
            {
                final Segment segment = segments.get(i);
                final UnsafeBuffer buffer = segment.buffer();
                final int end = i == scan.cutSegment() ? scan.cutOffset() : segment.limit();
                int offset = SegmentHeader.LENGTH;
                while (offset < end && delivered < limit)
                {
                    final int frameLength = RecordFrame.frameLengthVolatile(buffer, offset);
                    final long position = segment.basePosition() + offset;
                    if (position >= fromPosition)
                    {
                        RecordFrame.deliver(buffer, offset, frameLength, position, handler);
                        delivered++;
                    }
                    offset += RecordFrame.align(frameLength);
                }
            }
        }
        finally
        {
            unmapAll(segments);
        }
    }

    /**
     * Walk a log read-only from its first record, as verify needs it: every record of a complete unit is delivered
     * in log order; a fault is reported where it is and delivery resumes at the next valid record (as {@link
     * #verify(Path)} resynchronises), so that one damaged region does not hide the rest; a torn tail is reported with
     * its records. Files are mapped read-only and the directory lock is not taken, so it works on a live directory:
     * give it an end position the writer handed out (the end of a unit already written to the file) and what lies
     * past it, a writer at work, is neither delivered nor judged.
     *
     * @param dataDir     the data directory.
     * @param endPosition deliver and judge only what lies before this position, {@link Long#MAX_VALUE} for the whole
     *                    log.
     * @param visitor     receives records, faults and the torn tail.
     * @return records delivered through {@link LogVisitor#onRecord}.
     * @throws IllegalArgumentException when dataDir is not a directory.
     */
    public static long read(final Path dataDir, final long endPosition, final LogVisitor visitor)
    {
        return read(dataDir, dataDir.resolve(JournalContext.ARCHIVE_DIRECTORY), endPosition, visitor);
    }

    /**
     * {@link #read(Path, long, LogVisitor)} through the archived prefix in archiveDir: the records of archived
     * segments first; a segment the policy deleted is a fault (its records are gone), and so is a damaged archive.
     *
     * @param dataDir     the data directory.
     * @param archiveDir  where retention archived segments.
     * @param endPosition deliver and judge only what lies before this position.
     * @param visitor     receives records, faults and the torn tail.
     * @return records delivered through {@link LogVisitor#onRecord}.
     */
    public static long read(final Path dataDir, final Path archiveDir, final long endPosition, final LogVisitor visitor)
    {
        if (!Files.isDirectory(dataDir))
        {
            throw new IllegalArgumentException("no such data directory: " + dataDir);
        }
        final List<Segment> segments = new ArrayList<>();
        try
        {
            final List<LogFault> mappingFaults = new ArrayList<>();
            final int files = mapReadOnly(dataDir, segments, mappingFaults, new ArrayList<>());
            if (0 == files)
            {
                visitor.onFault(new LogFault(LogFault.Kind.MISSING_SEGMENT, dataDir.resolve(Segment.fileName(0)), 0,
                    0, "no journal in " + dataDir + ": it holds no segment files (" + Segment.fileName(0) +
                    " and on)"));
                return 0;
            }
            final List<SegmentArchive.Summary> archives = new ArrayList<>();
            final long archived = segments.isEmpty() ? 0 : deliverArchived(archiveDir,
                segments.get(0).basePosition(), 0, Long.MAX_VALUE, endPosition, visitor, archives, visitor);
            final long delivered = archived + (segments.isEmpty() ? 0 : walk(segments, endPosition, visitor,
                firstExpectedSequence(segments, archives)));
            final boolean archivedPrefix = !archives.isEmpty() &&
                archives.get(archives.size() - 1).basePosition() + archives.get(0).segmentSize() ==
                segments.get(0).basePosition();
            for (final LogFault fault : mappingFaults)
            {
                if (fault.position() < endPosition &&
                    !(archivedPrefix && fault.kind() == LogFault.Kind.MISSING_SEGMENT && 0 == fault.position()))
                {
                    visitor.onFault(fault);
                }
            }
            return delivered;
        }
        finally
        {
            unmapAll(segments);
        }
    }

    private static long walk(
        final List<Segment> segments, final long endPosition, final LogVisitor visitor, final long firstExpected)
    {
        final RecoveryScan scan = new RecoveryScan(segments);
        int fromSegment = 0;
        int fromOffset = SegmentHeader.LENGTH;
        long expected = firstExpected;
        long delivered = 0;
        int faults = 0;
        while (true)
        {
            final RecoveryScan.Outcome outcome = scan.scan(fromSegment, fromOffset, expected);
            delivered += deliver(
                segments, fromSegment, fromOffset, scan.cutSegment(), scan.cutOffset(), endPosition, visitor);
            final long cutPosition = segments.get(scan.cutSegment()).basePosition() + scan.cutOffset();
            if (cutPosition >= endPosition)
            {
                return delivered;
            }
            if (outcome == RecoveryScan.Outcome.CORRUPT)
            {
                final LogFault corruption = scan.corruption();
                if (corruption.position() >= endPosition)
                {
                    return delivered;
                }
                visitor.onFault(new LogFault(corruption.kind(), corruption.file(), corruption.fileOffset(),
                    corruption.position(), corruption.description() + "; " + scan.evidence()));
                if (!scan.validFollows() || ++faults >= MAX_FAULTS)
                {
                    return delivered;
                }
                fromSegment = scan.nextSegment();
                fromOffset = scan.nextOffset();
                expected = scan.nextSequence();
                continue;
            }
            if (outcome == RecoveryScan.Outcome.TORN_TAIL)
            {
                deliver(segments, scan.cutSegment(), scan.cutOffset(), scan.stopSegment(), scan.stopOffset(),
                    endPosition, visitor::onTornRecord);
                visitor.onTornTail(cutPosition, scan.unitRecords(), scan.bytesAfterCut());
            }
            return delivered;
        }
    }

    /**
     * Deliver the records from (fromSegment, fromOffset) up to (toSegment, toOffset), which the scan validated, and
     * only those before endPosition.
     */
    private static long deliver(
        final List<Segment> segments,
        final int fromSegment,
        final int fromOffset,
        final int toSegment,
        final int toOffset,
        final long endPosition,
        final RecordHandler handler)
    {
        long count = 0;
        for (int s = fromSegment; s <= toSegment; s++)
        {
            final Segment segment = segments.get(s);
            final UnsafeBuffer buffer = segment.buffer();
            final int end = s == toSegment ? toOffset : segment.limit();
            int offset = s == fromSegment ? fromOffset : SegmentHeader.LENGTH;
            while (offset < end)
            {
                final long position = segment.basePosition() + offset;
                final int frameLength = RecordFrame.frameLengthVolatile(buffer, offset);
                if (position >= endPosition || 0 == frameLength)
                {
                    return count;
                }
                RecordFrame.deliver(buffer, offset, frameLength, position, handler);
                count++;
                offset += RecordFrame.align(frameLength);
            }
        }
        return count;
    }

    /**
     * Map the contiguous prefix of segments with valid headers read-only; report the rest as faults.
     *
     * @return segment files found (valid or not).
     */
    private static int mapReadOnly(
        final Path dataDir, final List<Segment> segments, final List<LogFault> faults, final List<String> notes)
    {
        final List<Path> files = SegmentFiles.list(dataDir);
        for (final Path debris : SegmentFiles.listTemp(dataDir))
        {
            notes.add("Segment temp file " + debris.getFileName() + " is the leftover of an interrupted segment " +
                "creation; start-up removes it.");
        }
        long segmentSize = 0;
        for (int i = 0; i < files.size(); i++)
        {
            final Path file = files.get(i);
            final ByteBuffer header = SegmentFiles.readHeader(file);
            final long fileLength = SegmentFiles.size(file);
            final long basePosition = SegmentFiles.basePosition(file);
            final long size = 0 == segmentSize ?
                (header.limit() >= SegmentHeader.LENGTH ? SegmentHeader.maxSegmentSize(header) : 0) : segmentSize;
            String problem;
            int index = -1;
            if (size <= 0 || basePosition % size != 0 || basePosition / size > Integer.MAX_VALUE)
            {
                problem = "file name base position " + basePosition + " does not fit the segment size";
            }
            else
            {
                index = (int)(basePosition / size);
                problem = SegmentHeader.validate(header, index, fileLength);
            }
            if (null != problem)
            {
                if (i == files.size() - 1 && SegmentFiles.isAllZero(file))
                {
                    notes.add("Segment file " + file.getFileName() + " is all zero, a creation that never " +
                        "finished; start-up removes it.");
                    return files.size();
                }
                faults.add(new LogFault(LogFault.Kind.HEADER, file, 0, basePosition, "bad segment header in " + file +
                    " at file offset 0 (position " + basePosition + "): " + problem + "; later segments not checked"));
                return files.size();
            }
            if (segments.isEmpty() && index > 0)
            {
                faults.add(new LogFault(LogFault.Kind.MISSING_SEGMENT, dataDir.resolve(Segment.fileName(0)), 0, 0,
                    "segment file " + Segment.fileName(0) + " is missing: the log starts with " +
                    file.getFileName() + " (position " + basePosition + "), so the records at positions [0, " +
                    basePosition + ") are gone; start-up refuses (restore the missing files from backup, or " +
                    "--repair starts only if a snapshot bound to the log covers them)"));
            }
            if (!segments.isEmpty() && index != segments.get(segments.size() - 1).index() + 1)
            {
                faults.add(new LogFault(LogFault.Kind.MISSING_SEGMENT,
                    dataDir.resolve(Segment.fileName(basePosition - size)), 0, basePosition - size,
                    "segment file " + Segment.fileName(basePosition - size) + " is missing before " + file +
                    "; later segments not checked"));
                return files.size();
            }
            segmentSize = size;
            segments.add(Segment.map(file, index, basePosition, SegmentHeader.formatVersion(header),
                SegmentHeader.generation(header), true));
        }
        return files.size();
    }

    private static long firstExpectedSequence(final List<Segment> segments)
    {
        return segments.get(0).index() == 0 ? 1 : 0;
    }

    /**
     * Deliver the records of the archives below firstLive, contiguous from segment 0, oldest first.
     *
     * @param faults receives a damaged or missing archive, or a deleted segment, as a fault; null to skip them.
     * @return records delivered.
     */
    private static long deliverArchived(
        final Path archiveDir,
        final long firstLive,
        final long fromPosition,
        final long limit,
        final long endPosition,
        final RecordHandler handler,
        final List<SegmentArchive.Summary> archives,
        final LogVisitor faults)
    {
        long delivered = 0;
        long expectedBase = 0;
        for (final Path file : SegmentArchive.list(archiveDir))
        {
            final long base = SegmentArchive.basePosition(file);
            if (base >= firstLive || base >= endPosition || base != expectedBase)
            {
                if (base < firstLive && base != expectedBase && null != faults)
                {
                    faults.onFault(new LogFault(LogFault.Kind.MISSING_SEGMENT, archiveDir.resolve(
                        SegmentArchive.fileName(expectedBase, false)), 0, expectedBase, "the archive of segment " +
                        Segment.fileName(expectedBase) + " is missing from " + archiveDir));
                }
                break;
            }
            try
            {
                final SegmentArchive.Summary summary = SegmentArchive.readSummary(file);
                archives.add(summary);
                expectedBase = base + summary.segmentSize();
                if (summary.deleted())
                {
                    if (null != faults)
                    {
                        faults.onFault(new LogFault(LogFault.Kind.MISSING_SEGMENT, file, 0, base, "the records of " +
                            "segment " + Segment.fileName(base) + " (sequences " + summary.firstSequence() + " to " +
                            summary.lastSequence() + ") were deleted by retention.policy=delete"));
                    }
                    continue;
                }
                if (expectedBase <= fromPosition || delivered >= limit)
                {
                    continue;
                }
                try (SegmentArchive.Reader reader = new SegmentArchive.Reader(file))
                {
                    delivered += reader.replay(fromPosition, limit - delivered, endPosition, handler);
                }
            }
            catch (final RuntimeException ex)
            {
                if (null == faults)
                {
                    throw ex;
                }
                faults.onFault(new LogFault(LogFault.Kind.CHECKSUM, file, 0, base, "archive " + file + ": " +
                    ex.getMessage()));
                break;
            }
        }
        return delivered;
    }

    private static long firstExpectedSequence(
        final List<Segment> segments, final List<SegmentArchive.Summary> archives)
    {
        if (segments.get(0).index() == 0 || archives.isEmpty())
        {
            return firstExpectedSequence(segments);
        }
        final SegmentArchive.Summary last = archives.get(archives.size() - 1);
        return last.index() == segments.get(0).index() - 1 && last.lastSequence() > 0 ? last.lastSequence() + 1 : 0;
    }

    /**
     * Check the archived prefix: every archive below the first live segment, contiguous from segment 0, each block's
     * and record's CRC32C, sequences continuous from one archive to the next. Archives of segments still live are
     * noted (start-up removes them).
     *
     * @return the position the archived prefix ends at (0 when there is none, or it is not contiguous from 0).
     */
    private static long verifyArchives(
        final Path archiveDir,
        final List<Segment> segments,
        final List<SegmentArchive.Summary> archives,
        final List<String> faults,
        final List<String> notes)
    {
        for (final Path temp : SegmentArchive.listTemp(archiveDir))
        {
            notes.add("Archive temp file " + temp + " is the leftover of an interrupted archiving; start-up " +
                "removes it (on a live directory it may be an archive being written).");
        }
        final long firstLive = segments.isEmpty() ? Long.MAX_VALUE : segments.get(0).basePosition();
        long expectedBase = 0;
        long expectedSequence = 1;
        boolean contiguous = true;
        for (final Path file : SegmentArchive.list(archiveDir))
        {
            if (SegmentArchive.basePosition(file) >= firstLive)
            {
                notes.add("Archive " + file + " is of a segment still in the live log (a crash after archiving, " +
                    "before the segment was retired); start-up removes it and keeps the live segment.");
                continue;
            }
            final SegmentArchive.Summary summary;
            try
            {
                summary = SegmentArchive.readSummary(file);
            }
            catch (final RuntimeException ex)
            {
                faults.add(ex.getMessage());
                contiguous = false;
                continue;
            }
            archives.add(summary);
            if (summary.basePosition() != expectedBase)
            {
                faults.add("archive of segment " + Segment.fileName(expectedBase) + " is missing from " + archiveDir +
                    " (the next archive is " + file.getFileName() + ")");
                contiguous = false;
            }
            expectedBase = summary.basePosition() + summary.segmentSize();
            if (summary.recordCount() > 0)
            {
                if (summary.firstSequence() != expectedSequence && contiguous)
                {
                    faults.add("archive " + file + " starts at sequence " + summary.firstSequence() + ", expected " +
                        expectedSequence + " after the archive before it");
                }
                expectedSequence = summary.lastSequence() + 1;
            }
            if (summary.deleted())
            {
                continue;
            }
            try (SegmentArchive.Reader reader = new SegmentArchive.Reader(file))
            {
                final String fault = reader.verify();
                if (null != fault)
                {
                    faults.add("archive " + file + ": " + fault);
                }
            }
            catch (final RuntimeException ex)
            {
                faults.add(ex.getMessage());
            }
        }
        return contiguous && expectedBase == firstLive ? expectedBase : 0;
    }

    private static void unmapAll(final List<Segment> segments)
    {
        for (final Segment segment : segments)
        {
            segment.unmap();
        }
    }
}
