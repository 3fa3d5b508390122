package io.axiom.perf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.HdrHistogram.Histogram;

/**
 * The floor of one durable step on this disk: a 4 KiB {@code FileChannel.write} plus {@code force(false)} in a loop,
 * at successive offsets of a preallocated file, each timed into a histogram.
 */
final class FsyncProbe
{
    static final int BLOCK = 4096;
    static final long FILE_SIZE = 64L * 1024 * 1024;

    private FsyncProbe()
    {
    }

    /**
     * @param dir       where to put the probe file (deleted afterwards).
     * @param durationMs how long to probe.
     * @param into      histogram of write+force nanos.
     */
    static void run(final Path dir, final long durationMs, final Histogram into) throws IOException
    {
        final Path file = dir.resolve("fsync-probe.dat");
        try (FileChannel channel = FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            preallocate(channel, FILE_SIZE);
            final ByteBuffer block = ByteBuffer.allocateDirect(BLOCK);
            for (int i = 0; i < BLOCK; i++)
            {
                block.put(i, (byte)i);
            }
            long offset = 0;
            final long end = System.nanoTime() + durationMs * 1_000_000L;
            long now;
            do
            {
                final long start = System.nanoTime();
                block.clear();
                while (block.hasRemaining())
                {
                    channel.write(block, offset + block.position());
                }
                channel.force(false);
                now = System.nanoTime();
                into.recordValue(now - start);
                offset += BLOCK;
                if (offset >= FILE_SIZE)
                {
                    offset = 0;
                }
            }
            while (now < end);
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Write real zero blocks over the whole file and force them, so that timed writes overwrite allocated blocks.
     */
    static void preallocate(final FileChannel channel, final long size) throws IOException
    {
        final ByteBuffer zeros = ByteBuffer.allocateDirect(1024 * 1024);
        long written = 0;
        while (written < size)
        {
            zeros.clear().limit((int)Math.min(zeros.capacity(), size - written));
            while (zeros.hasRemaining())
            {
                written += channel.write(zeros, written);
            }
        }
        channel.force(true);
    }
}
