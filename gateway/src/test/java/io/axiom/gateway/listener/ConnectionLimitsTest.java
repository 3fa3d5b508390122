package io.axiom.gateway.listener;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.RawHttp;
import io.axiom.gateway.TestServer;
import io.axiom.gateway.graphql.WebSocketProbe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener's limits with short timeouts: a connection that says nothing, a request head trickled a byte at a
 * time and a flood of connections beyond {@code gateway.max-connections} are all closed, while a slow but steady body
 * and a quiet GraphQL subscription (kept alive by the server's pings) are not, and a normal client is served after.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ConnectionLimitsTest
{
    private static final int MAX_CONNECTIONS = 8;
    private static final int IDLE_MS = 600;
    private static final int HEAD_MS = 600;
    private static final int READ_TIMEOUT_MS = 15_000;

    @TempDir
    static Path dataDir;

    private static TestServer server;

    @BeforeAll
    static void start()
    {
        server = TestServer.start(dataDir, "--wal.max-segment-size", "1MiB", "--core.ring-size", "1024",
            "--gateway.max-connections", Integer.toString(MAX_CONNECTIONS),
            "--gateway.idle-timeout-ms", Integer.toString(IDLE_MS),
            "--gateway.request-head-timeout-ms", Integer.toString(HEAD_MS));
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void aConnectionThatSaysNothingIsClosedAfterTheIdleTimeout()
    {
        try (RawHttp silent = RawHttp.connect(server.port(), READ_TIMEOUT_MS))
        {
            final long start = System.nanoTime();
            assertTrue(silent.closedByServer(), "an idle connection was not closed");
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsedMs >= IDLE_MS / 2, "closed after " + elapsedMs + " ms, before the idle timeout");
        }
        try (RawHttp keptAlive = RawHttp.connect(server.port(), READ_TIMEOUT_MS))
        {
            keptAlive.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertTrue(readResponseHead(keptAlive.socket()).startsWith("HTTP/1.1 200"));
            assertTrue(keptAlive.closedByServer(), "an idle kept-alive connection was not closed");
        }
    }

    @Test
    void aRequestHeadTrickledAByteAtATimeGets408AndIsClosed() throws Exception
    {
        for (final String head : List.of(
            "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + "s".repeat(200) + "\r\n\r\n",
            "GET /api/v1/workflows?" + "q".repeat(200) + " HTTP/1.1\r\nHost: localhost\r\n\r\n"))
        {
            final long before = server.server().listener().guard().headTimeouts();
            try (Socket socket = new Socket("127.0.0.1", server.port()))
            {
                socket.setSoTimeout(READ_TIMEOUT_MS);
                final Thread trickle = Thread.ofVirtual().start(() -> trickle(socket, head, 50));
                final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                trickle.join(READ_TIMEOUT_MS);
                assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
                assertTrue(answer.contains("\"code\":\"REQUEST_HEAD_TIMEOUT\""), answer);
                assertTrue(answer.contains("gateway.request-head-timeout-ms"), answer);
            }
            assertEquals(before + 1, server.server().listener().guard().headTimeouts());
        }
        assertEquals(200, rawStatus("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
    }

    @Test
    void aSlowButSteadyBodyIsNotCut() throws Exception
    {
        final String body = "{\"name\":\"slow-body\",\"steps\":[\"A\"],\"input\":{\"pad\":\"" + "p".repeat(60) + "\"}}";
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            final OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/workflows HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
                "Connection: close\r\nContent-Length: " + body.length() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
            final int pieces = 8;
            for (int i = 0; i < pieces; i++)
            {
                Thread.sleep(Math.max(IDLE_MS, HEAD_MS) / 2);
                final int from = i * bytes.length / pieces;
                out.write(bytes, from, (i + 1) * bytes.length / pieces - from);
                out.flush();
            }
            final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 201 "), answer);
        }
    }

    @Test
    void aFloodBeyondTheConnectionLimitIsClosedAndANormalClientIsServedAfter() throws Exception
    {
        final int flood = MAX_CONNECTIONS * 5;
        final ConnectionGuard guard = server.server().listener().guard();
        final AtomicInteger mostOpen = new AtomicInteger();
        final Thread watcher = Thread.ofVirtual().start(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                mostOpen.accumulateAndGet(guard.openConnections(), Math::max);
                try
                {
                    Thread.sleep(2);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        });
        final List<Socket> sockets = new ArrayList<>();
        try
        {
            for (int i = 0; i < flood; i++)
            {
                final Socket socket = new Socket("127.0.0.1", server.port());
                socket.setSoTimeout(READ_TIMEOUT_MS * 2);
                sockets.add(socket);
            }
            for (final Socket socket : sockets)
            {
                assertEquals(-1, socket.getInputStream().read(), "a flood connection was answered, not closed");
            }
        }
        finally
        {
            watcher.interrupt();
            watcher.join();
            for (final Socket socket : sockets)
            {
                socket.close();
            }
        }
        assertTrue(mostOpen.get() <= MAX_CONNECTIONS, "open connections reached " + mostOpen.get());
        assertTrue(mostOpen.get() >= MAX_CONNECTIONS / 2, "the flood was hardly admitted: " + mostOpen.get());
        assertEquals(200, rawStatus("GET /ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
        assertEquals(201, rawStatus(post("/api/v1/workflows", "{\"name\":\"after\",\"steps\":[\"A\"]}")));
    }

    @Test
    void aQuietSubscriptionOutlivesTheIdleTimeout() throws Exception
    {
        final String created = rawBody(post("/api/v1/workflows", "{\"name\":\"quiet\",\"steps\":[\"A\"]}"));
        final String id = created.replaceAll("(?s).*\"id\":\"(\\d+)\".*", "$1");
        try (WebSocketProbe ws = WebSocketProbe.subscribe(server.port(),
            "subscription { workflowEvents(workflow_id: \"" + id + "\") { type } }"))
        {
            assertEquals("WorkflowCreated", ws.nextEventType());
            assertEquals("StepScheduled", ws.nextEventType());
            Thread.sleep(IDLE_MS * 4L);
            assertEquals(200, rawStatus("POST /api/v1/workflows/" + id + "/cancel HTTP/1.1\r\nHost: localhost\r\n" +
                "Connection: close\r\nContent-Length: 0\r\n\r\n"));
            assertEquals("WorkflowCancelled", ws.nextEventType());
        }
    }

    private static void trickle(final Socket socket, final String text, final long pauseMs)
    {
        try
        {
            final OutputStream out = socket.getOutputStream();
            for (final byte b : text.getBytes(StandardCharsets.US_ASCII))
            {
                out.write(b);
                out.flush();
                Thread.sleep(pauseMs);
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            // the server closed the connection: what the test waits for
        }
    }

    private static String post(final String path, final String json)
    {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
            "Connection: close\r\nContent-Length: " + json.length() + "\r\n\r\n" + json;
    }

    private static int rawStatus(final String request)
    {
        try (RawHttp client = RawHttp.connect(server.port(), READ_TIMEOUT_MS))
        {
            return RawHttp.Response.parse(client.send(request).readToEnd()).status();
        }
    }

    private static String rawBody(final String request)
    {
        try (RawHttp client = RawHttp.connect(server.port(), READ_TIMEOUT_MS))
        {
            return RawHttp.Response.parse(client.send(request).readToEnd()).body();
        }
    }

    private static String readResponseHead(final Socket socket)
    {
        try
        {
            final InputStream in = socket.getInputStream();
            final StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n"))
            {
                final int b = in.read();
                if (b < 0)
                {
                    break;
                }
                head.append((char)b);
            }
            final int length = Integer.parseInt(head.toString().replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
            in.readNBytes(length);
            return head.toString();
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError("no response", ex);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
