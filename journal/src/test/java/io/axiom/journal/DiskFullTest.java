package io.axiom.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.journal.TestRecord.appendUnit;
import static io.axiom.journal.TestRecord.replayAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full disk is an outage of writes, not of the process: {@link Journal#ensureRoom(int)} says false before anything
 * is written, the journal stays usable (reads, replay, units that fit), leaves no partial file, reports FULL, and
 * comes back by itself once space is freed. Once through an injected disk (runs everywhere), once on a real, small,
 * filled tmpfs (needs permission to mount; skipped with a message otherwise).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DiskFullTest
{
    private static final long SEGMENT = 64 * 1024;
    private static final int[] UNIT = {3000, 2000, 1000};
    private static final int UNIT_BYTES = unitBytes(UNIT);

    @TempDir
    Path dir;

    /**
     * A disk whose usable space and write errors the test sets.
     */
    static final class InjectedDisk implements DiskProbe
    {
        volatile long usable = Long.MAX_VALUE / 2;
        volatile boolean failWrites;
        volatile int failedWrites;

        public long usableBytes()
        {
            return usable;
        }

        public void beforeSegmentWrite(final Path file, final long fileOffset, final int length) throws IOException
        {
            if (failWrites)
            {
                // the file exists by now (created empty): the failure must remove it
                failedWrites++;
                throw new IOException("No space left on device (injected at offset " + fileOffset + " of " +
                    file.getFileName() + ")");
            }
        }
    }

    private static int unitBytes(final int... lengths)
    {
        int bytes = 0;
        for (final int length : lengths)
        {
            bytes += Journal.alignedFrameLength(length);
        }
        return bytes;
    }

    private static List<Path> debris(final Path dataDir)
    {
        final List<Path> files = new ArrayList<>(SegmentFiles.listTemp(dataDir));
        files.addAll(SegmentFiles.listPrepared(dataDir));
        return files;
    }

    private static void awaitNoDebris(final Path dataDir)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<Path> left;
        while (!(left = debris(dataDir)).isEmpty())
        {
            assertTrue(System.nanoTime() < deadline, "partial files stayed: " + left);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    private static void awaitPrepared(final Journal journal)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!journal.preparer().hasReady())
        {
            assertTrue(System.nanoTime() < deadline, "no segment prepared: " + journal.preparer().failure());
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void injectedFullDiskRefusesBeforeWritingAndComesBack()
    {
        final InjectedDisk disk = new InjectedDisk();
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = Journal.open(
            new JournalContext().dataDir(dir).maxSegmentSize(SEGMENT).fsync(false).diskProbe(disk)))
        {
            assertEquals(StorageStatus.OK, journal.storageState().status(), journal.storageState().detail());
            written.addAll(appendUnit(journal, 1, UNIT));
            awaitPrepared(journal);
            disk.usable = SEGMENT / 2;

            // the prepared segment still serves one rotation; after it the writer warns ahead
            while (journal.segmentCount() == 1)
            {
                assertTrue(journal.ensureRoom(UNIT_BYTES));
                written.addAll(appendUnit(journal, written.size(), UNIT));
            }
            assertEquals(StorageStatus.LOW, journal.storageState().status(), journal.storageState().detail());

            int units = 0;
            while (journal.ensureRoom(UNIT_BYTES))
            {
                written.addAll(appendUnit(journal, written.size(), UNIT));
                assertTrue(++units < 100, "a full disk never refused");
            }
            journal.flush();
            final StorageState full = journal.storageState();
            assertEquals(StorageStatus.FULL, full.status(), full.detail());
            assertTrue(full.detail().contains("below one segment") && full.detail().contains(dir.toString()),
                full.detail());
            assertEquals(2, journal.segmentCount(), "nothing changed");
            assertEquals(written, replayAll(journal), "reads and replay still work");
            assertEquals(List.of(), debris(dir));
            assertFalse(journal.ensureRoom(UNIT_BYTES), "still full");

            // a unit that fits the rest of the segment still goes in; a claim that would rotate fails cleanly
            final long position = journal.nextPosition();
            assertTrue(journal.ensureRoom(Journal.alignedFrameLength(10)));
            written.addAll(appendUnit(journal, written.size(), 10));
            final UncheckedIOException ex = assertThrows(UncheckedIOException.class,
                () -> journal.claim((int)SEGMENT / 2, 1, 1, 1, new JournalClaim()));
            assertTrue(ex.getMessage().contains("no new segment"), ex.getMessage());
            assertEquals(position + Journal.alignedFrameLength(10), journal.nextPosition());
            journal.flush();

            // space back, but the creation fails part way (ENOSPC from write): still FULL, no partial file
            disk.failWrites = true;
            disk.usable = 100 * SEGMENT;
            assertFalse(journal.ensureRoom(UNIT_BYTES));
            assertEquals(StorageStatus.FULL, journal.storageState().status());
            assertTrue(journal.storageState().detail().contains("No space left on device (injected"),
                journal.storageState().detail());
            assertTrue(disk.failedWrites > 0);
            // the preparer tries again every second: a retry may be writing its file right now (and deletes it when
            // its write fails), so what must hold is that no partial file stays
            awaitNoDebris(dir);
            assertEquals(written, replayAll(journal));

            disk.failWrites = false;
            assertTrue(journal.ensureRoom(UNIT_BYTES), "space is back");
            assertEquals(StorageStatus.OK, journal.storageState().status(), journal.storageState().detail());
            written.addAll(appendUnit(journal, written.size(), UNIT));
            journal.flush();
        }
        try (Journal journal = TestRecord.open(dir, SEGMENT))
        {
            assertEquals(written, replayAll(journal), "nothing lost");
            assertEquals(-1, journal.recoveryReport().truncatedAtPosition());
        }
    }

    @Test
    void realFullTmpfsRefusesBeforeWritingAndComesBack() throws Exception
    {
        final Path mount = dir.resolve("tmpfs");
        Files.createDirectories(mount);
        final String mounted = run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString());
        Assumptions.assumeTrue(null == mounted, "skipped: cannot mount a small tmpfs to fill up (needs root or " +
            "CAP_SYS_ADMIN; CI runs as root): " + mounted);
        try
        {
            fillRealDisk(mount);
        }
        finally
        {
            final String unmounted = run("umount", "-l", mount.toString());
            assertEquals(null, unmounted, "umount " + mount);
        }
    }

    private static void fillRealDisk(final Path mount) throws IOException
    {
        final long segment = 128 * 1024;
        final Path data = mount.resolve("data");
        final Path filler = mount.resolve("filler");
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = Journal.open(new JournalContext().dataDir(data).maxSegmentSize(segment)))
        {
            written.addAll(appendUnit(journal, 1, UNIT));
            journal.flush();
            awaitPrepared(journal);
            fill(filler);

            int units = 0;
            while (journal.ensureRoom(UNIT_BYTES))
            {
                written.addAll(appendUnit(journal, written.size(), UNIT));
                journal.flush();
                assertTrue(++units < 200, "a full tmpfs never refused");
            }
            assertEquals(StorageStatus.FULL, journal.storageState().status(), journal.storageState().detail());
            assertEquals(written, replayAll(journal), "reads and replay still work");
            assertEquals(List.of(), debris(data));
            assertEquals(0, journal.flush());

            Files.delete(filler);
            assertTrue(journal.ensureRoom(UNIT_BYTES), "space is back: " + journal.storageState().detail());
            assertTrue(journal.storageState().status() != StorageStatus.FULL, journal.storageState().detail());
            for (int i = 0; i < 3; i++)
            {
                assertTrue(journal.ensureRoom(UNIT_BYTES));
                written.addAll(appendUnit(journal, written.size(), UNIT));
            }
            journal.flush();
        }
        try (Journal journal = Journal.open(new JournalContext().dataDir(data).maxSegmentSize(segment)))
        {
            assertEquals(written, replayAll(journal), "nothing lost");
            assertEquals(-1, journal.recoveryReport().truncatedAtPosition());
        }
        assertTrue(JournalInspector.verify(data).ok());
    }

    /**
     * Write zeros to file until the file system refuses.
     */
    private static void fill(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            final ByteBuffer chunk = ByteBuffer.allocate(4096);
            while (true)
            {
                chunk.clear();
                channel.write(chunk);
            }
        }
        catch (final IOException ex)
        {
            if (!String.valueOf(ex.getMessage()).contains("No space left"))
            {
                throw ex;
            }
        }
    }

    /**
     * @return null when the command succeeded, else its output and exit code.
     */
    private static String run(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return String.join(" ", command) + " timed out";
            }
            return 0 == process.exitValue() ? null :
                String.join(" ", command) + " exited " + process.exitValue() + ": " + output.trim();
        }
        catch (final IOException | InterruptedException ex)
        {
            return String.join(" ", command) + " failed: " + ex;
        }
    }
}
