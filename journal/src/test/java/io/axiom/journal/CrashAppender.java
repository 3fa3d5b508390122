package io.axiom.journal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Child process of {@link JournalCrashTest}: appends atomic units of records whose sizes and content derive from
 * (contentSeed, sequence), in random batches of units, and prints {@code ACK <position> <sequence>} for the last
 * record of a batch only after {@link Journal#flush()} returned. Some records are larger than the staging buffer (a
 * quarter of the segment) and some units larger than a segment, so records of a unit reach the file before the unit
 * ends. Runs until killed.
 * <p>
 * Arguments: data dir, segment size, content seed, batch seed.
 */
public final class CrashAppender
{
    private CrashAppender()
    {
    }

    /**
     * What a child does after each acknowledged batch.
     */
    @FunctionalInterface
    interface AfterAck
    {
        void run(Journal journal, PrintStream out);
    }

    public static void main(final String[] args)
    {
        appendUntilKilled(args, (journal, out) -> {});
    }

    /**
     * The loop of a crash child: open the journal, print {@code OPENED <last sequence>}, then forever append a random
     * batch of units, flush, print {@code ACK <position> <sequence>} and run afterAck.
     *
     * @param args     data dir, segment size, content seed, batch seed.
     * @param afterAck what follows each acknowledgement.
     */
    static void appendUntilKilled(final String[] args, final AfterAck afterAck)
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
                    appendUnit(journal, contentSeed, claim);
                }
                journal.flush();
                out.println("ACK " + journal.lastPosition() + " " + journal.lastSequence());
                out.flush();
                afterAck.run(journal, out);
            }
        }
    }

    /**
     * Append the unit that starts at the journal's next sequence: {@link #unitSize} records, then endUnit.
     */
    static void appendUnit(final Journal journal, final long contentSeed, final JournalClaim claim)
    {
        final long first = journal.lastSequence() + 1;
        final int records = unitSize(contentSeed, first);
        for (long sequence = first; sequence < first + records; sequence++)
        {
            final int length = length(contentSeed, sequence);
            journal.claim(length, type(sequence), 1, timestamp(sequence), claim);
            claim.buffer().putBytes(claim.offset(), TestRecord.payload(contentSeed, sequence, length));
            claim.commit();
        }
        journal.endUnit();
    }

    /**
     * @return records in the unit whose first record has this sequence.
     */
    static int unitSize(final long contentSeed, final long firstSequence)
    {
        final SplittableRandom random = new SplittableRandom(contentSeed ^ (firstSequence * 0x94D049BB133111EBL));
        return random.nextInt(8) == 0 ? 1 + random.nextInt(24) : 1 + random.nextInt(5);
    }

    static int length(final long contentSeed, final long sequence)
    {
        final SplittableRandom random = new SplittableRandom(contentSeed ^ (sequence * 0xBF58476D1CE4E5B9L));
        final int pick = random.nextInt(64);
        return pick == 0 ? 300_000 + random.nextInt(200_000) :
            pick < 3 ? 20_000 + random.nextInt(100_000) : random.nextInt(3000);
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
