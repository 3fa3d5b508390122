package io.axiom.gateway.system;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.listener.HttpListener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real server under {@code ulimit -n 256}, flooded with more idle connections than it has file descriptors: it
 * must stay alive, and once the flood is released serve again, {@code /ready} and a create included.
 * <p>
 * Two ways it gets there: normally the listener admits no more connections than the descriptors leave (so accept
 * never fails); and should accept fail anyway (forced here by a test-only property that lifts that cap), the
 * listener is rebuilt on the same port.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FileDescriptorExhaustionSystemTest
{
    private static final int OPEN_FILES = 256;
    private static final int FLOOD = 400;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    private final List<ServerProcess> servers = new ArrayList<>();

    @AfterEach
    void stopServers()
    {
        servers.forEach(ServerProcess::close);
    }

    @Test
    void connectionsAreCappedBelowTheOpenFilesLimitAndTheServerServesAfterAFlood() throws Exception
    {
        final ServerProcess server = start("");
        assertTrue(server.output().contains("gateway.max-connections lowered from 1000 to"), server.output());

        assertTrue(floodThenRelease(server) > OPEN_FILES, "the capped listener queues the whole flood");

        servesAgain(server);
    }

    @Test
    void anAcceptLoopThatDiesIsRebuiltAndTheServerServesAgain() throws Exception
    {
        final ServerProcess server = start("-D" + HttpListener.IGNORE_FD_LIMIT_PROP + "=true");

        // connections are refused once the accept loop has died, until it is rebuilt
        assertTrue(floodThenRelease(server) > OPEN_FILES / 4, "the flood hardly got in");

        servesAgain(server);
        assertTrue(server.output().contains("stopped accepting"), server.output());
        assertTrue(server.output().contains("accepts again"), server.output());
    }

    private ServerProcess start(final String javaOpts)
    {
        final ServerProcess server = ServerProcess.launch("fd-" + servers.size(), List.of("server", "--port", "0",
            "--data-dir", dataDir.resolve("data-" + servers.size()).toString(), "--gateway.idle-timeout-ms=2000",
            "--wal.max-segment-size=1MiB"), OPEN_FILES, javaOpts);
        servers.add(server);
        server.awaitListening(START_TIMEOUT);
        server.awaitReady(START_TIMEOUT);
        return server;
    }

    /**
     * @return connections the flood managed to open (and held for a while) before it let them all go.
     */
    private static int floodThenRelease(final ServerProcess server) throws InterruptedException
    {
        final List<Socket> flood = new ArrayList<>();
        try
        {
            for (int i = 0; i < FLOOD; i++)
            {
                final Socket socket = new Socket();
                try
                {
                    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2_000);
                    flood.add(socket);
                }
                catch (final IOException ex)
                {
                    closeQuietly(socket);
                }
            }
            Thread.sleep(3_000);
            assertTrue(server.process().isAlive(), server.output());
            return flood.size();
        }
        finally
        {
            flood.forEach(FileDescriptorExhaustionSystemTest::closeQuietly);
        }
    }

    private static void servesAgain(final ServerProcess server) throws Exception
    {
        final long deadline = System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
        String last = "nothing";
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build())
        {
            while (System.nanoTime() < deadline)
            {
                try
                {
                    final HttpResponse<String> ready = http.send(HttpRequest.newBuilder(server.uri("/ready"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    last = ready.statusCode() + " " + ready.body();
                    if (200 == ready.statusCode())
                    {
                        final HttpResponse<String> created = http.send(HttpRequest.newBuilder(
                            server.uri("/api/v1/workflows")).timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"after-flood\",\"steps\":[\"A\"]}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                        assertEquals(201, created.statusCode(), created.body());
                        return;
                    }
                }
                catch (final IOException ex)
                {
                    last = ex.toString();
                }
                Thread.sleep(200);
            }
        }
        throw server.failure("the server did not serve again within " + RECOVERY_TIMEOUT + "; last: " + last, null);
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
    }
}
