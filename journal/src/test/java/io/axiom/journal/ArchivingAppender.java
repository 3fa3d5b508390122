package io.axiom.journal;

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
        CrashAppender.appendUntilKilled(args, (journal, out) ->
        {
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
        });
    }
}
