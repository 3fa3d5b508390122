package io.axiom.core;

import java.util.Arrays;

/**
 * A set of workflow indexes as bits, in chunks of 4,096 with a count per chunk, so that rank (members below an
 * index) and select (the member of a rank) read the chunk counts and then one chunk's words. A chunk is allocated
 * the first time one of its indexes joins and never copied; a set whose members cluster (the workflows still running
 * are mostly the recent ones) costs memory only where they are; a chunk whose last member leaves is freed. No allocation
 * once a chunk exists.
 * <p>
 * Owned by the processor thread: changed by the {@link Applier}, read by the {@link Queries}.
 */
final class Bitmap
{
    private static final int CHUNK_SHIFT = 12;
    private static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    static final int WORDS_PER_CHUNK = CHUNK_SIZE / 64;

    private long[][] chunks = new long[16][];
    private int[] chunkCounts = new int[16];
    private int chunkLimit;
    private long count;

    /**
     * @return members.
     */
    long count()
    {
        return count;
    }

    /**
     * @param index a workflow index, >= 0.
     */
    void add(final int index)
    {
        final int chunk = index >>> CHUNK_SHIFT;
        if (chunk >= chunks.length)
        {
            final int length = Math.max(chunks.length * 2, chunk + 1);
            chunks = Arrays.copyOf(chunks, length);
            chunkCounts = Arrays.copyOf(chunkCounts, length);
        }
        long[] words = chunks[chunk];
        if (null == words)
        {
            words = new long[WORDS_PER_CHUNK];
            chunks[chunk] = words;
        }
        chunkLimit = Math.max(chunkLimit, chunk + 1);
        final int word = (index & (CHUNK_SIZE - 1)) >>> 6;
        final long bit = 1L << index;
        if (0 == (words[word] & bit))
        {
            words[word] |= bit;
            chunkCounts[chunk]++;
            count++;
        }
    }

    /**
     * @param index a workflow index; nothing happens when it is not a member.
     */
    void remove(final int index)
    {
        final int chunk = index >>> CHUNK_SHIFT;
        if (index < 0 || chunk >= chunkLimit || null == chunks[chunk])
        {
            return;
        }
        final long[] words = chunks[chunk];
        final int word = (index & (CHUNK_SIZE - 1)) >>> 6;
        final long bit = 1L << index;
        if (0 != (words[word] & bit))
        {
            words[word] &= ~bit;
            count--;
            if (0 == --chunkCounts[chunk])
            {
                chunks[chunk] = null; // a chunk whose members all left is freed: ended workflows leave the heap
            }
        }
    }

    /**
     * @param index a workflow index.
     * @return true when it is a member.
     */
    boolean contains(final int index)
    {
        final int chunk = index >>> CHUNK_SHIFT;
        if (index < 0 || chunk >= chunkLimit || null == chunks[chunk])
        {
            return false;
        }
        return 0 != (chunks[chunk][(index & (CHUNK_SIZE - 1)) >>> 6] & (1L << index));
    }

    /**
     * @param word a word's number: indexes word * 64 to word * 64 + 63.
     * @return its bits, index word * 64 the lowest; 0 beyond the chunks.
     */
    long word(final int word)
    {
        final int chunk = word >>> (CHUNK_SHIFT - 6);
        if (chunk >= chunkLimit)
        {
            return 0;
        }
        final long[] words = chunks[chunk];
        return null == words ? 0 : words[word & (WORDS_PER_CHUNK - 1)];
    }

    /**
     * @param word a word's number.
     * @return true when the chunk holding it has no member, so its words can be passed over together.
     */
    boolean emptyChunkAt(final int word)
    {
        final int chunk = word >>> (CHUNK_SHIFT - 6);
        return chunk >= chunkLimit || 0 == chunkCounts[chunk];
    }

    /**
     * @param index a workflow index, >= 0.
     * @return members below it.
     */
    long rank(final int index)
    {
        final int lastChunk = index >>> CHUNK_SHIFT;
        long rank = 0;
        for (int chunk = 0, end = Math.min(lastChunk, chunkLimit); chunk < end; chunk++)
        {
            rank += chunkCounts[chunk];
        }
        if (lastChunk < chunkLimit && null != chunks[lastChunk])
        {
            final long[] words = chunks[lastChunk];
            final int lastWord = (index & (CHUNK_SIZE - 1)) >>> 6;
            for (int w = 0; w < lastWord; w++)
            {
                rank += Long.bitCount(words[w]);
            }
            rank += Long.bitCount(words[lastWord] & ((1L << index) - 1));
        }
        return rank;
    }

    /**
     * @param rank members to pass over, from 0.
     * @return the member with that rank (in index order), or -1 when there are not that many.
     */
    int select(final long rank)
    {
        if (rank < 0 || rank >= count)
        {
            return -1;
        }
        long left = rank;
        for (int chunk = 0; chunk < chunkLimit; chunk++)
        {
            final int inChunk = chunkCounts[chunk];
            if (left >= inChunk)
            {
                left -= inChunk;
                continue;
            }
            final long[] words = chunks[chunk];
            for (int w = 0; w < WORDS_PER_CHUNK; w++)
            {
                final int inWord = Long.bitCount(words[w]);
                if (left >= inWord)
                {
                    left -= inWord;
                    continue;
                }
                long word = words[w];
                for (long i = 0; i < left; i++)
                {
                    word &= word - 1;
                }
                return (chunk << CHUNK_SHIFT) + (w << 6) + Long.numberOfTrailingZeros(word);
            }
        }
        return -1;
    }

    /**
     * @param from first index to look at.
     * @return the first member >= from, or -1.
     */
    int next(final int from)
    {
        if (from < 0)
        {
            return -1;
        }
        int chunk = from >>> CHUNK_SHIFT;
        int w = (from & (CHUNK_SIZE - 1)) >>> 6;
        long mask = -1L << from;
        while (chunk < chunkLimit)
        {
            if (chunkCounts[chunk] > 0)
            {
                final long[] words = chunks[chunk];
                for (; w < WORDS_PER_CHUNK; w++)
                {
                    final long word = words[w] & mask;
                    mask = -1L;
                    if (0 != word)
                    {
                        return (chunk << CHUNK_SHIFT) + (w << 6) + Long.numberOfTrailingZeros(word);
                    }
                }
            }
            chunk++;
            w = 0;
            mask = -1L;
        }
        return -1;
    }

    /**
     * @param from last index to look at.
     * @return the last member <= from, or -1.
     */
    int previous(final int from)
    {
        if (from < 0)
        {
            return -1;
        }
        int chunk = from >>> CHUNK_SHIFT;
        int w = (from & (CHUNK_SIZE - 1)) >>> 6;
        long mask = -1L >>> (63 - (from & 63));
        if (chunk >= chunkLimit)
        {
            chunk = chunkLimit - 1;
            w = WORDS_PER_CHUNK - 1;
            mask = -1L;
        }
        while (chunk >= 0)
        {
            if (chunkCounts[chunk] > 0)
            {
                final long[] words = chunks[chunk];
                for (; w >= 0; w--)
                {
                    final long word = words[w] & mask;
                    mask = -1L;
                    if (0 != word)
                    {
                        return (chunk << CHUNK_SHIFT) + (w << 6) + 63 - Long.numberOfLeadingZeros(word);
                    }
                }
            }
            chunk--;
            w = WORDS_PER_CHUNK - 1;
            mask = -1L;
        }
        return -1;
    }
}
