package io.axiom.chaos.soak;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The HTTP base URIs of the server, or of every cluster member, as they are now: a slot is null while its process is
 * down or starting, and takes the new URI (a new ephemeral port) once it is ready again. Clients take them
 * round-robin, so creates spread over the members and a retry goes to another member than the try that failed.
 */
final class Endpoints
{
    private final AtomicReferenceArray<URI> uris;
    private final AtomicInteger turn = new AtomicInteger();

    /**
     * @param size one for a single server, the member count for a cluster.
     */
    Endpoints(final int size)
    {
        this.uris = new AtomicReferenceArray<>(size);
    }

    int size()
    {
        return uris.length();
    }

    /**
     * @param slot the member (0 for a single server).
     * @param uri  its base URI, or null while it is down.
     */
    void set(final int slot, final URI uri)
    {
        uris.set(slot, uri);
    }

    /**
     * @param slot the member (0 for a single server).
     * @return its base URI, or null while it is down.
     */
    URI get(final int slot)
    {
        return uris.get(slot);
    }

    /**
     * @return the next URI up, round-robin, or null when none is.
     */
    URI next()
    {
        final int size = uris.length();
        final int first = Math.floorMod(turn.getAndIncrement(), size);
        for (int i = 0; i < size; i++)
        {
            final URI uri = uris.get((first + i) % size);
            if (null != uri)
            {
                return uri;
            }
        }
        return null;
    }

    /**
     * Forget every URI: nothing is to be asked any more.
     */
    void clear()
    {
        for (int i = 0; i < uris.length(); i++)
        {
            uris.set(i, null);
        }
    }
}
