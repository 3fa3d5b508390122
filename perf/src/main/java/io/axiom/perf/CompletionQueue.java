package io.axiom.perf;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Single-producer single-consumer queue of ints (lane numbers) from the processor thread, which releases replies,
 * to the producer thread that owns the lanes. Bounded by the window, so an offer never finds it full.
 */
final class CompletionQueue
{
    private final int[] items;
    private final int mask;
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong head = new AtomicLong();
    private long headCache;

    CompletionQueue(final int minCapacity)
    {
        int capacity = 1;
        while (capacity < minCapacity)
        {
            capacity <<= 1;
        }
        items = new int[capacity];
        mask = capacity - 1;
    }

    /**
     * Called by the one producer (the processor thread).
     */
    void offer(final int item)
    {
        final long t = tail.get();
        if (t - head.get() >= items.length)
        {
            throw new IllegalStateException("completion queue overflow: more replies than the window");
        }
        items[(int)t & mask] = item;
        tail.lazySet(t + 1);
    }

    /**
     * Called by the one consumer (the producer thread that owns the lanes).
     *
     * @return an item, or -1 when empty.
     */
    int poll()
    {
        final long h = headCache;
        if (h >= tail.get())
        {
            return -1;
        }
        final int item = items[(int)h & mask];
        headCache = h + 1;
        head.lazySet(h + 1);
        return item;
    }
}
