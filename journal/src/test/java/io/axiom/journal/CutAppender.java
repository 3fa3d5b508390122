package io.axiom.journal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Child process of {@link JournalCutTest}: opens the journal cut back to an end position, prints {@code OPENED
 * <last sequence>}, then appends {@link CrashAppender} units of its own content seed in random batches, printing
 * {@code ACK <position> <sequence>} after each {@link Journal#flush()}. Runs until killed.
 * <p>
 * Arguments: data dir, segment size, content seed, batch seed, end position to cut back to.
 */
public final class CutAppender
{
    private CutAppender()
    {
    }

    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[0]);
        final long segmentSize = Long.parseLong(args[1]);
        final long contentSeed = Long.parseLong(args[2]);
        final SplittableRandom batches = new SplittableRandom(Long.parseLong(args[3]));
        final long cutAfter = Long.parseLong(args[4]);
        final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        final JournalClaim claim = new JournalClaim();
        try (Journal journal = Journal.open(
            new JournalContext().dataDir(dir).maxSegmentSize(segmentSize).cutAfter(cutAfter)))
        {
            out.println("OPENED " + journal.lastSequence());
            out.flush();
            while (true)
            {
                final int batch = 1 + batches.nextInt(4);
                for (int i = 0; i < batch; i++)
                {
                    CrashAppender.appendUnit(journal, contentSeed, claim);
                }
                journal.flush();
                out.println("ACK " + journal.lastPosition() + " " + journal.lastSequence());
                out.flush();
            }
        }
    }
}
