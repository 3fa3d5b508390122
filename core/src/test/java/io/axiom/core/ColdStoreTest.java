package io.axiom.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.axiom.codecs.WorkflowState;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pieces that let ended workflows leave the heap: the cold store's records (idempotent writes, torn records
 * rewritten, files deleted whole by history, reopened as they were), its key tables (found by the record's key,
 * never by a hash alone; put again by a replay; deleted with their files; rolled when half full), the table's holes
 * and freed chunks, and a name's member list under removals in any order.
 */
class ColdStoreTest
{
    private static final long START = 1_767_225_600_000L;
    private static final long HISTORY_MS = 16_000;

    @TempDir
    Path dir;

    @Test
    void recordsComeBackByteForByteAndAWriteAgainKeepsTheFirst() throws IOException
    {
        final WorkflowDefinitions definitions = definitions();
        try (ColdStore cold = new ColdStore(dir, HISTORY_MS))
        {
            assertEquals(ColdStore.NONE, cold.read(1), "nothing retired yet");
            assertTrue(Files.notExists(dir.resolve(ColdStore.DIRECTORY)), "no files until the first write");
            for (long id = 1; id <= 3000; id += 1 + id % 7)
            {
                cold.write(ended(id, definitions), START);
            }
            final long bytes = cold.bytes();
            for (long id = 1; id <= 3000; id += 1 + id % 7)
            {
                assertEquals(ColdStore.FOUND, cold.read(id));
                assertArrayEquals(encoded(ended(id, definitions)), bytes(cold), "workflow " + id);
                cold.write(ended(id, definitions), START + 1);
            }
            assertEquals(bytes, cold.bytes(), "a record already there is kept (replay writes it again)");
            assertEquals(ColdStore.NONE, cold.read(2));
            assertEquals(ColdStore.NONE, cold.read(0));
            assertEquals(ColdStore.NONE, cold.read(-5));
            assertEquals(ColdStore.NONE, cold.read(1L << 40), "an id far beyond any index region");
        }
        try (ColdStore cold = new ColdStore(dir, HISTORY_MS))
        {
            assertEquals(ColdStore.FOUND, cold.read(1), "reopened");
            assertArrayEquals(encoded(ended(1, definitions)), bytes(cold));
        }
    }

