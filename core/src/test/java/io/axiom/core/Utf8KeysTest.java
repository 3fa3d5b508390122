package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The dictionary's augmented red-black tree against a brute force over a sorted map: random names (short, sharing
 * prefixes, non-ASCII bytes) and weights, and for random prefixes the run of names, their count and summed weight.
 */
class Utf8KeysTest
{
    @Test
    void prefixRunsCountsAndWeightsEqualABruteForce()
    {
        final long seed = System.nanoTime();
        System.out.println("Utf8KeysTest seed " + seed);
        final Random random = new Random(seed);
        final Utf8Keys<Utf8Keys.Key> keys = new Utf8Keys<>();
        final TreeMap<String, Utf8Keys.Key> expected = new TreeMap<>(Utf8KeysTest::compareUtf8);
        final List<Utf8Keys.Key> added = new ArrayList<>();
        for (int round = 0; round < 3000; round++)
        {
            final String name = randomName(random);
            final byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            Utf8Keys.Key key = keys.find(new UnsafeBuffer(utf8), 0, utf8.length);
            if (null == key)
            {
                assertNull(expected.get(name), "seed " + seed);
                key = new Utf8Keys.Key(utf8);
                keys.add(key);
                expected.put(name, key);
                added.add(key);
            }
            keys.addWeight(key, 1 + random.nextInt(3));
            if (random.nextInt(20) == 0)
            {
                final Utf8Keys.Key any = added.get(random.nextInt(added.size()));
                keys.addWeight(any, 1);
            }
            if (round % 10 == 0)
            {
                assertEquals(expected.size(), keys.size());
                for (int q = 0; q < 5; q++)
                {
                    check(keys, expected, random.nextInt(4) == 0 ? "" : randomName(random), seed);
                }
            }
        }
    }

    /**
     * Names come and go (a name leaves when its last workflow leaves the heap): after every removal the tree keeps
     * its red-black rules and subtree figures, and runs, counts and weights equal the brute force.
     */
    @Test
    void namesRemovedInAnyOrderLeaveATreeThatStillAnswersExactly()
    {
        final long seed = Long.getLong("axiom.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        final Utf8Keys<Utf8Keys.Key> keys = new Utf8Keys<>();
        final TreeMap<String, Utf8Keys.Key> expected = new TreeMap<>(Utf8KeysTest::compareUtf8);
        for (int round = 0; round < 6000; round++)
        {
            final String name = randomName(random) + randomName(random);
            final byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            final Utf8Keys.Key found = keys.find(new UnsafeBuffer(utf8), 0, utf8.length);
            if (random.nextInt(5) < 3 && null == found)
            {
                final Utf8Keys.Key key = new Utf8Keys.Key(utf8);
                keys.add(key);
                keys.addWeight(key, 1 + random.nextInt(3));
                expected.put(name, key);
            }
            else if (!expected.isEmpty())
            {
                final String victim = random.nextBoolean() && null != found ? name :
                    new ArrayList<>(expected.keySet()).get(random.nextInt(expected.size()));
                final Utf8Keys.Key key = expected.remove(victim);
                keys.addWeight(key, -key.weight);
                keys.remove(key);
                final byte[] gone = victim.getBytes(StandardCharsets.UTF_8);
                assertNull(keys.find(new UnsafeBuffer(gone), 0, gone.length), "seed " + seed);
            }
            assertNull(keys.checkTree(), "seed " + seed);
            assertEquals(expected.size(), keys.size(), "seed " + seed);
            if (round % 20 == 0)
            {
                check(keys, expected, random.nextInt(4) == 0 ? "" : randomName(random), seed);
            }
        }
        for (final String name : new ArrayList<>(expected.keySet()))
        {
            final Utf8Keys.Key key = expected.remove(name);
            keys.addWeight(key, -key.weight);
            keys.remove(key);
            assertNull(keys.checkTree(), "seed " + seed);
        }
        assertEquals(0, keys.size());
        check(keys, expected, "", seed);
    }

    private static void check(
        final Utf8Keys<Utf8Keys.Key> keys,
        final TreeMap<String, Utf8Keys.Key> expected,
        final String prefix,
        final long seed)
    {
        final byte[] utf8 = prefix.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer buffer = new UnsafeBuffer(utf8);
        final List<Utf8Keys.Key> run = new ArrayList<>();
        long weight = 0;
        for (final var e : expected.entrySet())
        {
            if (e.getKey().startsWith(prefix))
            {
                run.add(e.getValue());
                weight += e.getValue().weight;
            }
        }
        final List<Utf8Keys.Key> walked = new ArrayList<>();
        for (Utf8Keys.Key k = keys.firstWithPrefix(buffer, 0, utf8.length); null != k;
            k = keys.nextWithPrefix(k, buffer, 0, utf8.length))
        {
            walked.add(k);
        }
        assertEquals(run.size(), walked.size(), "prefix '" + prefix + "', seed " + seed);
        for (int i = 0; i < run.size(); i++)
        {
            assertSame(run.get(i), walked.get(i), "prefix '" + prefix + "', seed " + seed);
        }
        assertEquals(run.size(), keys.prefixNames(buffer, 0, utf8.length), "prefix '" + prefix + "', seed " + seed);
        assertEquals(weight, keys.prefixWeight(buffer, 0, utf8.length), "prefix '" + prefix + "', seed " + seed);
    }

    private static String randomName(final Random random)
    {
        final String alphabet = "abc\u00e9\u00ff";
        final StringBuilder name = new StringBuilder();
        for (int i = 0, length = random.nextInt(6); i < length; i++)
        {
            name.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return name.toString();
    }

    private static int compareUtf8(final String a, final String b)
    {
        final byte[] x = a.getBytes(StandardCharsets.UTF_8);
        final byte[] y = b.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.compareUnsigned(x, y);
    }
}
