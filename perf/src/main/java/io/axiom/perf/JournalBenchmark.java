package io.axiom.perf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.axiom.journal.Journal;
import io.axiom.journal.JournalClaim;
import io.axiom.journal.JournalContext;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Journal append throughput with one flush (fsync) per batch, beside raw {@code FileChannel.write + force(false)}
 * of the same framed bytes in the same batches, measured in the same run in alternating trials.
 */
final class JournalBenchmark
{
    private static final int POOL = 3;

    private final int[] payloadSizes;
    private final int[] batchSizes;
    private final long trialMs;
    private final long warmupMs;
    private final int rounds;
    private final long segmentSize;
    private final boolean recycle;
    private final Path dir;

    JournalBenchmark(final Options options, final Path dir)
    {
        this.payloadSizes = options.integers("record-sizes", new int[]{128, 1024});
        this.batchSizes = options.integers("batch-sizes", new int[]{64, 1024});
        this.trialMs = (long)(options.decimal("duration-s", 4) * 1000);
        this.warmupMs = (long)(options.decimal("warmup-s", 1) * 1000);
        this.rounds = options.integer("rounds", 2);
        this.segmentSize = options.longValue("segment-size", JournalContext.MAX_SEGMENT_SIZE_DEFAULT);
        this.recycle = options.flag("recycle", false);
        this.dir = dir;
    }

    /**
     * Totals of one side (journal or raw) of one configuration over all its trials.
     */
    static final class Side
    {
        final Histogram batchNanos = new Histogram(60_000_000_000L, 3);
        final Histogram syncNanos = new Histogram(60_000_000_000L, 3);
        long records;
        long nanos;
        long rotations;

        double recordsPerSecond()
        {
            return records * 1e9 / nanos;
        }
    }

    /**
     * The clock of one trial: a warm-up that is not counted, then a measured window whose batches go into the side's
     * histograms and totals.
     */
    private final class Trial
    {
        private final Side side;
        private final long measureFrom;
        private final long endNs;
        private long records;
        private boolean measuring;
        long now;

        Trial(final Side side)
        {
            this.side = side;
            now = System.nanoTime();
            measureFrom = now + warmupMs * 1_000_000L;
            endNs = measureFrom + trialMs * 1_000_000L;
        }

        boolean running()
        {
            return now < endNs;
        }

        /**
         * @return true for the first batch of the measured window.
         */
        boolean batchDone(final long batchStart, final long syncStart, final int batch)
        {
            now = System.nanoTime();
            if (batchStart < measureFrom)
            {
                return false;
            }
            final boolean first = !measuring;
            if (first)
            {
                measuring = true;
                side.nanos -= batchStart;
            }
            side.batchNanos.recordValue(now - batchStart);
            side.syncNanos.recordValue(now - syncStart);
            records += batch;
            return first;
        }

        /**
         * @return true when any batch was measured (its totals are then added to the side).
         */
        boolean finish()
        {
            if (measuring)
            {
                side.nanos += now;
                side.records += records;
            }
            return measuring;
        }
    }

