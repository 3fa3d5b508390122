package io.axiom.core;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.StepSpec;
import io.axiom.journal.BackgroundVerifier;
import io.axiom.journal.JournalCorruptionException;
import io.axiom.journal.JournalInspector;
import io.axiom.journal.SnapshotStore;
import io.axiom.journal.VerifyReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bounded start-up through the engine: with snapshots on, start-up checks the log only after the newest bound
 * snapshot; the segments before it are verified in the background after the engine is ready, and corruption found
 * there is reported without stopping the engine, while the same corruption after the snapshot still refuses.
 */
class BoundedStartupTest
{
    private static final long SEGMENT = 64 * 1024;
    private static final long AWAIT_MS = 60_000;

    @TempDir
    Path dir;

    private Engine launch(final int snapshotRetain)
    {
        final Engine engine = Engine.launch(new EngineContext()
            .dataDir(dir)
            .maxSegmentSize(SEGMENT)
            .fsync(false)
            .snapshotIntervalEvents(500)
            .snapshotRetain(snapshotRetain)
            .epochClock(() -> EngineFixture.START_MS));
        EngineFixture.await("ready or failed", () -> engine.isReady() || null != engine.failure());
        return engine;
    }

    /**
     * Many segments of history, then a shutdown snapshot: returns the digest of the state.
     */
    private long history()
    {
        final Engine engine = launch(2);
        for (int i = 0; i < 700; i++)
        {
            final EngineReply reply = engine.client().create(new CreateWorkflow("w" + i,
                List.of(StepSpec.approval("A"), StepSpec.approval("B")),
                ("{\"i\":" + i + ",\"pad\":\"" + "x".repeat(120) + "\"}").getBytes(StandardCharsets.UTF_8), null),
                TIMEOUT);
            assertInstanceOf(EngineReply.Workflow.class, reply, reply.toString());
            if (i % 2 == 0)
            {
                engine.client().advance(i + 1, null, "{\"ok\":1}".getBytes(StandardCharsets.UTF_8), TIMEOUT);
            }
        }
        engine.close();
        assertTrue(segments().size() >= 5, "several segments: " + segments());
        return engine.digestAfterClose();
    }

    private List<Path> segments()
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(f -> f.getFileName().toString().endsWith(".wal")).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /**
     * Flip a payload byte of the record at file offset 64 of a segment (its first record).
     */
    private static void damageFirstRecord(final Path segment) throws IOException
    {
        damage(segment, 64);
    }

    /**
     * Flip a payload byte of the record at a file offset.
     */
    private static void damage(final Path segment, final long offset) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw"))
        {
            final long at = offset + 32 + 4;
            file.seek(at);
            final int b = file.read();
            file.seek(at);
            file.write(b ^ 0x20);
        }
    }

    private static BackgroundVerifier awaitCheck(final Engine engine) throws InterruptedException
    {
        final BackgroundVerifier check = engine.counters().backgroundVerifier();
        assertNotNull(check, "a background check runs after a start from a snapshot");
        assertTrue(check.await(AWAIT_MS), check.toString());
        return check;
    }

    @Test
    void startUpFromTheSnapshotSameStateAndTheBackgroundCheckVerifiesTheRest() throws Exception
    {
        final long digest = history();
        final Engine engine = launch(2);
        assertTrue(engine.isReady());
        final long from = engine.counters().recoveredFromPosition();
        assertTrue(from / SEGMENT >= 4, "the snapshot lies segments in: " + from);
        assertTrue(engine.counters().recoveryReport().notes().stream()
            .anyMatch(note -> note.contains("checks the log record by record from position " + from)),
            engine.counters().recoveryReport().notes().toString());
        final BackgroundVerifier check = awaitCheck(engine);
        assertEquals(BackgroundVerifier.State.VERIFIED, check.state(), check.toString());
        assertEquals(from / SEGMENT + 1, check.segmentsTotal());
        assertEquals(check.segmentsTotal(), check.segmentsVerified());
        engine.close();
        assertEquals(digest, engine.digestAfterClose(), "snapshot + tail, the same state");
    }

    @Test
    void corruptionBeforeTheSnapshotIsReportedAndTheEngineGoesOn() throws Exception
    {
        final long digest = history();
        damageFirstRecord(segments().get(1));

        final Engine engine = launch(2);
        assertTrue(engine.isReady(), "start-up never reads the damaged record");
        final BackgroundVerifier check = awaitCheck(engine);
        assertEquals(BackgroundVerifier.State.CORRUPT, check.state(), check.toString());
        assertEquals(1, check.faults());
        assertTrue(check.firstFault().contains(segments().get(1).toString()) &&
            check.firstFault().contains("record checksum mismatch"), check.firstFault());
        assertInstanceOf(EngineReply.Workflow.class, engine.client().create(new CreateWorkflow("after",
            List.of(StepSpec.approval("A")), "{}".getBytes(StandardCharsets.UTF_8), null), TIMEOUT));
        engine.close();
        assertNull(engine.failure());

        final VerifyReport verify = JournalInspector.verify(dir);
        assertFalse(verify.ok(), "wal verify checks everything: " + verify);

        // without snapshots every record is checked at start-up: the same damage refuses
        final Engine full = launch(0);
        assertFalse(full.isReady(), "a full check refuses");
        assertInstanceOf(JournalCorruptionException.class, full.failure(), String.valueOf(full.failure()));
        full.close();
        assertTrue(digest != 0);
    }

    @Test
    void corruptionAfterTheSnapshotStillRefuses() throws Exception
    {
        history();
        // without the shutdown snapshot the newest is a periodic one, with records after it
        final List<Path> snapshots = new SnapshotStore(dir, 2).list();
        assertEquals(2, snapshots.size(), snapshots.toString());
        Files.delete(snapshots.get(1));
        final long from = Long.parseLong(snapshots.get(0).getFileName().toString().replaceAll("\\D", ""));
        Path segment = dir.resolve(String.format("%020d.wal", from / SEGMENT * SEGMENT));
        long offset = from % SEGMENT;
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "r"))
        {
            file.seek(offset);
            if (offset > SEGMENT - 32 || 0 == Integer.reverseBytes(file.readInt()))
            {
                segment = dir.resolve(String.format("%020d.wal", (from / SEGMENT + 1) * SEGMENT));
                offset = 64;
            }
        }
        damage(segment, offset);

        final Engine engine = launch(2);
        assertFalse(engine.isReady(), "damage after the snapshot position refuses");
        assertInstanceOf(JournalCorruptionException.class, engine.failure(), String.valueOf(engine.failure()));
        assertEquals(from / SEGMENT * SEGMENT + (segment.getFileName().toString().equals(
            String.format("%020d.wal", from / SEGMENT * SEGMENT)) ? offset : SEGMENT + 64),
            ((JournalCorruptionException)engine.failure()).position());
        engine.close();
    }
}
