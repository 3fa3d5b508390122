package io.axiom.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The harness of the crash tests that SIGKILL a child engine process ({@link ChildJvmCommand}): the seed of a run, and
 * the child of the current round, killed after each test (register with {@code @RegisterExtension}) even when the test
 * timed out while reading from it.
 */
final class CrashRounds implements AfterEachCallback
{
    /**
     * A test body run with its seed.
     */
    @FunctionalInterface
    interface Seeded
    {
        void run(long seed) throws Exception;
    }

    /**
     * Records one {@code ACK} line of the child, split on spaces.
     */
    @FunctionalInterface
    interface AckLine
    {
        /**
         * @param fields the line's fields, the first one {@code ACK}.
         * @return true when it was an acknowledgement and is counted.
         */
        boolean accept(String[] fields);
    }

    /**
     * What happens between the last acknowledgement read and the kill.
     */
    @FunctionalInterface
    interface Pause
    {
        Pause NONE = () -> {};

        void pause() throws InterruptedException;
    }

    private Process child;

    /**
     * The seed of this run: {@code -Daxiom.test.seed} or a new one, printed as {@code "<label> seed=<seed>"}.
     *
     * @param label what the printed line starts with.
     * @return the seed.
     */
    static long seed(final String label)
    {
        final long seed = Long.getLong("axiom.test.seed", System.nanoTime());
        System.out.println(label + " seed=" + seed);
        return seed;
    }

    /**
     * Run body with {@link #seed(String)}; a failure is thrown again with the seed and how to rerun with it.
     *
     * @param label  what the printed seed line starts with.
     * @param prefix what the failure's message starts with, before the seed ("" for nothing).
     * @param body   the test.
     */
    static void seeded(final String label, final String prefix, final Seeded body) throws Exception
    {
        final long seed = seed(label);
        try
        {
            body.run(seed);
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw new AssertionError(prefix + "seed=" + seed + " (rerun with -Daxiom.test.seed=" + seed + "): " +
                ex.getMessage(), ex);
        }
    }

    /**
     * Start a child with its stderr to a file; it is killed after the test if still alive.
     *
     * @param command the child's command line.
     * @param err     the file for its stderr.
     * @return the child.
     */
    Process start(final List<String> command, final Path err) throws IOException
    {
        child = new ProcessBuilder(command).redirectError(err.toFile()).start();
        return child;
    }

    /**
     * One round: start a child, read its stdout until acksWanted {@code ACK} lines were accepted (or, when none is
     * wanted, until {@code READY}), pause, SIGKILL it, and assert that it did not stop early.
     *
     * @param command    the child's command line.
     * @param err        the file for its stderr, shown when it stopped early.
     * @param where      the round, for the failure message.
     * @param acksWanted acknowledgements to read before the kill.
     * @param onAck      records an acknowledgement.
     * @param beforeKill the pause before the kill.
     */
    void killAfterAcks(
        final List<String> command,
        final Path err,
        final String where,
        final int acksWanted,
        final AckLine onAck,
        final Pause beforeKill) throws IOException, InterruptedException
    {
        start(command, err);
        int acks = 0;
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = out.readLine()))
            {
                if (0 == acksWanted && "READY".equals(line))
                {
                    break;
                }
                final String[] f = line.split(" ");
                if ("ACK".equals(f[0]) && onAck.accept(f) && ++acks == acksWanted)
                {
                    break;
                }
            }
            beforeKill.pause();
            kill();
        }
        assertEquals(acksWanted, acks, where + ": the child stopped early: " + Files.readString(err));
    }

    /**
     * SIGKILL the child, if any, and wait for it to be gone.
     */
    void kill() throws InterruptedException
    {
        if (null != child)
        {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    public void afterEach(final ExtensionContext context) throws InterruptedException
    {
        kill();
    }
}
