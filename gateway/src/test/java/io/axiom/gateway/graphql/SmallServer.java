package io.axiom.gateway.graphql;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.axiom.gateway.TestServer;

/**
 * A {@link TestServer} with a small footprint (1 MiB segments, a 1024-slot ring), so that the many servers of the
 * gateway's test run stay well inside the JVM's direct-memory limit.
 */
final class SmallServer
{
    /** Ring slots of a small server. */
    static final int RING_SIZE = 1024;

    private SmallServer()
    {
    }

    /**
     * @param dataDir journal directory.
     * @param flags   further flags as name, value pairs.
     * @return the ready server.
     */
    static TestServer start(final Path dataDir, final String... flags)
    {
        final List<String> all = new ArrayList<>(List.of(
            "--wal.max-segment-size", "1MiB", "--core.ring-size", Integer.toString(RING_SIZE)));
        all.addAll(List.of(flags));
        return TestServer.start(dataDir, all.toArray(String[]::new));
    }
}
