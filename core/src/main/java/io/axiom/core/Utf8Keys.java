package io.axiom.core;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * A dictionary of distinct UTF-8 names: found by their bytes where they lie (an event, a query), without making a
 * String, and kept in order of their bytes (unsigned, which is code point order) in a red-black tree, so that every
 * name with a given prefix is one run of that order, found and walked in log(names) a step. The tree is intrusive
 * (each {@link Key} is its node) and augmented for order statistics: each node keeps its subtree's names and the sum
 * of their weights (a name index's workflows per name), so how many names, and how many workflows, a prefix has is
 * two descents, log(names), however many names it matches. Only a new name allocates (its key); adding one costs
 * log(names) whatever their number, and a weight's change log(names).
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
        long weight;
        private Key left;
        private Key right;
        private Key parent;
        private boolean red;
        private int size;
        private long sum;

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

    private final Int2ObjectHashMap<Key> buckets = new Int2ObjectHashMap<>();
    private final Probe probe = new Probe();
    private Key root;
    private int size;

    /**
     * @return distinct names.
     */
    int size()
    {
        return size;
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
     * @param key a name not known yet, with no weight.
     */
    void add(final K key)
    {
        key.nextInBucket = buckets.get(key.hash);
        buckets.put(key.hash, key);
        insert(key);
        size++;
    }

    /**
     * Forgets a name (its last workflow left the heap): out of its bucket and out of the order.
     *
     * @param key a known name, of weight 0.
     */
    void remove(final K key)
    {
        Key previous = null;
        Key k = buckets.get(key.hash);
        while (k != key)
        {
            previous = k;
            k = k.nextInBucket;
        }
        if (null == previous)
        {
            if (null == key.nextInBucket)
            {
                buckets.remove(key.hash);
            }
            else
            {
                buckets.put(key.hash, key.nextInBucket);
            }
        }
        else
        {
            previous.nextInBucket = key.nextInBucket;
        }
        key.nextInBucket = null;
        delete(key);
        size--;
    }

    /**
     * Adds to a name's weight (a name index's workflows of that name), kept summed per subtree of the order so that
     * the weight of every name with a prefix is found in log(names) ({@link #prefixWeight}).
     *
     * @param key   a known name.
     * @param delta added to its weight.
     */
    void addWeight(final K key, final long delta)
    {
        key.weight += delta;
        for (Key k = key; null != k; k = k.parent)
        {
            k.sum += delta;
        }
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
        final Probe p = probe.wrap(buffer, offset, length);
        Key found = null;
        Key k = root;
        while (null != k)
        {
            if (compare(k, p) >= 0)
            {
                found = k;
                k = k.left;
            }
            else
            {
                k = k.right;
            }
        }
        return null != found && startsWith(found.utf8, buffer, offset, length) ? (K)found : null;
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
        final Key key = successor(previous);
        return null != key && startsWith(key.utf8, buffer, offset, length) ? (K)key : null;
    }

    /**
     * @param buffer holding a prefix's UTF-8 bytes.
     * @param offset of the bytes.
     * @param length of the bytes.
     * @return how many names start with the prefix, in log(names).
     */
    int prefixNames(final DirectBuffer buffer, final int offset, final int length)
    {
        final Probe p = probe.wrap(buffer, offset, length);
        return (int)(below(p, true, false) - below(p, false, false));
    }

    /**
     * @param buffer holding a prefix's UTF-8 bytes.
     * @param offset of the bytes.
     * @param length of the bytes.
     * @return the weights of the names that start with the prefix, summed in log(names).
     */
    long prefixWeight(final DirectBuffer buffer, final int offset, final int length)
    {
        final Probe p = probe.wrap(buffer, offset, length);
        return below(p, true, true) - below(p, false, true);
    }

    /**
     * @return the names (or their weights) before the prefix's run in the order, or before its end when through.
     */
    private long below(final Probe prefix, final boolean through, final boolean weights)
    {
        long total = 0;
        Key k = root;
        while (null != k)
        {
            final int c = comparePrefix(k, prefix);
            if (c < 0 || (through && 0 == c))
            {
                total += null == k.left ? 0 : (weights ? k.left.sum : k.left.size);
                total += weights ? k.weight : 1;
                k = k.right;
            }
            else
            {
                k = k.left;
            }
        }
        return total;
    }

    /**
     * @return below zero when the name is before every name with the prefix, zero when it starts with it, above
     * when after.
     */
    private static int comparePrefix(final Key name, final Probe prefix)
    {
        final int length = prefix.length();
        final int common = Math.min(name.utf8.length, length);
        for (int i = 0; i < common; i++)
        {
            final int x = name.utf8[i] & 0xFF;
            final int y = prefix.at(i) & 0xFF;
            if (x != y)
            {
                return x - y;
            }
        }
        return name.utf8.length < length ? -1 : 0;
    }

    private static Key successor(final Key key)
    {
        if (null != key.right)
        {
            Key k = key.right;
            while (null != k.left)
            {
                k = k.left;
            }
            return k;
        }
        Key child = key;
        Key k = key.parent;
        while (null != k && child == k.right)
        {
            child = k;
            k = k.parent;
        }
        return k;
    }

    private void insert(final Key key)
    {
        key.left = null;
        key.right = null;
        key.size = 1;
        key.sum = key.weight;
        key.red = true;
        Key parent = null;
        Key k = root;
        boolean left = false;
        while (null != k)
        {
            parent = k;
            k.size++;
            k.sum += key.weight;
            left = compare(key, k) < 0;
            k = left ? k.left : k.right;
        }
        key.parent = parent;
        if (null == parent)
        {
            root = key;
        }
        else if (left)
        {
            parent.left = key;
        }
        else
        {
            parent.right = key;
        }
        fixAfterInsert(key);
    }

    private void delete(final Key key)
    {
        if (null != key.left && null != key.right)
        {
            swapWithSuccessor(key);
        }
        for (Key k = key.parent; null != k; k = k.parent)
        {
            k.size--;
            k.sum -= key.weight;
        }
        final Key child = null != key.left ? key.left : key.right;
        if (null != child)
        {
            child.parent = key.parent;
            replaceChild(key, child);
            if (!key.red)
            {
                fixAfterDelete(child);
            }
        }
        else if (null == key.parent)
        {
            root = null;
        }
        else
        {
            key.size = 0; // a phantom leaf while the tree is rebalanced around it: it counts for nothing
            key.sum = 0;
            if (!key.red)
            {
                fixAfterDelete(key);
            }
            replaceChild(key, null);
        }
        key.left = null;
        key.right = null;
        key.parent = null;
    }

    private void replaceChild(final Key key, final Key child)
    {
        final Key parent = key.parent;
        if (null == parent)
        {
            root = child;
        }
        else if (parent.left == key)
        {
            parent.left = child;
        }
        else
        {
            parent.right = child;
        }
    }

    /**
     * Swaps a key with two children and its successor in the tree (not their contents: keys are referenced from
     * outside), so that the key has at most one child; the positions keep their colours and subtree figures.
     */
    private void swapWithSuccessor(final Key a)
    {
        Key s = a.right;
        while (null != s.left)
        {
            s = s.left;
        }
        final Key parent = a.parent;
        final Key left = a.left;
        final Key right = a.right;
        final Key successorParent = s.parent;
        final Key successorRight = s.right;
        final boolean red = a.red;
        a.red = s.red;
        s.red = red;
        final int size = a.size;
        a.size = s.size;
        s.size = size;
        final long sum = a.sum;
        a.sum = s.sum;
        s.sum = sum;

        replaceChild(a, s);
        s.parent = parent;
        s.left = left;
        left.parent = s;
        if (successorParent == a)
        {
            s.right = a;
            a.parent = s;
        }
        else
        {
            s.right = right;
            right.parent = s;
            successorParent.left = a;
            a.parent = successorParent;
        }
        a.left = null;
        a.right = successorRight;
        if (null != successorRight)
        {
            successorRight.parent = a;
        }
        a.size = 1 + (null == successorRight ? 0 : successorRight.size);
        a.sum = a.weight + (null == successorRight ? 0 : successorRight.sum);
        for (Key k = a.parent; k != s; k = k.parent)
        {
            k.sum += a.weight - s.weight; // below s's new place, a took s's place in these subtrees
        }
    }

    private void fixAfterDelete(final Key start)
    {
        Key x = start;
        while (x != root && !isRed(x))
        {
            final Key parent = x.parent;
            if (x == parent.left)
            {
                Key sibling = parent.right;
                if (isRed(sibling))
                {
                    sibling.red = false;
                    parent.red = true;
                    rotateLeft(parent);
                    sibling = parent.right;
                }
                if (!isRed(sibling.left) && !isRed(sibling.right))
                {
                    sibling.red = true;
                    x = parent;
                }
                else
                {
                    if (!isRed(sibling.right))
                    {
                        sibling.left.red = false;
                        sibling.red = true;
                        rotateRight(sibling);
                        sibling = parent.right;
                    }
                    sibling.red = parent.red;
                    parent.red = false;
                    sibling.right.red = false;
                    rotateLeft(parent);
                    x = root;
                }
            }
            else
            {
                Key sibling = parent.left;
                if (isRed(sibling))
                {
                    sibling.red = false;
                    parent.red = true;
                    rotateRight(parent);
                    sibling = parent.left;
                }
                if (!isRed(sibling.right) && !isRed(sibling.left))
                {
                    sibling.red = true;
                    x = parent;
                }
                else
                {
                    if (!isRed(sibling.left))
                    {
                        sibling.right.red = false;
                        sibling.red = true;
                        rotateLeft(sibling);
                        sibling = parent.left;
                    }
                    sibling.red = parent.red;
                    parent.red = false;
                    sibling.left.red = false;
                    rotateRight(parent);
                    x = root;
                }
            }
        }
        x.red = false;
    }

    private static boolean isRed(final Key key)
    {
        return null != key && key.red;
    }

    /**
     * @return a description of the first broken rule of the tree (order, colours, subtree figures), or null: for
     * tests.
     */
    String checkTree()
    {
        if (null != root && (root.red || null != root.parent))
        {
            return "root is red or has a parent";
        }
        final String[] problem = new String[1];
        final int blacks = check(root, problem);
        return blacks < 0 ? problem[0] : (null != root && root.size != size ? "root size " + root.size + " of " +
            size : null);
    }

    private static int check(final Key k, final String[] problem)
    {
        if (null == k)
        {
            return 1;
        }
        if ((null != k.left && (k.left.parent != k || compare(k.left, k) >= 0)) ||
            (null != k.right && (k.right.parent != k || compare(k.right, k) <= 0)))
        {
            problem[0] = "order or parent links broken at a key of " + k.utf8.length + " bytes";
            return -1;
        }
        if (k.red && (isRed(k.left) || isRed(k.right)))
        {
            problem[0] = "red key with a red child";
            return -1;
        }
        final int left = check(k.left, problem);
        final int right = check(k.right, problem);
        if (left < 0 || right < 0)
        {
            return -1;
        }
        if (left != right)
        {
            problem[0] = "black heights differ: " + left + " and " + right;
            return -1;
        }
        final int size = 1 + (null == k.left ? 0 : k.left.size) + (null == k.right ? 0 : k.right.size);
        final long sum = k.weight + (null == k.left ? 0 : k.left.sum) + (null == k.right ? 0 : k.right.sum);
        if (size != k.size || sum != k.sum)
        {
            problem[0] = "subtree figures wrong: size " + k.size + " (is " + size + "), sum " + k.sum + " (is " +
                sum + ")";
            return -1;
        }
        return left + (k.red ? 0 : 1);
    }

    private void fixAfterInsert(final Key inserted)
    {
        Key x = inserted;
        while (null != x.parent && x.parent.red)
        {
            final Key parent = x.parent;
            final Key grand = parent.parent;
            if (parent == grand.left)
            {
                final Key uncle = grand.right;
                if (null != uncle && uncle.red)
                {
                    parent.red = false;
                    uncle.red = false;
                    grand.red = true;
                    x = grand;
                }
                else
                {
                    if (x == parent.right)
                    {
                        x = parent;
                        rotateLeft(x);
                    }
                    x.parent.red = false;
                    x.parent.parent.red = true;
                    rotateRight(x.parent.parent);
                }
            }
            else
            {
                final Key uncle = grand.left;
                if (null != uncle && uncle.red)
                {
                    parent.red = false;
                    uncle.red = false;
                    grand.red = true;
                    x = grand;
                }
                else
                {
                    if (x == parent.left)
                    {
                        x = parent;
                        rotateRight(x);
                    }
                    x.parent.red = false;
                    x.parent.parent.red = true;
                    rotateLeft(x.parent.parent);
                }
            }
        }
        root.red = false;
    }

    private void rotateLeft(final Key p)
    {
        final Key r = p.right;
        p.right = r.left;
        if (null != r.left)
        {
            r.left.parent = p;
        }
        r.parent = p.parent;
        if (null == p.parent)
        {
            root = r;
        }
        else if (p.parent.left == p)
        {
            p.parent.left = r;
        }
        else
        {
            p.parent.right = r;
        }
        r.left = p;
        p.parent = r;
        r.size = p.size;
        r.sum = p.sum;
        resum(p);
    }

    private void rotateRight(final Key p)
    {
        final Key l = p.left;
        p.left = l.right;
        if (null != l.right)
        {
            l.right.parent = p;
        }
        l.parent = p.parent;
        if (null == p.parent)
        {
            root = l;
        }
        else if (p.parent.right == p)
        {
            p.parent.right = l;
        }
        else
        {
            p.parent.left = l;
        }
        l.right = p;
        p.parent = l;
        l.size = p.size;
        l.sum = p.sum;
        resum(p);
    }

    private static void resum(final Key k)
    {
        k.size = 1 + (null == k.left ? 0 : k.left.size) + (null == k.right ? 0 : k.right.size);
        k.sum = k.weight + (null == k.left ? 0 : k.left.sum) + (null == k.right ? 0 : k.right.sum);
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
