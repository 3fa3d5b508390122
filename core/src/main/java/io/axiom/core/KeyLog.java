package io.axiom.core;

import java.util.ArrayList;

import org.agrona.collections.LongArrayList;

/**
 * An idempotency key map's entries in the order they were put, beside the map itself: the map answers look-ups, this
 * log gives a snapshot a stable order to encode the entries a slice at a time while more are put (entries are only
 * ever added, so the first {@code n} entries are the map as it was when it had {@code n}). A key put twice appears
 * twice, the later value last, which is the value a load keeps.
 */
final class KeyLog
{
    private final ArrayList<String> keys = new ArrayList<>();
    private final LongArrayList values = new LongArrayList();

    void add(final String key, final long value)
    {
        keys.add(key);
        values.addLong(value);
    }

    int size()
    {
        return keys.size();
    }

    String key(final int index)
    {
        return keys.get(index);
    }

    long value(final int index)
    {
        return values.getLong(index);
    }
}