    void run(final Report report) throws IOException
    {
        report.line("Method: for each payload size and batch size, alternating trials (" + rounds + " rounds of raw, " +
            "journal, control), each " + warmupMs + " ms warm-up (not counted) + " + trialMs + " ms measured, one thread.")
            .line("- **journal**: per batch, `claim` + copy payload + `commit` (CRC32C, 32-byte header, 8-byte " +
                "alignment) into the journal's staging buffer for each record, then one `flush()` (`FileChannel.write` " +
                "of the batch + `force(false)`, i.e. fdatasync). Fresh data dir per trial, segment size " +
                (segmentSize >> 20) + " MiB: segment rotations happen inside the timed loop, as in production (the " +
                "next segment is zero-filled and fsynced ahead by the journal's preparer thread, whose I/O competes " +
                "with the appends; a rotation waits for it when appends outrun it)." + (recycle ? " **--recycle**: " +
                "before the trial " + POOL + " retired segments are put in the data dir's pool (written by a journal " +
                "beforehand, not timed), and inside the timed loop the oldest segment is retired (`retire`: rename " +
                "+ directory fsync) whenever more than 2 are in use, so every new segment is a recycled file (rename, " +
                "64-byte header, fsync) and nothing is zero-filled while measuring." : ""))
            .line("- **raw**: per batch, one `FileChannel.write` of the same framed bytes (batch x frame length) at " +
                "the next offset of a preallocated, zero-filled and fsynced " + (segmentSize >> 20) + " MiB file " +
                "(wrapping), then `force(false)` (fdatasync).")
            .line("- **control**: the journal's I/O pattern without the journal: copy the same framed bytes into a " +
                "mapped, preallocated, zero-filled and fsynced file (wrapping), then `MappedByteBuffer.force(off, " +
                "len)` (msync) of the batch's range. Kept to show why the journal appends with write + fdatasync rather " +
                "than through its mapping: on this file system msync costs about twice an fdatasync of the same range.")
            .line("- MB/s counts framed bytes (header + payload + padding), MB = 10^6 bytes. ratio = journal " +
                "records/s / raw records/s. Target >= 0.8.")
            .blank();

        final StringBuilder table = new StringBuilder()
            .append("| payload B | frame B | records/batch | raw records/s | raw MB/s | journal records/s | " +
                "journal MB/s | ratio | rotations | control: mmap+msync records/s (vs raw) |\n" +
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        final StringBuilder rotatingTable = new StringBuilder()
            .append("| payload B | frame B | records/batch | raw rotating records/s | raw rotating MB/s | " +
                "journal records/s | journal MB/s | ratio | raw rotations |\n" +
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        final StringBuilder latency = new StringBuilder(Report.LATENCY_HEADER);
        final StringBuilder sync = new StringBuilder(Report.LATENCY_HEADER);
        for (final int payload : payloadSizes)
        {
            for (final int batch : batchSizes)
            {
                final int frame = align(Journal.HEADER_LENGTH + payload);
                final Side raw = new Side();
                final Side journal = new Side();
                final Side mapped = new Side();
                final Side rawFiles = new Side();
                for (int round = 0; round < rounds; round++)
                {
                    rawTrial(payload, frame, batch, raw);
                    journalTrial(payload, batch, journal);
                    mappedTrial(payload, frame, batch, mapped);
                    if (recycle)
                    {
                        rawRotatingTrial(frame, batch, rawFiles);
                    }
                }
                final double rawMb = raw.recordsPerSecond() * frame / 1e6;
                final double journalMb = journal.recordsPerSecond() * frame / 1e6;
                final String row = "| " + payload + " | " + frame + " | " + batch +
                    " | " + Report.num(raw.recordsPerSecond()) + " | " + Report.dec(rawMb, 1) +
                    " | " + Report.num(journal.recordsPerSecond()) + " | " + Report.dec(journalMb, 1) +
                    " | **" + Report.dec(journal.recordsPerSecond() / raw.recordsPerSecond(), 2) + "** | " +
                    journal.rotations + " | " + Report.num(mapped.recordsPerSecond()) + " (" +
                    Report.dec(mapped.recordsPerSecond() / raw.recordsPerSecond(), 2) + ") |\n";
                table.append(row);
                System.out.print("[journal] " + row);
                if (recycle)
                {
                    final String rotating = "| " + payload + " | " + frame + " | " + batch + " | " +
                        Report.num(rawFiles.recordsPerSecond()) + " | " +
                        Report.dec(rawFiles.recordsPerSecond() * frame / 1e6, 1) + " | " +
                        Report.num(journal.recordsPerSecond()) + " | " + Report.dec(journalMb, 1) + " | **" +
                        Report.dec(journal.recordsPerSecond() / rawFiles.recordsPerSecond(), 2) + "** | " +
                        rawFiles.rotations + " |\n";
                    rotatingTable.append(rotating);
                    System.out.print("[journal vs raw rotating] " + rotating);
                }
                latency.append(Report.latencyRow("raw write+force, " + payload + " B x " + batch, raw.batchNanos));
                latency.append(Report.latencyRow("journal batch+flush, " + payload + " B x " + batch,
                    journal.batchNanos));
                latency.append(Report.latencyRow("control mmap copy+msync, " + payload + " B x " + batch,
                    mapped.batchNanos));
                sync.append(Report.latencyRow("raw force(false), " + payload + " B x " + batch, raw.syncNanos));
                sync.append(Report.latencyRow("journal flush(), " + payload + " B x " + batch, journal.syncNanos));
                sync.append(Report.latencyRow("control msync, " + payload + " B x " + batch, mapped.syncNanos));
            }
        }
        report.raw(table.toString()).blank();
        if (recycle)
        {
            report.line("**raw rotating** (--recycle): the journal's file pattern without the journal: " + (POOL + 1) +
                " files of " + (segmentSize >> 20) + " MiB preallocated before the trial (zero-filled, fsynced, not " +
                "timed, as the journal's pool), each batch one `FileChannel.write` at the next offset of the current " +
                "file, never wrapping, then `force(false)`; when a file is full the next one in turn is installed as " +
                "the journal installs a recycled segment (rename, 64-byte header write, `force(false)`, directory " +
                "fsync), inside the timed loop.")
                .blank()
                .raw(rotatingTable.toString()).blank();
        }
        report.line("Time per batch (all records of the batch appended + its one fsync), over all measured trials:")
            .blank()
            .raw(latency.toString()).blank()
            .line("Of which the sync call alone (raw: `force(false)`; journal: `flush()`, which includes nothing " +
                "else; control: `MappedByteBuffer.force(off, len)`):")
            .blank()
            .raw(sync.toString()).blank();
    }

    private void journalTrial(final int payload, final int batch, final Side side) throws IOException
    {
        final Path trialDir = Files.createTempDirectory(dir, "journal-");
        if (recycle)
        {
            fillPool(trialDir);
        }
        final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(payload));
        for (int i = 0; i < payload; i++)
        {
            src.putByte(i, (byte)(i * 31));
        }
        final JournalClaim claim = new JournalClaim();
        try (Journal journal = Journal.open(new JournalContext()
            .dataDir(trialDir).maxSegmentSize(segmentSize).fsync(true).conclude()))
        {
            final Trial trial = new Trial(side);
            int segmentsAtStart = -1;
            while (trial.running())
            {
                final long batchStart = trial.now;
                for (int i = 0; i < batch; i++)
                {
                    journal.claim(payload, 1, 1, batchStart, claim);
                    claim.buffer().putBytes(claim.offset(), src, 0, payload);
                    claim.commit();
                    journal.endUnit(); // one-record units: the commit mark costs one more CRC32C of the record
                }
                final long flushStart = System.nanoTime();
                journal.flush();
                if (recycle && journal.segmentCount() > 2)
                {
                    journal.retire(journal.firstSegmentIndex());
                }
                if (trial.batchDone(batchStart, flushStart, batch))
                {
                    segmentsAtStart = journal.segmentCount() + journal.firstSegmentIndex();
                }
            }
            if (trial.finish())
            {
                side.rotations += journal.segmentCount() + journal.firstSegmentIndex() - segmentsAtStart;
            }
        }
        finally
        {
            deleteTree(trialDir);
        }
    }

    /**
     * Put {@link #POOL} retired segment files into trialDir's pool: segments written by a journal in a side
     * directory, renamed {@code name.wal.free}, as {@link Journal#retire} leaves them.
     */
    private void fillPool(final Path trialDir) throws IOException
    {
        final Path old = Files.createTempDirectory(dir, "retired-");
        final int payload = 64 * 1024 - Journal.HEADER_LENGTH;
        final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(payload));
        try (Journal journal = Journal.open(new JournalContext()
            .dataDir(old).maxSegmentSize(segmentSize).fsync(true).conclude()))
        {
            while (journal.segmentCount() <= POOL)
            {
                journal.append(1, 1, 0, src, 0, payload);
            }
            journal.flush();
        }
        try (var files = Files.list(old))
        {
            for (final Path file : files.filter((f) -> f.getFileName().toString().endsWith(".wal")).toList())
            {
                Files.move(file, trialDir.resolve(file.getFileName() + ".free"));
            }
        }
        deleteTree(old);
    }

