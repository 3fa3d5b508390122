package io.axiom.gateway.graphql;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bounded waiting for a condition, for tests.
 */
final class TestAwait
{
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TestAwait()
    {
    }

    /**
     * @param what      what is awaited, for the failure message.
     * @param condition the condition.
     */
    static void until(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out after " + TIMEOUT + " waiting for " + what);
            }
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }
}
