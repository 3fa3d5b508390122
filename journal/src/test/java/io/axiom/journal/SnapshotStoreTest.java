package io.axiom.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.journal.TestRecord.append;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotStoreTest
{
    private static final long SEGMENT = 64 * 1024;

    @TempDir
    Path dir;

    static Path snapshot(final SnapshotStore store, final Journal journal, final byte[] state)
    {
        journal.flush();
        return store.write(journal.endPosition(), journal.lastPosition(), journal.lastSequence(),
            journal.lastChecksum(), new UnsafeBuffer(state), 0, state.length);
    }

    @Test
    void streamedPiecesMakeOneSnapshotAndNothingIsVisibleBeforeCommit() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir, 2);
        try (Journal journal = TestRecord.open(dir, SEGMENT))
        {
            append(journal, 1, 10, 1, 1);
            journal.flush();
            final SnapshotStore.Output output = store.begin(
                journal.endPosition(), journal.lastPosition(), journal.lastSequence(), journal.lastChecksum());
            output.append(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            final ByteBuffer direct = ByteBuffer.allocateDirect(2).put((byte)4).put((byte)5).flip();
            output.append(direct);
            assertEquals(5, output.length());
            assertEquals(List.of(), store.list(), "a snapshot being streamed is only a temp file");
            assertEquals(1, listTmp().size());
            output.commit();
            assertEquals(List.of(), listTmp());
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, store.select(journal, false).snapshot().payload());

            // A crash while streaming leaves a temp file, removed at the next start; abort removes it at once.
            append(journal, 1, 20, 1, 2);
            journal.flush();
            store.begin(journal.endPosition(), journal.lastPosition(), journal.lastSequence(), journal.lastChecksum())
                .append(ByteBuffer.wrap(new byte[] {9}));
            assertEquals(1, listTmp().size());
            final SnapshotStore.Selection selection = store.select(journal, false);
            assertEquals(List.of(), listTmp());
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, selection.snapshot().payload());
            final SnapshotStore.Output aborted = store.begin(
                journal.endPosition(), journal.lastPosition(), journal.lastSequence(), journal.lastChecksum());
            aborted.append(ByteBuffer.wrap(new byte[] {9}));
            aborted.abort(new RuntimeException("test"));
            assertEquals(List.of(), listTmp());
            assertEquals(1, store.list().size());
        }
    }

    @Test
    void newestBoundSnapshotWinsDamagedOnesAreSetAsideAndOnlyRetainedOnesStay() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir, 2);
        try (Journal journal = TestRecord.open(dir, SEGMENT))
        {
            assertNull(store.select(journal, false).snapshot());
            append(journal, 1, 10, 1, 1);
            snapshot(store, journal, new byte[] {1, 2, 3});
            append(journal, 1, 20, 1, 2);
            snapshot(store, journal, new byte[] {4, 5});
            append(journal, 1, 30, 1, 3);
            journal.flush();
            store.write(journal.endPosition(), journal.lastPosition(), journal.lastSequence(),
                journal.lastChecksum(), new UnsafeBuffer(new byte[] {6, 7, 8, 9}), 1, 2);
            assertEquals(2, store.list().size());
            assertEquals(List.of(), listTmp());

            final SnapshotStore.Selection selection = store.select(journal, false);
            final SnapshotStore.Snapshot latest = selection.snapshot();
            assertEquals(journal.endPosition(), latest.position());
            assertEquals(journal.lastSequence(), latest.lastSequence());
            assertEquals(journal.lastPosition(), latest.lastPosition());
            assertEquals(journal.lastChecksum(), latest.lastChecksum());
            assertArrayEquals(new byte[] {7, 8}, latest.payload());
            assertEquals(List.of(), selection.notes());

            final Path newest = store.list().get(1);
            final byte[] bytes = Files.readAllBytes(newest);
            bytes[bytes.length - 1] ^= 1;
            Files.write(newest, bytes);
            final SnapshotStore.Selection fallback = new SnapshotStore(dir, 2).select(journal, false);
            assertArrayEquals(new byte[] {4, 5}, fallback.snapshot().payload());
            assertEquals(1, fallback.notes().size(), fallback.notes().toString());
            assertTrue(fallback.notes().get(0).contains("fails its checksum"), fallback.notes().toString());
            assertEquals(List.of(dir.resolve("snapshots/set-aside").resolve(newest.getFileName())),
                fallback.setAside());
            assertFalse(Files.exists(newest));
            assertEquals(1, store.listSetAside().size(), "set aside, never deleted");

            Files.write(store.list().get(0), new byte[10]);
            final SnapshotStore.Selection none = new SnapshotStore(dir, 2).select(journal, false);
            assertNull(none.snapshot());
            assertEquals(2, store.listSetAside().size());
            assertEquals(List.of(), store.list());
        }
    }

    @Test
    void interruptedWriteLeftoverIsRemovedWithANote() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir, 2);
        try (Journal journal = TestRecord.open(dir, SEGMENT))
        {
            append(journal, 1, 10, 1, 1);
            snapshot(store, journal, new byte[] {1});
            final Path tmp = dir.resolve("snapshots/snapshot-00000000000000009999.snap.tmp");
            Files.write(tmp, new byte[] {1, 2, 3});
            final SnapshotStore.Selection selection = store.select(journal, false);
            assertArrayEquals(new byte[] {1}, selection.snapshot().payload());
            assertFalse(Files.exists(tmp));
            assertEquals(1, selection.notes().size(), selection.notes().toString());
            assertTrue(selection.notes().get(0).contains("snapshot-00000000000000009999.snap.tmp") &&
                selection.notes().get(0).contains("interrupted"), selection.notes().toString());
            assertEquals(List.of(), listTmp());
        }
    }

    @Test
    void formatOneSnapshotIsSetAsideForAFullReplay() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir, 2);
        try (Journal journal = TestRecord.open(dir, SEGMENT))
        {
            append(journal, 1, 10, 1, 1);
            journal.flush();
            final ByteBuffer v1 = ByteBuffer.allocate(41).order(ByteOrder.LITTLE_ENDIAN);
            v1.putLong(0, SnapshotStore.MAGIC).putInt(8, 1).putLong(16, journal.endPosition()).putLong(24, 1);
            Files.createDirectories(dir.resolve(SnapshotStore.DIRECTORY));
            final Path file = dir.resolve(String.format("snapshots/snapshot-%020d.snap", journal.endPosition()));
            Files.write(file, v1.array());
            final SnapshotStore.Selection selection = store.select(journal, false);
            assertNull(selection.snapshot());
            assertTrue(selection.notes().get(0).contains("format 1"), selection.notes().toString());
            assertEquals(1, selection.setAside().size());
            assertFalse(Files.exists(file));
        }
    }

    @Test
    void writeRefusesASnapshotBoundToNoRecord()
    {
        final SnapshotStore store = new SnapshotStore(dir, 1);
        final UnsafeBuffer state = new UnsafeBuffer(new byte[1]);
        assertThrows(IllegalArgumentException.class, () -> store.write(64, 0, 0, 0, state, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> store.write(64, 64, 1, 0, state, 0, 1));
    }

    @Test
    void retainMustBePositive()
    {
        assertThrows(IllegalArgumentException.class, () -> new SnapshotStore(dir, 0));
    }

    private List<Path> listTmp() throws IOException
    {
        try (var files = Files.list(dir.resolve(SnapshotStore.DIRECTORY)))
        {
            return files.filter(p -> p.toString().endsWith(".tmp")).toList();
        }
    }
}
