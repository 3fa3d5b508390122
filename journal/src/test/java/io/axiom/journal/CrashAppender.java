package io.axiom.journal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Child process of {@link JournalCrashTest}: appends records whose content derives from (contentSeed, sequence) in
 * random batches, and prints {@code ACK <position> <sequence>} for the last record of a batch only after
 * {@link Journal#flush()} returned. Runs until killed.
 * <p>
 * Arguments: data dir, segment size, content seed, batch seed.
 */
public final class CrashAppender
{
    private CrashAppender()
    {
    }

    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[0]);
        final long segmentSize = Long.parseLong(args[1]);
        final long contentSeed = Long.parseLong(args[2]);
        final SplittableRandom batches = new SplittableRandom(Long.parseLong(args[3]));
        final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        final JournalClaim claim = new JournalClaim();
        try (Journal journal = Journal.open(new JournalContext().dataDir(dir).maxSegmentSize(segmentSize)))
        {
            out.println("OPENED " + journal.lastSequence());
            out.flush();
            while (true)
            {
                final int batch = 1 + batches.nextInt(20);
                for (int i = 0; i < batch; i++)
                {
                    final long sequence = journal.lastSequence() + 1;
                    final int length = length(contentSeed, sequence);
                    journal.claim(length, type(sequence), 1, timestamp(sequence), claim);
                    claim.buffer().putBytes(claim.offset(), TestRecord.payload(contentSeed, sequence, length));
                    claim.commit();
                }
                journal.flush();
                out.println("ACK " + journal.lastPosition() + " " + journal.lastSequence());
                out.flush();
            }
        }
    }

    static int length(final long contentSeed, final long sequence)
    {
        final SplittableRandom random = new SplittableRandom(contentSeed ^ (sequence * 0xBF58476D1CE4E5B9L));
        return random.nextInt(32) == 0 ? 20_000 + random.nextInt(100_000) : random.nextInt(3000);
    }

    static int type(final long sequence)
    {
        return (int)(sequence & 0xFFFF);
    }

    static long timestamp(final long sequence)
    {
        return sequence * 1000 + 7;
    }
}
