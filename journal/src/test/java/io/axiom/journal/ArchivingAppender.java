package io.axiom.journal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Child process of {@link ArchiveCrashTest}: appends {@link CrashAppender}'s units in random batches, prints {@code
 * ACK <position> <sequence>} after each flush, and whenever the log holds more than two sealed segments archives the
 * oldest ({@code ARCHIVING i}, then the archive written, temp, fsync, rename, directory fsync) and retires it into the
 * pool ({@code RETIRED i}), as retention does. Runs until killed.
 * <p>
 * Arguments: data dir, segment size, content seed, batch seed.
 */
public final class ArchivingAppender
{
    private ArchivingAppender()
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
                final int batch = 1 + batches.nextInt(6);
                for (int i = 0; i < batch; i++)
                {
                    CrashAppender.appendUnit(journal, contentSeed, claim);
                }
                journal.flush();
                out.println("ACK " + journal.lastPosition() + " " + journal.lastSequence());
                out.flush();
                final int oldest = journal.firstSegmentIndex();
                if (oldest < journal.currentSegmentIndex() - 2)
                {
                    out.println("ARCHIVING " + oldest);
                    out.flush();
                    SegmentArchive.write(journal.sealed(oldest), journal.archiveDir(), true, true);
                    journal.retire(oldest);
                    out.println("RETIRED " + oldest);
                    out.flush();
                }
            }
        }
    }
}
