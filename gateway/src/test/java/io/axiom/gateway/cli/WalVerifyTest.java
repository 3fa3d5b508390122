package io.axiom.gateway.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.AxiomMain;
import io.axiom.journal.Journal;
import io.axiom.journal.JournalClaim;
import io.axiom.journal.JournalContext;
import io.axiom.journal.SegmentArchive;
import io.axiom.journal.SnapshotStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code axiom wal verify} never says OK for a directory start-up would refuse or cut: no journal at all, a torn
 * tail (an incomplete unit), a missing first segment.
 */
class WalVerifyTest
{
    @TempDir
    Path dir;

    private record Run(int code, String out, String err)
    {
    }

    private static Run verify(final Path data)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = AxiomMain.execute(Map.of(), new PrintWriter(out), new PrintWriter(err),
            "wal", "verify", "--data-dir", data.toString());
        return new Run(code, out.toString(), err.toString());
    }

    private static Journal open(final Path data)
    {
        return Journal.open(new JournalContext().dataDir(data).maxSegmentSize(64 * 1024).fsync(false));
    }

    @Test
    void directoryWithoutSegmentsIsNoJournal() throws Exception
    {
        Files.createDirectories(dir.resolve("empty"));
        final Run run = verify(dir.resolve("empty"));
        assertEquals(AxiomMain.EXIT_FAILED, run.code(), run.toString());
        assertTrue(run.err().contains("no journal in " + dir.resolve("empty")) &&
            run.err().contains("no segment files"), run.err());
    }

    /**
     * Segments retired by retention: verify checks the archives and says so, with each segment's generation; a
     * missing archive is a fault; dump reads through them; {@code --archive-dir} finds them elsewhere.
     */
    @Test
    void anArchivedPrefixIsVerifiedAndDumped() throws Exception
    {
        final Path data = dir.resolve("data");
        long records = 0;
        try (Journal journal = open(data))
        {
            while (journal.currentSegmentIndex() < 4)
            {
                journal.append(1, 1, 1, new UnsafeBuffer(new byte[1000]), 0, 1000);
                records++;
            }
            journal.flush();
            for (int i = 0; i < 2; i++)
            {
                SegmentArchive.write(journal.sealed(i), journal.archiveDir(), true, false);
                journal.retire(i);
            }
        }
        final Run run = verify(data);
        assertEquals(AxiomMain.EXIT_OK, run.code(), run.toString());
        assertTrue(run.out().contains("archived: 2 in ") && run.out().contains("00000000000000000000.wal.z index=0") &&
            run.out().contains("generation=0") && run.out().trim().endsWith("OK"), run.out());

        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        assertEquals(AxiomMain.EXIT_OK, AxiomMain.execute(Map.of(), new PrintWriter(out), new PrintWriter(err),
            "wal", "dump", "--data-dir", data.toString()));
        assertEquals(records, out.toString().lines().count(), err.toString());
        assertTrue(out.toString().startsWith("pos=64 seq=1 ") &&
            err.toString().contains("archived 00000000000000000000.wal.z"), err.toString());

        final Path moved = dir.resolve("elsewhere");
        Files.move(data.resolve("archive"), moved);
        final Run missing = verify(data);
        assertEquals(AxiomMain.EXIT_FAILED, missing.code(), missing.toString());
        assertTrue(missing.out().contains("00000000000000000000.wal is missing"), missing.out());
        final StringWriter out2 = new StringWriter();
        assertEquals(AxiomMain.EXIT_OK, AxiomMain.execute(Map.of(), new PrintWriter(out2),
            new PrintWriter(new StringWriter()), "wal", "verify", "--data-dir", data.toString(), "--archive-dir",
            moved.toString()), out2.toString());
    }

    @Test
    void incompleteLastUnitIsATornTailNotOk()
    {
        final Path data = dir.resolve("data");
        try (Journal journal = open(data))
        {
            journal.append(1, 1, 1, new UnsafeBuffer(new byte[8]), 0, 8);
            journal.flush();
            final JournalClaim claim = new JournalClaim();
            journal.claim(20_000, 1, 1, 2, claim); // larger than the staging buffer: in the file before its unit ends
            claim.commit();
        }
        final Run run = verify(data);
        assertEquals(WalCommand.Verify.EXIT_TORN_TAIL, run.code(), run.toString());
        assertTrue(run.out().contains("torn tail: yes") && run.out().contains("1 record(s) of an incomplete unit") &&
            run.out().trim().endsWith("TORN TAIL") && !run.out().contains("\nOK"), run.out());
        try (Journal journal = open(data))
        {
            assertEquals(1, journal.recordCount());
        }
        final Run after = verify(data);
        assertEquals(AxiomMain.EXIT_OK, after.code(), after.toString());
        assertTrue(after.out().trim().endsWith("OK"), after.out());
    }

    @Test
    void missingFirstSegmentIsCorrupt() throws Exception
    {
        final Path data = dir.resolve("data");
        try (Journal journal = open(data))
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[4000]);
            while (journal.segmentCount() < 3)
            {
                journal.append(1, 1, 1, payload, 0, 4000);
            }
        }
        Files.delete(data.resolve(String.format("%020d.wal", 0)));
        final Run run = verify(data);
        assertEquals(AxiomMain.EXIT_FAILED, run.code(), run.toString());
        assertTrue(run.out().contains("00000000000000000000.wal is missing") && run.out().trim().endsWith("CORRUPT"),
            run.out());
    }

    @Test
    void corruptionBeforeTheStartUpSnapshotDoesNotStopStartUpButVerifyFails() throws Exception
    {
        final Path data = dir.resolve("data");
        final long recordPosition;
        try (Journal journal = open(data))
        {
            recordPosition = journal.append(1, 1, 1, new UnsafeBuffer(new byte[100]), 0, 100);
            for (int i = 0; i < 2_000; i++)
            {
                journal.append(1, 1, 1, new UnsafeBuffer(new byte[100]), 0, 100);
            }
            journal.flush();
            new SnapshotStore(data, 2).write(journal.endPosition(), journal.lastPosition(), journal.lastSequence(),
                journal.lastChecksum(), new UnsafeBuffer(new byte[] {1}), 0, 1);
        }
        final Path segment = data.resolve(String.format("%020d.wal", 0));
        final byte[] bytes = Files.readAllBytes(segment);
        bytes[(int)recordPosition + 40] ^= 0x08;
        Files.write(segment, bytes);

        try (Journal journal = Journal.open(new JournalContext().dataDir(data).maxSegmentSize(64 * 1024)
            .fsync(false).startFromSnapshot(true)))
        {
            assertTrue(journal.checkedFromPosition() > 64 * 1024, "start-up checked only after the snapshot");
        }
        final Run run = verify(data);
        assertEquals(AxiomMain.EXIT_FAILED, run.code(), run.toString());
        assertTrue((run.out() + run.err()).contains(segment.toString()) &&
            (run.out() + run.err()).contains("record checksum mismatch"), run.toString());
    }
}
