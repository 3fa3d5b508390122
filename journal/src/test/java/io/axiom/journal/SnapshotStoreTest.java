package io.axiom.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotStoreTest
{
    @TempDir
    Path dir;

    @Test
    void newestValidSnapshotWinsAndOnlyRetainedOnesStay() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir, 2);
        assertNull(store.latest(Long.MAX_VALUE));
        store.write(100, new UnsafeBuffer(new byte[] {1, 2, 3}), 0, 3);
        store.write(200, new UnsafeBuffer(new byte[] {4, 5}), 0, 2);
        store.write(300, new UnsafeBuffer(new byte[] {6, 7, 8, 9}), 1, 2);
        assertEquals(2, store.list().size());
        assertEquals(List.of(), listTmp());

        final SnapshotStore.Snapshot latest = store.latest(1_000);
        assertEquals(300, latest.position());
        assertArrayEquals(new byte[] {7, 8}, latest.payload());

        assertEquals(200, new SnapshotStore(dir, 2).latest(250).position(), "beyond the log is skipped");

        final Path newest = store.list().get(1);
        final byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 1] ^= 1;
        Files.write(newest, bytes);
        final SnapshotStore reader = new SnapshotStore(dir, 2);
        assertEquals(200, reader.latest(1_000).position());
        assertTrue(reader.notes().get(0).contains("fails its checksum"), reader.notes().toString());

        Files.write(store.list().get(0), new byte[10]);
        assertNull(new SnapshotStore(dir, 2).latest(1_000));
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
