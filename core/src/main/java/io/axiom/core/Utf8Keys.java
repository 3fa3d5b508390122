package io.axiom.core;

import java.util.Arrays;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * A dictionary of distinct UTF-8 names: found by their bytes where they lie (an event, a query), without making a
 * String, and kept sorted by their bytes (unsigned, which is code point order), so that every name with a given
 * prefix is one run of the sorted order. Only a new name allocates (its key and a slot in the sorted array).
 * <p>
 * Owned by the processor thread.
 *
 * @param <K> the entry kept per name.
 */
final class Utf8Keys<K extends Utf8Keys.Key>
{
    /**
     * One distinct name.
     */
    static class Key
    {
        final byte[] utf8;
        final int hash;
        Key nextInBucket;

        Key(final byte[] utf8)
        {
            this.utf8 = utf8;
            this.hash = hash(utf8);
        }
    }

    private final Int2ObjectHashMap<Key> buckets = new Int2ObjectHashMap<>();
    private Key[] sorted = new Key[16];
    private int size;

    /**
     * @return distinct names.
     */
    int size()
    {
        return size;
    }

    /**
     * @param rank a position in byte order, from 0.
     * @return the name there.
     */
    @SuppressWarnings("unchecked")
    K get(final int rank)
    {
        return (K)sorted[rank];
    }

    /**
     * @param buffer holding the name's UTF-8 bytes.
     * @param offset of the bytes.
     * @param length of the bytes.
     * @return its entry, or null when the name is not known.
     */
    @SuppressWarnings("unchecked")
    K find(final DirectBuffer buffer, final int offset, final int length)
    {
        Key key = buckets.get(hash(buffer, offset, length));
        while (null != key)
        {
            if (key.utf8.length == length && 0 == compare(key.utf8, buffer, offset, length))
            {
                return (K)key;
            }
            key = key.nextInBucket;
        }
        return null;
    }

    /**
     * @param key a name not known yet.
     */
    void add(final K key)
    {
        key.nextInBucket = buckets.get(key.hash);
        buckets.put(key.hash, key);
        final int at = lowerBound(key.utf8);
        if (size == sorted.length)
        {
            sorted = Arrays.copyOf(sorted, size * 2);
        }
        System.arraycopy(sorted, at, sorted, at + 1, size - at);
        sorted[at] = key;
        size++;
    }

    /**
     * @param buffer holding a prefix's UTF-8 bytes.
     * @param offset of the bytes.
     * @param length of the bytes.
     * @return the rank of the first name that starts with the prefix (or would, if there is none).
     */
    int prefixStart(final DirectBuffer buffer, final int offset, final int length)
    {
        int low = 0;
        int high = size;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (compare(sorted[mid].utf8, buffer, offset, length) < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    /**
     * @param buffer holding a prefix's UTF-8 bytes.
     * @param offset of the bytes.
     * @param length of the bytes.
     * @return the rank after the last name that starts with the prefix: in byte order the names below the prefix
     * come first, then those that start with it, then the rest.
     */
    int prefixEnd(final DirectBuffer buffer, final int offset, final int length)
    {
        int low = 0;
        int high = size;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            final byte[] name = sorted[mid].utf8;
            if (compare(name, buffer, offset, length) < 0 || startsWith(name, buffer, offset, length))
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    /**
     * @param name   a name's bytes.
     * @param buffer holding a prefix's UTF-8 bytes.
     * @param offset of the bytes.
     * @param length of the bytes.
     * @return true when the name starts with the prefix.
     */
    static boolean startsWith(final byte[] name, final DirectBuffer buffer, final int offset, final int length)
    {
        if (name.length < length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (name[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    private int lowerBound(final byte[] utf8)
    {
        int low = 0;
        int high = size;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (Arrays.compareUnsigned(sorted[mid].utf8, utf8) < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    /**
     * @return the order of the name and the bytes, unsigned and byte by byte, the shorter first when one is a prefix
     * of the other.
     */
    private static int compare(final byte[] name, final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0, common = Math.min(name.length, length); i < common; i++)
        {
            final int a = name[i] & 0xFF;
            final int b = buffer.getByte(offset + i) & 0xFF;
            if (a != b)
            {
                return a - b;
            }
        }
        return name.length - length;
    }

    static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        int h = 1;
        for (int i = 0; i < length; i++)
        {
            h = 31 * h + buffer.getByte(offset + i);
        }
        return h;
    }

    static int hash(final byte[] utf8)
    {
        int h = 1;
        for (final byte b : utf8)
        {
            h = 31 * h + b;
        }
        return h;
    }
}
