package io.axiom.cluster.service;

import java.util.ArrayList;
import java.util.List;

import io.axiom.core.HostedLog;
import io.axiom.core.ReplySink;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The dealer knows a worker by the object its route key resolves to. On the node holding the connection and on every
 * other node, that must be one object per key: the same connection under two keys is two workers everywhere.
 */
class RoutesTest
{
    private final List<Object> delivered = new ArrayList<>();
    private final ReplySink endpoint = (replyTo, buffer, offset, length) -> delivered.add(replyTo);
    private final Object connection = new Object();

    @Test
    void aConnectionThatComesBackUnderANewKeyIsANewWorkerOnTheNodeHoldingIt()
    {
        final Routes here = new Routes();
        final Routes elsewhere = new Routes();
        here.session(3);
        final long first = here.connection(endpoint, connection, 0);
        assertEquals(3L, first >>> HostedLog.ROUTE_CONNECTION_BITS);
        assertSame(here.replyTo(first), here.replyTo(first), "one identity per key");

        here.session(4); // this node's session with the cluster was replaced: its connections get new keys
        final long second = here.connection(endpoint, connection, 0);
        assertNotSame(here.replyTo(first), here.replyTo(second),
            "the same connection under a new key must be a new worker here, as it is on every other node");
        assertNotSame(elsewhere.replyTo(first), elsewhere.replyTo(second));
        assertSame(elsewhere.replyTo(first), elsewhere.replyTo(first));

        // Answers under either key reach the connection with the token its producer gave.
        here.sink(second).onReply(here.replyTo(second), new UnsafeBuffer(new byte[8]), 0, 8);
        here.sink(first).onReply(here.replyTo(first), new UnsafeBuffer(new byte[8]), 0, 8);
        assertEquals(List.of(connection, connection), delivered);
        elsewhere.sink(second).onReply(elsewhere.replyTo(second), new UnsafeBuffer(new byte[8]), 0, 8);
        assertEquals(2, delivered.size(), "another node's answers to the worker go nowhere");
    }

    @Test
    void aGoodbyeGivesTheConnectionsNextFrameANewKey()
    {
        final Routes here = new Routes();
        here.session(7);
        final long first = here.connection(endpoint, connection, 0);
        assertEquals(first, here.connection(endpoint, connection, 0));
        here.forget(connection);
        final long second = here.connection(endpoint, connection, 0);
        assertNotSame(here.replyTo(first), here.replyTo(second));
    }

    @Test
    void aClosedSessionsWorkersBecomeStandInsEverywhere()
    {
        final Routes here = new Routes();
        here.session(5);
        final long key = here.connection(endpoint, connection, 0);
        here.sessionClosed(5);
        assertSame(Routes.DISCARD, here.sink(key));
        assertEquals(new Routes.StandIn(key), here.replyTo(key));
    }
}
