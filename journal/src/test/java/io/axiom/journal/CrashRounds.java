package io.axiom.journal;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The harness of the crash tests that SIGKILL a child appender ({@link ChildJvm}): the seed of a run, and the child of
 * the current round, killed after each test (register with {@code @RegisterExtension}) even when the test timed out
 * while reading from it.
 */
final class CrashRounds implements AfterEachCallback
{
    private ChildJvm child;

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
     * Start the round's child, with its stderr to a file.
     *
     * @param stderr the file for its stderr.
     * @param main   its main class.
     * @param args   its arguments.
     * @return the child.
     */
    ChildJvm start(final Path stderr, final Class<?> main, final String... args) throws IOException
    {
        child = ChildJvm.start(stderr, main, args);
        return child;
    }

    public void afterEach(final ExtensionContext context) throws InterruptedException
    {
        if (null != child)
        {
            child.kill();
        }
    }
}
