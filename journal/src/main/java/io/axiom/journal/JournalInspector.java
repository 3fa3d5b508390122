package io.axiom.journal;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Offline operator tools over a data directory, behind {@code axiom wal verify} and {@code axiom wal dump}. Files are
 * opened read-only and nothing is modified; no writer may be running on the directory.
 */
public final class JournalInspector
{
    private static final int MAX_FAULTS = 100;

    private JournalInspector()
    {
    }

    /**
     * Check every segment header and record (length, CRC32C, sequence continuity). Never throws on corruption: past
     * a corrupt record it resynchronises on the next valid one and goes on, so every damaged region is reported.
     *
     * @param dataDir the data directory.
     * @return segments, records, faults and whether the tail is torn.
     */
    public static VerifyReport verify(final Path dataDir)
    {
        final List<String> faults = new ArrayList<>();
        if (!Files.isDirectory(dataDir))
        {
            faults.add("no such data directory: " + dataDir);
            return new VerifyReport(List.of(), 0, 0, 0, faults, false);
        }
        final List<Segment> segments = new ArrayList<>();
        try
        {
            boolean tornTail = mapReadOnly(dataDir, segments, faults);
            if (segments.isEmpty())
            {
                return new VerifyReport(List.of(), 0, 0, 0, faults, tornTail);
            }
            final RecoveryScan scan = new RecoveryScan(segments);
            RecoveryScan.Outcome outcome = scan.scan(0, SegmentHeader.LENGTH, firstExpectedSequence(segments));
            while (outcome == RecoveryScan.Outcome.CORRUPT && faults.size() < MAX_FAULTS)
            {
                faults.add(scan.corruption().description() + "; " + scan.evidence());
                if (!scan.validFollows())
                {
                    break;
                }
                outcome = scan.scan(scan.nextSegment(), scan.nextOffset(), scan.nextSequence());
            }
            tornTail |= outcome == RecoveryScan.Outcome.TORN_TAIL;

            final List<SegmentInfo> infos = new ArrayList<>(segments.size());
            for (int i = 0; i < segments.size(); i++)
            {
                final Segment segment = segments.get(i);
                infos.add(new SegmentInfo(segment.file(), segment.index(), segment.basePosition(),
                    scan.segmentRecords(i), segment.limit(), segment.capacity()));
            }
            return new VerifyReport(
                infos, scan.recordCount(), scan.lastPosition(), scan.lastSequence(), faults, tornTail);
        }
        finally
        {
            unmapAll(segments);
        }
    }

    /**
     * Deliver valid records oldest first, from fromPosition on, stopping at the first bad record.
     *
     * @param dataDir      the data directory.
     * @param fromPosition first position of interest, need not be a record start.
     * @param limit        most records to deliver.
     * @param handler      receives each record; the buffer is only valid during the call.
     */
    public static void dump(final Path dataDir, final long fromPosition, final long limit, final RecordHandler handler)
    {
        if (!Files.isDirectory(dataDir))
        {
            throw new IllegalArgumentException("no such data directory: " + dataDir);
        }
        final List<Segment> segments = new ArrayList<>();
        try
        {
            mapReadOnly(dataDir, segments, new ArrayList<>());
            if (segments.isEmpty())
            {
                return;
            }
            final RecoveryScan scan = new RecoveryScan(segments);
            scan.scan(0, SegmentHeader.LENGTH, firstExpectedSequence(segments));
            long delivered = 0;
            for (int i = 0; i <= scan.stopSegment() && delivered < limit; i++)
            {
                final Segment segment = segments.get(i);
                final UnsafeBuffer buffer = segment.buffer();
                int offset = SegmentHeader.LENGTH;
                while (offset < segment.limit() && delivered < limit)
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
     * Map the contiguous prefix of segments with valid headers read-only; report the rest as faults.
     *
     * @return true when the last file is an all-zero segment whose creation never finished.
     */
    private static boolean mapReadOnly(final Path dataDir, final List<Segment> segments, final List<String> faults)
    {
        final List<Path> files = SegmentFiles.list(dataDir);
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
                    return true;
                }
                faults.add("bad segment header in " + file + " at file offset 0 (position " + basePosition + "): " +
                    problem + "; later segments not checked");
                return false;
            }
            if (!segments.isEmpty() && index != segments.get(segments.size() - 1).index() + 1)
            {
                faults.add("segment file " + Segment.fileName(basePosition - size) + " is missing before " + file +
                    "; later segments not checked");
                return false;
            }
            segmentSize = size;
            segments.add(Segment.map(file, index, basePosition, true));
        }
        return false;
    }

    private static long firstExpectedSequence(final List<Segment> segments)
    {
        return segments.get(0).index() == 0 ? 1 : 0;
    }

    private static void unmapAll(final List<Segment> segments)
    {
        for (final Segment segment : segments)
        {
            segment.unmap();
        }
    }
}
