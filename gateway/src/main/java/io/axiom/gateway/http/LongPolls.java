package io.axiom.gateway.http;

import java.util.function.BooleanSupplier;

/**
 * Tells the long polls of worker fetches (REST and GraphQL) when to end early: when the server stops serving. Helidon
 * waits for the requests in flight when it stops, so a fetch waiting out its {@code wait_ms} (up to 30 s) would hold
 * up a server's stop and then answer nobody. One per server, shared through {@link GatewaySettings}; the
 * {@link Gateway} points it at its HTTP listener. Thread-safe.
 */
public final class LongPolls
{
    private volatile BooleanSupplier ending = () -> false;

    /**
     * @param condition true while long polls must end at once (the listener accepts no connections).
     */
    public void endWhen(final BooleanSupplier condition)
    {
        ending = condition;
    }

    /**
     * @return true when a long poll must end now, with what it has.
     */
    public boolean ending()
    {
        return ending.getAsBoolean();
    }
}
