package io.axiom.core;

import java.util.Comparator;
import java.util.TreeMap;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * A dictionary of distinct UTF-8 names: found by their bytes where they lie (an event, a query), without making a
 * String, and kept in order of their bytes (unsigned, which is code point order) in a red-black tree, so that every
 * name with a given prefix is one run of that order, found and walked in log(names) a step. Only a new name allocates
 * (its key and its tree entry); adding one costs log(names) whatever their number.
 * <p>
 * Owned by the processor thread.
 *
 * @param <K> the entry kept per name.
 */
final class Utf8Keys<K extends Utf8Keys.Key>
{
    /**
     * Bytes to order: a name's, or a query's where they lie.
     */
    abstract static class Bytes
    {
        abstract int length();

        abstract byte at(int index);
    }

    /**
     * One distinct name.
     */
    static class Key extends Bytes
    {
        final byte[] utf8;
        final int hash;
        Key nextInBucket;

        Key(final byte[] utf8)
        {
            this.utf8 = utf8;
            this.hash = hash(utf8);
        }

        int length()
        {
            return utf8.length;
        }

        byte at(final int index)
        {
            return utf8[index];
        }
    }

    /**
     * Bytes of a buffer, to look the order up with; reused.
     */
    private static final class Probe extends Bytes
    {
        private DirectBuffer buffer;
        private int offset;
        private int length;

        Probe wrap(final DirectBuffer buffer, final int offset, final int length)
        {
            this.buffer = buffer;
            this.offset = offset;
            this.length = length;
            return this;
        }

        int length()
        {
            return length;
        }

        byte at(final int index)
        {
            return buffer.getByte(offset + index);
        }
    }

    private static final Comparator<Bytes> ORDER = Utf8Keys::compare;

    private final Int2ObjectHashMap<Key> buckets = new Int2ObjectHashMap<>();
    private final TreeMap<Bytes, Key> sorted = new TreeMap<>(ORDER);
    private final Probe probe = new Probe();

    /**
     * @return distinct names.
     */
    int size()
    {
        return sorted.size();
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
            if (key.utf8.length == length && 0 == compare(key, probe.wrap(buffer, offset, length)))
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
        sorted.put(key, key);
    }

    /**
     * @param buffer holding a prefix's UTF-8 bytes.
     * @param offset of the bytes.
     * @param length of the bytes.
     * @return the first name, in byte order, that starts with the prefix, or null when none does.
     */
    @SuppressWarnings("unchecked")
    K firstWithPrefix(final DirectBuffer buffer, final int offset, final int length)
    {
        final Key key = (Key)sorted.ceilingKey(probe.wrap(buffer, offset, length));
        return null != key && startsWith(key.utf8, buffer, offset, length) ? (K)key : null;
    }

    /**
     * @param previous a name that starts with the prefix.
     * @param buffer   holding the prefix's UTF-8 bytes.
     * @param offset   of the bytes.
     * @param length   of the bytes.
     * @return the next name, in byte order, that starts with the prefix, or null when none does.
     */
    @SuppressWarnings("unchecked")
    K nextWithPrefix(final K previous, final DirectBuffer buffer, final int offset, final int length)
    {
        final Key key = (Key)sorted.higherKey(previous);
        return null != key && startsWith(key.utf8, buffer, offset, length) ? (K)key : null;
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

    /**
     * @return the order of two byte strings, unsigned and byte by byte, the shorter first when one is a prefix of the
     * other.
     */
    private static int compare(final Bytes a, final Bytes b)
    {
        final int aLength = a.length();
        final int bLength = b.length();
        for (int i = 0, common = Math.min(aLength, bLength); i < common; i++)
        {
            final int x = a.at(i) & 0xFF;
            final int y = b.at(i) & 0xFF;
            if (x != y)
            {
                return x - y;
            }
        }
        return aLength - bLength;
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
