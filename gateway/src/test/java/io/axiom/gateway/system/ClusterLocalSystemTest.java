package io.axiom.gateway.system;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.aeron.cluster.service.ClusterMarkFile;
import io.axiom.cluster.node.ClusterMembers;
import io.axiom.gateway.cli.ClusterLocalCommand;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/axiom cluster local --nodes 3} with real processes: the parent starts three {@code bin/axiom server
 * --cluster} children, prints one URL line per member once it listens, a workflow created through one member is read
 * through another, and a SIGTERM of the parent stops every child before the parent ends.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClusterLocalSystemTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void threeMembersServeAndAllStopWithTheParent() throws Exception
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final int basePort = freeRange(random, 20_000, 2_000, 3 * ClusterMembers.LOCAL_PORT_STEP);
        final int ingressPort = freeRange(random, 41_000, 800, 3);
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (ServerProcess parent = ServerProcess.launch("cluster-local", List.of("cluster", "local",
            "--nodes", "3",
            "--base-port", Integer.toString(basePort),
            "--port", "0",
            "--ingress-port", Integer.toString(ingressPort),
            "--data-dir", dir.resolve("data-cluster").toString())))
        {
            parent.awaitOutput("cluster local: every member listens", TIMEOUT);
            final Map<Integer, URI> urls = new TreeMap<>();
            for (final String line : parent.output().lines().toList())
            {
                final Matcher matcher = ClusterLocalCommand.MEMBER_URL.matcher(line);
                if (matcher.find())
                {
                    urls.put(Integer.parseInt(matcher.group(1)), URI.create(matcher.group(2)));
                }
            }
            assertEquals(3, urls.size(), "seed " + seed + ": one URL line per member\n" + parent.output());
            final List<ProcessHandle> children = parent.process().descendants().toList();
            assertEquals(3, children.size(), "three member processes: " + children);

            SystemHttp.await(parent, TIMEOUT, "every member ready", () ->
                urls.values().stream().allMatch(url -> 200 == status(http, url.resolve("/ready"))));
            final HttpResponse<String> created = http.send(HttpRequest.newBuilder(urls.get(0).resolve(
                "/api/v1/workflows")).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"local\",\"steps\":[{\"name\":\"ok\"," +
                    "\"type\":\"approval\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, created.statusCode(), created.body());
            final String id = SystemHttp.readTree(created.body()).get("id").asText();
            SystemHttp.await(parent, TIMEOUT, "workflow " + id + " read through member 2", () ->
                200 == status(http, urls.get(2).resolve("/api/v1/workflows/" + id)));

            parent.terminate(TIMEOUT);
            for (final ProcessHandle child : children)
            {
                assertTrue(!child.isAlive(), "member process " + child.pid() + " outlived the parent\n" +
                    parent.output());
            }
            final String output = parent.output();
            assertTrue(output.contains("cluster local: every member stopped"), output);
            for (int i = 0; i < 3; i++)
            {
                final String prefix = "[node-" + i + "] ";
                assertTrue(output.lines().anyMatch(line -> line.startsWith(prefix) && line.contains("Axiom stopped: ")),
                    "node-" + i + " stopped cleanly (SIGTERM, not a kill)\n" + output);
            }
        }
        finally
        {
            http.close();
            deleteDriverDirectories(dir.resolve("data-cluster"));
        }
    }

    /**
     * A stopped member's media driver directory (under {@code /dev/shm}) outlives it; each is named in its cluster
     * mark file.
     */
    private static void deleteDriverDirectories(final Path dataDir)
    {
        for (int i = 0; i < 3; i++)
        {
            final java.io.File clusterDir = dataDir.resolve("node-" + i).resolve("cluster").resolve("cluster").toFile();
            if (new java.io.File(clusterDir, ClusterMarkFile.FILENAME).isFile())
            {
                try (ClusterMarkFile markFile = new ClusterMarkFile(
                    clusterDir, ClusterMarkFile.FILENAME, System::currentTimeMillis, 1_000, (message) -> { }))
                {
                    org.agrona.IoUtil.delete(new java.io.File(markFile.decoder().aeronDirectory()), true);
                }
            }
        }
    }

    private static int status(final HttpClient http, final URI uri)
    {
        try
        {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (final IOException ex)
        {
            return -1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int freeRange(final Random random, final int from, final int steps, final int count)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = from + random.nextInt(steps) * 10;
            if (allFree(base, count))
            {
                return base;
            }
        }
        throw new IllegalStateException("no free port range found in 100 attempts");
    }

    private static boolean allFree(final int base, final int count)
    {
        for (int port = base; port < base + count; port++)
        {
            try (DatagramSocket socket = new DatagramSocket(null))
            {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }
}
