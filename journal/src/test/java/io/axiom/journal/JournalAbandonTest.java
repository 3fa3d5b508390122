package io.axiom.journal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JournalAbandonTest
{
    @TempDir
    Path dir;

    @Test
    void abandonDropsWhatWasNotFlushedAndKeepsWhatWas()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[] {1, 2, 3, 4});
        final Journal journal = Journal.open(new JournalContext().dataDir(dir).maxSegmentSize(64 * 1024));
        final long flushed = journal.append(7, 1, 10, payload, 0, 4);
        journal.flush();
        journal.append(7, 1, 11, payload, 0, 4);
        journal.append(7, 1, 12, payload, 0, 4);
        journal.abandon();

        final Journal reopened = Journal.open(new JournalContext().dataDir(dir).maxSegmentSize(64 * 1024));
        try
        {
            final List<Long> positions = new ArrayList<>();
            reopened.replay(0, (buffer, offset, length, type, version, position, sequence, timestamp) ->
                positions.add(position));
            assertEquals(List.of(flushed), positions);
            assertEquals(1, reopened.lastSequence());
        }
        finally
        {
            reopened.close();
        }
    }
}