    private void rawTrial(final int payload, final int frame, final int batch, final Side side) throws IOException
    {
        final Path file = Files.createTempFile(dir, "raw-", ".dat");
        final int batchBytes = frame * batch;
        final ByteBuffer buffer = ByteBuffer.allocateDirect(batchBytes);
        for (int i = 0; i < batchBytes; i++)
        {
            buffer.put(i, (byte)(i * 31));
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            FsyncProbe.preallocate(channel, segmentSize);
            final long limit = segmentSize - batchBytes;
            long offset = 0;
            final Trial trial = new Trial(side);
            while (trial.running())
            {
                final long batchStart = trial.now;
                buffer.clear();
                while (buffer.hasRemaining())
                {
                    channel.write(buffer, offset + buffer.position());
                }
                final long forceStart = System.nanoTime();
                channel.force(false);
                offset += batchBytes;
                if (offset > limit)
                {
                    offset = 0;
                }
                trial.batchDone(batchStart, forceStart, batch);
            }
            trial.finish();
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Raw baseline with the journal's file reuse: files used in turn, each written from its start to its end (no
     * wrapping inside one file), a rotation doing what installing a recycled segment does.
     */
    private void rawRotatingTrial(final int frame, final int batch, final Side side) throws IOException
    {
        final Path trialDir = Files.createTempDirectory(dir, "raw-rotating-");
        final int batchBytes = frame * batch;
        final ByteBuffer buffer = ByteBuffer.allocateDirect(batchBytes);
        for (int i = 0; i < batchBytes; i++)
        {
            buffer.put(i, (byte)(i * 31));
        }
        final ByteBuffer header = ByteBuffer.allocateDirect(Journal.SEGMENT_HEADER_LENGTH);
        final int files = POOL + 1;
        final Path[] names = new Path[files];
        try
        {
            for (int i = 0; i < files; i++)
            {
                names[i] = trialDir.resolve("file-" + i + ".free");
                try (FileChannel channel = FileChannel.open(names[i], StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ, StandardOpenOption.WRITE))
                {
                    FsyncProbe.preallocate(channel, segmentSize);
                }
            }
            int currentIndex = 0;
            Path current = trialDir.resolve("current-0");
            Files.move(names[0], current);
            FileChannel channel = FileChannel.open(current, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long offset = Journal.SEGMENT_HEADER_LENGTH;
            long rotations = 0;
            long rotationsAtStart = 0;
            final Trial trial = new Trial(side);
            try
            {
                while (trial.running())
                {
                    final long batchStart = trial.now;
                    if (offset + batchBytes > segmentSize)
                    {
                        channel.close();
                        Files.move(current, names[currentIndex]); // back to the pool, as retire does
                        currentIndex = (currentIndex + 1) % files;
                        current = trialDir.resolve("current-" + rotations);
                        Files.move(names[currentIndex], current);
                        channel = FileChannel.open(current, StandardOpenOption.READ, StandardOpenOption.WRITE);
                        header.clear();
                        while (header.hasRemaining())
                        {
                            channel.write(header, header.position());
                        }
                        channel.force(false);
                        try (FileChannel directory = FileChannel.open(trialDir, StandardOpenOption.READ))
                        {
                            directory.force(true);
                        }
                        offset = Journal.SEGMENT_HEADER_LENGTH;
                        rotations++;
                    }
                    buffer.clear();
                    while (buffer.hasRemaining())
                    {
                        channel.write(buffer, offset + buffer.position());
                    }
                    final long forceStart = System.nanoTime();
                    channel.force(false);
                    offset += batchBytes;
                    if (trial.batchDone(batchStart, forceStart, batch))
                    {
                        rotationsAtStart = rotations;
                    }
                }
            }
            finally
            {
                channel.close();
            }
            if (trial.finish())
            {
                side.rotations += rotations - rotationsAtStart;
            }
        }
        finally
        {
            deleteTree(trialDir);
        }
    }

    /**
     * Control: the journal's I/O pattern without the journal: copy the same framed bytes into a mapped, preallocated
     * file (wrapping) and {@code MappedByteBuffer.force(offset, length)} the batch's range.
     */
    private void mappedTrial(final int payload, final int frame, final int batch, final Side side) throws IOException
    {
        final Path file = Files.createTempFile(dir, "mapped-", ".dat");
        final int batchBytes = frame * batch;
        final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(batchBytes));
        for (int i = 0; i < batchBytes; i++)
        {
            src.putByte(i, (byte)(i * 31));
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            FsyncProbe.preallocate(channel, segmentSize);
            final java.nio.MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, segmentSize);
            final UnsafeBuffer out = new UnsafeBuffer(mapped);
            final int limit = (int)(segmentSize - batchBytes);
            int offset = 0;
            final Trial trial = new Trial(side);
            while (trial.running())
            {
                final long batchStart = trial.now;
                for (int i = 0; i < batch; i++)
                {
                    out.putBytes(offset + i * frame, src, i * frame, frame);
                }
                final long forceStart = System.nanoTime();
                mapped.force(offset, batchBytes);
                offset += batchBytes;
                if (offset > limit)
                {
                    offset = 0;
                }
                trial.batchDone(batchStart, forceStart, batch);
            }
            trial.finish();
            org.agrona.IoUtil.unmap(mapped);
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    static int align(final int length)
    {
        return (length + Journal.ALIGNMENT - 1) & -Journal.ALIGNMENT;
    }

    static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (var paths = Files.walk(root))
        {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach((p) ->
            {
                try
                {
                    Files.deleteIfExists(p);
                }
                catch (final IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
            });
        }
    }
}
