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
