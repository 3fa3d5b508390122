package io.axiom.journal;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot path (ensureRoom, claim, commit, endUnit, flush, read, replay, storageState) allocates nothing once warm.
 */
class AllocationTest
{
    @TempDir
    Path dir;

    private long sink;

    @Test
    void shouldNotAllocateOnHotPath()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final JournalClaim claim = new JournalClaim();
        final RecordHandler handler = (buffer, offset, length, type, version, position, sequence, timestamp) ->
            sink += buffer.getByte(offset) + length + sequence;
        try (Journal journal = Journal.open(
            new JournalContext().dataDir(dir).maxSegmentSize(64L * 1024 * 1024)))
        {
            for (int round = 0; round < 5; round++)
            {
                final long before = threads.getThreadAllocatedBytes(threadId);
                for (int i = 0; i < 20_000; i++)
                {
                    if (!journal.ensureRoom(3 * Journal.alignedFrameLength(64)))
                    {
                        throw new AssertionError(journal.storageState().toString());
                    }
                    final long position = journal.claim(64, 1, 1, i, claim);
                    claim.buffer().putBytes(claim.offset(), payload, 0, 64);
                    claim.commit();
                    journal.claim(64, 3, 1, i, claim);
                    claim.buffer().putBytes(claim.offset(), payload, 0, 64);
                    claim.commit();
                    journal.endUnit();
                    journal.endUnit();
                    journal.append(2, 1, i, payload, 0, 32);
                    sink += journal.lastChecksum() + journal.endPosition() + journal.openUnitRecords();
                    sink += journal.storageState().status().ordinal();
                    journal.read(position, handler);
                    journal.readRecord(position, handler);
                    if ((i & 1023) == 0)
                    {
                        journal.flush();
                    }
                }
                journal.replay(journal.lastPosition(), handler);
                final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
                if (round == 4)
                {
                    assertEquals(0, allocated, "bytes allocated on the hot path");
                }
            }
            assertTrue(journal.recordCount() > 0 && sink != 0);
        }
    }
}