    @Test
    void aTornRecordIsWrittenAgainAndACorruptOneIsNamed() throws IOException
    {
        final WorkflowDefinitions definitions = definitions();
        final Path file;
        try (ColdStore cold = new ColdStore(dir, HISTORY_MS))
        {
            cold.write(ended(1, definitions), START);
            cold.write(ended(2, definitions), START);
        }
        try (Stream<Path> files = Files.list(dir.resolve(ColdStore.DIRECTORY)))
        {
            file = files.filter(p -> p.getFileName().toString().startsWith("records-")).findFirst().orElseThrow();
        }
        final byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 3] ^= 0x40; // workflow 2's record, the last one
        Files.write(file, bytes);
        try (ColdStore cold = new ColdStore(dir, HISTORY_MS))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> cold.read(2));
            assertTrue(ex.getMessage().contains("workflow 2") && ex.getMessage().contains("corrupt"),
                ex.getMessage());
            cold.write(ended(2, definitions), START); // what replaying its WorkflowRetired does
            assertEquals(ColdStore.FOUND, cold.read(2));
            assertArrayEquals(encoded(ended(2, definitions)), bytes(cold));
            assertEquals(ColdStore.FOUND, cold.read(1));
        }
    }

    @Test
    void filesGoWholeOnceTheirSuccessorIsHistoryOldAndTheirSlotsReadGone()
    {
        final WorkflowDefinitions definitions = definitions();
        try (ColdStore cold = new ColdStore(dir, HISTORY_MS))
        {
            cold.write(ended(1, definitions), START);
            cold.write(ended(2, definitions), START + HISTORY_MS / 16 - 1);
            cold.write(ended(3, definitions), START + HISTORY_MS / 16); // rolls: a file per history / 16
            assertEquals(0, cold.expire(START + HISTORY_MS / 16 + HISTORY_MS - 1));
            assertEquals(ColdStore.FOUND, cold.read(2));
            assertEquals(1, cold.expire(START + HISTORY_MS / 16 + HISTORY_MS));
            assertEquals(ColdStore.GONE, cold.read(1));
            assertEquals(ColdStore.GONE, cold.read(2));
            assertEquals(ColdStore.FOUND, cold.read(3));
            cold.write(ended(2, definitions), START + 2 * HISTORY_MS); // replayed: stays gone
            assertEquals(ColdStore.GONE, cold.read(2));
        }
        try (ColdStore cold = new ColdStore(dir, HISTORY_MS))
        {
            assertEquals(ColdStore.GONE, cold.read(1), "gone after a reopen too");
            assertEquals(ColdStore.FOUND, cold.read(3));
            cold.write(ended(4, definitions), START + 2 * HISTORY_MS);
            assertEquals(2, cold.expire(START + 3 * HISTORY_MS), "3's file went (and an empty one rolled after it)");
            assertEquals(ColdStore.GONE, cold.read(3));
            assertEquals(ColdStore.FOUND, cold.read(4));
            assertEquals(0, cold.expire(START + 3 * HISTORY_MS + 1), "4's file rolled, its successor is new");
            assertEquals(1, cold.expire(START + 4 * HISTORY_MS));
            assertEquals(ColdStore.GONE, cold.read(4));
        }
    }

    @Test
    void aRetiredWorkflowsKeyIsFoundByItsRecordAndAHashHitOfAnotherKeyNeverAnswers() throws IOException
    {
        final WorkflowDefinitions definitions = definitions();
        try (ColdStore cold = new ColdStore(dir, HISTORY_MS))
        {
            assertEquals(-1, cold.findKey("k1"), "no tables yet");
            for (long id = 1; id <= 5000; id++)
            {
                cold.write(keyed(id, id % 3 == 0 ? null : "k" + id, definitions), START);
            }
            for (long id = 1; id <= 5000; id++)
            {
                assertEquals(id % 3 == 0 ? -1 : id, cold.findKey("k" + id), "key of workflow " + id);
            }
            assertEquals(-1, cold.findKey("k0"));
            assertEquals(-1, cold.findKey(""));
            // a slot whose hash is another key's (what a 64-bit collision looks like) points at a record with a
            // different key, or at no record: the look-up reads the record and goes on
            cold.putKey(0, cold.keyHash("collides"), 7);
            cold.putKey(0, cold.keyHash("collides"), 9_999_999);
            cold.putKey(0, cold.keyHash("collides"), 3); // a record without a key
            assertEquals(-1, cold.findKey("collides"));
            cold.putKey(0, cold.keyHash("k7"), 8);
            assertEquals(7, cold.findKey("k7"), "the hit whose record has the key");
            cold.write(keyed(5001, "collides", definitions), START);
            assertEquals(5001, cold.findKey("collides"), "the real one behind three false hits");
            final String unicode = "cl\u00e9-\ud83d\ude00-\u4e2d";
            cold.write(keyed(5002, unicode, definitions), START);
            assertEquals(5002, cold.findKey(unicode), "UTF-8 keys");
            assertEquals(-1, cold.findKey("cl\u00e9-\ud83d\ude00-\u4e2e"));
        }
        try (ColdStore cold = new ColdStore(dir, HISTORY_MS))
        {
            assertEquals(2, cold.findKey("k2"), "reopened");
            assertEquals(5001, cold.findKey("collides"));
        }
    }

    @Test
    void keysGoWithTheirFilesAndALostKeySlotIsPutAgainByTheReplay() throws IOException
    {
        final WorkflowDefinitions definitions = definitions();
        final Path cold = dir.resolve(ColdStore.DIRECTORY);
        try (ColdStore store = new ColdStore(dir, HISTORY_MS))
        {
            store.write(keyed(1, "a", definitions), START);
            store.write(keyed(2, "b", definitions), START + HISTORY_MS / 16); // a second file
            assertTrue(Files.exists(cold.resolve("keys-0000000001")) && Files.exists(cold.resolve("keys-0000000002")));
        }
        // a crash that lost the second table's page (never forced), and a table left behind by a crash in expire
        Files.write(cold.resolve("keys-0000000002"), new byte[0]);
        Files.write(cold.resolve("keys-0000000007"), new byte[16]);
        try (ColdStore store = new ColdStore(dir, HISTORY_MS))
        {
            assertTrue(Files.notExists(cold.resolve("keys-0000000007")), "a table without its records file goes");
            assertEquals(-1, store.findKey("b"));
            store.write(keyed(2, "b", definitions), START + HISTORY_MS / 16); // replaying its WorkflowRetired
            assertEquals(2, store.findKey("b"), "put again by the replay");
            assertEquals(1, store.findKey("a"));
            store.write(keyed(1, "a", definitions), START); // and again: already there, nothing added
            assertEquals(1, store.findKey("a"));
            assertEquals(1, store.expire(START + HISTORY_MS / 16 + HISTORY_MS));
            assertEquals(-1, store.findKey("a"), "gone with its file");
            assertTrue(Files.notExists(cold.resolve("keys-0000000001")), "the table is deleted with its records");
            store.write(keyed(1, "a", definitions), START); // a replay after history: stays gone
            assertEquals(-1, store.findKey("a"));
            assertEquals(2, store.findKey("b"));
        }
    }

    @Test
    void aKeyLookUpAllocatesNothing()
    {
        final WorkflowDefinitions definitions = definitions();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final long self = Thread.currentThread().threadId();
        final String[] keys = new String[2000];
        try (ColdStore cold = new ColdStore(dir, HISTORY_MS))
        {
            for (int i = 0; i < keys.length; i++)
            {
                keys[i] = "lookup-key-" + i;
                if (i % 2 == 0)
                {
                    cold.write(keyed(i + 1, keys[i], definitions), START);
                }
            }
            long found = 0;
            for (int round = 0; round < 3; round++) // warm up, then measure
            {
                final long before = threads.getThreadAllocatedBytes(self);
                for (final String key : keys)
                {
                    found += cold.findKey(key) > 0 ? 1 : 0;
                }
                final long allocated = threads.getThreadAllocatedBytes(self) - before;
                if (round == 2)
                {
                    assertTrue(allocated < 4096, keys.length + " look-ups (half hits, half misses) allocated " +
                        allocated + " bytes");
                }
            }
            assertEquals(3L * keys.length / 2, found);
        }
    }

    @Test
    void aFullKeyTableRollsItsFileAndEveryKeyIsFoundInEither()
    {
        final WorkflowDefinitions definitions = definitions();
        final int count = ColdStore.MAX_KEYS + 1000;
        try (ColdStore cold = new ColdStore(dir, EngineContext.RETENTION_OFF))
        {
            for (long id = 1; id <= count; id++)
            {
                cold.write(keyed(id, "key-" + id, definitions), START);
            }
            for (long id = 1; id <= count; id += 1 + id % 13)
            {
                assertEquals(id, cold.findKey("key-" + id));
            }
            assertEquals(-1, cold.findKey("key-0"));
            assertTrue(Files.exists(dir.resolve(ColdStore.DIRECTORY).resolve("keys-0000000002")),
                "the records file rolled before its table was more than half full");
        }
    }

    @Test
    void holesLeaveTheTableAndFullChunksAreFreed()
    {
        final WorkflowDefinitions definitions = definitions();
        final WorkflowTable table = new WorkflowTable();
        final int count = 3 * WorkflowTable.CHUNK_SIZE + 100;
        for (int i = 0; i < count; i++)
        {
            table.add(ended(i + 1, definitions));
        }
        assertEquals(4, table.chunksAllocated());
        for (int i = 0; i < 2 * WorkflowTable.CHUNK_SIZE + 50; i++)
        {
            table.remove(i);
        }
        assertEquals(2, table.chunksAllocated(), "two full chunks emptied and freed");
        assertEquals(count - 2 * WorkflowTable.CHUNK_SIZE - 50, table.live());
        assertEquals(count, table.size());
        assertNull(table.get(5));
        assertEquals(2 * WorkflowTable.CHUNK_SIZE + 50, table.nextLive(0));
        assertThrows(IllegalStateException.class, () -> table.remove(5));
        table.addHole();
        assertEquals(count + 1, table.size());
        assertNull(table.get(count));
        assertEquals(count + 1, table.nextLive(count));
        for (int i = 2 * WorkflowTable.CHUNK_SIZE + 50; i < count; i++)
        {
            table.remove(i);
        }
        assertEquals(1, table.chunksAllocated(), "the last, partly filled chunk stays for the next workflows");
        table.add(ended(count + 2, definitions));
        assertEquals(count + 1, table.nextLive(0));
    }

    @Test
    void aNamesMembersSurviveRemovalsInAnyOrder()
    {
        final long seed = Long.getLong("axiom.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        final NameIndex names = new NameIndex();
        final WorkflowDefinitions definitions = definitions();
        final byte[] name = "orders".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        final List<Workflow> workflows = new ArrayList<>();
        final TreeSet<Integer> model = new TreeSet<>();
        int next = 0;
        for (int round = 0; round < 20_000; round++)
        {
            if (model.isEmpty() || random.nextInt(3) > 0)
            {
                final Workflow w = ended(next + 1, definitions);
                names.add(w, next, new UnsafeBuffer(name), 0, name.length);
                workflows.add(w);
                model.add(next++);
            }
            else
            {
                // mostly the oldest (retirement order), sometimes any
                final int index = random.nextInt(4) > 0 ? model.first() :
                    new ArrayList<>(model).get(random.nextInt(model.size()));
                names.remove(workflows.get(index), index);
                model.remove(index);
            }
            final NameIndex.Name n = names.names().find(new UnsafeBuffer(name), 0, name.length);
            if (model.isEmpty())
            {
                assertNull(n, "a name with no workflow left leaves the dictionary, seed " + seed);
                continue;
            }
            assertEquals(model.size(), n.count(), "seed " + seed);
            if (round % 97 == 0)
            {
                int rank = 0;
                for (final int index : model)
                {
                    assertEquals(index, n.member(rank), "seed " + seed);
                    assertEquals(rank, n.rank(index), "seed " + seed);
                    rank++;
                }
                assertEquals(model.size(), names.names().prefixWeight(new UnsafeBuffer(name), 0, 3));
            }
        }
    }

    private static WorkflowDefinitions definitions()
    {
        final EngineState state = new EngineState(START);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
        final io.axiom.codecs.MessageHeaderEncoder header = new io.axiom.codecs.MessageHeaderEncoder();
        final io.axiom.codecs.WorkflowCreatedEncoder encoder = new io.axiom.codecs.WorkflowCreatedEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, header).workflowId(1);
        encoder.stepsCount(2).next().type(io.axiom.codecs.StepType.APPROVAL).name("A")
            .next().type(io.axiom.codecs.StepType.APPROVAL).name("B");
        encoder.name("n").idempotencyKey("").putInput(new byte[] {'{', '}'}, 0, 2);
        final io.axiom.codecs.WorkflowCreatedDecoder decoder = new io.axiom.codecs.WorkflowCreatedDecoder();
        final int body = io.axiom.codecs.MessageHeaderEncoder.ENCODED_LENGTH;
        decoder.wrap(buffer, body, io.axiom.codecs.WorkflowCreatedEncoder.BLOCK_LENGTH,
            io.axiom.codecs.WorkflowCreatedEncoder.SCHEMA_VERSION);
        final WorkflowCreatedDecoderSteps steps = new WorkflowCreatedDecoderSteps(decoder);
        state.definitions.add(buffer, body + io.axiom.codecs.WorkflowCreatedEncoder.BLOCK_LENGTH, steps.length,
            decoder.wrap(buffer, body, io.axiom.codecs.WorkflowCreatedEncoder.BLOCK_LENGTH,
            io.axiom.codecs.WorkflowCreatedEncoder.SCHEMA_VERSION));
        return state.definitions;
    }

    /**
     * The length of a WorkflowCreated's steps group.
     */
    private static final class WorkflowCreatedDecoderSteps
    {
        final int length;

        WorkflowCreatedDecoderSteps(final io.axiom.codecs.WorkflowCreatedDecoder decoder)
        {
            final int start = decoder.limit();
            final io.axiom.codecs.WorkflowCreatedDecoder.StepsDecoder steps = decoder.steps();
            while (steps.hasNext())
            {
                steps.next().skipName();
            }
            length = decoder.limit() - start;
        }
    }

    private static Workflow ended(final long id, final WorkflowDefinitions definitions)
    {
        final Workflow w = new Workflow(id, definitions.get(0), 64 + id * 100, START + id);
        for (int e = 0; e < 1 + id % 5; e++)
        {
            w.addEvent(64 + id * 100 + e * 8);
        }
        w.completedPosition(0, 64 + id * 100 + 8);
        w.state = id % 2 == 0 ? WorkflowState.COMPLETED : WorkflowState.CANCELLED;
        w.updatedAt = START + id + 5;
        w.terminalPosition = 64 + id * 100 + 16;
        return w;
    }

    private static Workflow keyed(final long id, final String key, final WorkflowDefinitions definitions)
    {
        final Workflow w = ended(id, definitions);
        w.createKey = key;
        return w;
    }

    private static byte[] encoded(final Workflow w)
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer();
        final int length = SnapshotCodec.writeWorkflow(out, 0, w);
        final byte[] bytes = new byte[length];
        out.getBytes(0, bytes);
        return bytes;
    }

    private static byte[] bytes(final ColdStore cold)
    {
        final byte[] bytes = new byte[cold.record().capacity()];
        cold.record().getBytes(0, bytes);
        return bytes;
    }
}
