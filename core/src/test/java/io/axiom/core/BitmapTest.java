package io.axiom.core;

import java.util.TreeSet;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The chunked bitmap against a sorted set, over random adds and removes spread across chunks (sparse and dense).
 */
class BitmapTest
{
    @Property(tries = 60)
    void agreesWithASortedSet(
        @ForAll @IntRange(min = 1, max = 40_000) final int span,
        @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) final long seed)
    {
        final java.util.Random random = new java.util.Random(seed);
        final Bitmap bitmap = new Bitmap();
        final TreeSet<Integer> model = new TreeSet<>();
        final int operations = 1 + random.nextInt(3 * span);
        for (int i = 0; i < operations; i++)
        {
            final int index = random.nextInt(span);
            if (random.nextInt(3) == 0)
            {
                bitmap.remove(index);
                model.remove(index);
            }
            else
            {
                bitmap.add(index);
                model.add(index);
            }
        }
        assertEquals(model.size(), bitmap.count(), "count, seed " + seed);
        int rank = 0;
        for (final int member : model)
        {
            assertEquals(member, bitmap.select(rank), "select " + rank + ", seed " + seed);
            rank++;
        }
        assertEquals(-1, bitmap.select(model.size()));
        for (int probe = 0; probe < 200; probe++)
        {
            final int index = random.nextInt(span + 70);
            assertEquals(model.contains(index), bitmap.contains(index), "contains " + index + ", seed " + seed);
            assertEquals(model.headSet(index).size(), bitmap.rank(index), "rank " + index + ", seed " + seed);
            final Integer next = model.ceiling(index);
            assertEquals(null == next ? -1 : next, bitmap.next(index), "next " + index + ", seed " + seed);
            final Integer previous = model.floor(index);
            assertEquals(null == previous ? -1 : previous, bitmap.previous(index), "previous " + index +
                ", seed " + seed);
        }
        assertEquals(-1, bitmap.previous(-1));
        assertEquals(-1, bitmap.next(-1));
    }
}
