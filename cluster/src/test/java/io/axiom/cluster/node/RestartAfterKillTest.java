package io.axiom.cluster.node;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.aeron.archive.ArchiveMarkFile;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.codecs.mark.ClusterComponentType;
import io.aeron.cluster.service.ClusterMarkFile;
import io.aeron.cluster.service.ClusteredServiceContainer;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A node SIGKILLed in its own process restarts on its directory at once: the node lock shows nobody else uses it,
 * so the mark files the dead process left (which Aeron takes for a live node for 10 s) are deleted.
 */
class RestartAfterKillTest
{
    @TempDir
    Path tempDir;

    private final long seed = System.nanoTime();
    private Process process;
    private ClusterNode node;

    @AfterEach
    void tearDown() throws InterruptedException
    {
        if (null != process && process.isAlive())
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        CloseHelper.close(node);
    }

    @Test
    void restartsAtOnceAfterSigkill() throws Exception
    {
        final int basePort = TestCluster.freeBasePort(new Random(seed), 1);
        final File nodeDir = tempDir.resolve("node-0").toFile();
        final long childPid = startChild(nodeDir, basePort);

        final File lockFile = new File(nodeDir, ClusterNode.LOCK_FILE);
        final IllegalStateException locked = assertThrows(IllegalStateException.class, () -> launch(nodeDir, basePort));
        assertTrue(locked.getMessage().contains(lockFile.getCanonicalPath()), locked.getMessage());
        assertTrue(locked.getMessage().contains("another process") &&
            locked.getMessage().contains("pid " + childPid), locked.getMessage());

        process.destroyForcibly();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "child did not die");
        final File clusterDir = new File(nodeDir, ClusterNode.CLUSTER_DIR);
        final List<File> stale = List.of(
            new File(new File(nodeDir, ClusterNode.ARCHIVE_DIR), ArchiveMarkFile.FILENAME),
            new File(clusterDir, ClusterMarkFile.FILENAME),
            new File(clusterDir, ClusterMarkFile.markFilenameForService(0)));
        for (final File file : stale)
        {
            assertTrue(file.exists(), "the killed node left " + file);
        }

        final long killedAtNs = System.nanoTime();
        final File serviceMarkFile = stale.get(2);
        final IllegalStateException serviceRefused = assertThrows(
            IllegalStateException.class, () -> new ClusterMarkFile(
            serviceMarkFile,
            ClusterComponentType.CONTAINER,
            ClusterMarkFile.ERROR_BUFFER_MIN_LENGTH,
            SystemEpochClock.INSTANCE,
            ClusteredServiceContainer.Configuration.LIVENESS_TIMEOUT_MS,
            4096).close(), "the service container's own check of " + serviceMarkFile);
        System.out.println("keeping " + serviceMarkFile.getName() + ": " + serviceRefused);
        assertTrue(serviceRefused.getMessage().contains(serviceMarkFile.getName()), serviceRefused.toString());

        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < i; j++)
            {
                assertTrue(!stale.get(j).exists() || stale.get(j).delete(), "delete " + stale.get(j));
            }
            final RuntimeException refused = assertThrows(RuntimeException.class, () -> ClusterNode.launch(
                context(nodeDir, basePort).deleteStaleMarkFiles(false)), "launch keeping " + stale.get(i));
            System.out.println("keeping " + stale.get(i).getName() + ", " +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAtNs) + " ms after the kill: " + refused);
            assertTrue(String.valueOf(refused.getMessage()).contains(stale.get(i).getName()), refused.toString());
        }
        assertTrue(serviceMarkFile.exists(), "the refused launches left " + serviceMarkFile);

        final long launchedAtNs = System.nanoTime();
        node = launch(nodeDir, basePort);
        TestCluster.await("restarted node to lead (seed " + seed + ")", 10_000,
            () -> Cluster.Role.LEADER == node.role());
        final long restartMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launchedAtNs);
        System.out.println("restarted and leading " + restartMs + " ms after launch, " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAtNs) + " ms after the kill");
        assertTrue(restartMs < 5_000, "restart took " + restartMs + " ms");
        assertEquals(0, node.errorCount());
    }

    private long startChild(final File nodeDir, final int basePort) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String flag : System.getProperty("axiom.jvm.flags", "").split("\\s+"))
        {
            if (!flag.isEmpty())
            {
                command.add(flag);
            }
        }
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(NodeProcess.class.getName());
        command.add(nodeDir.getPath());
        command.add(Integer.toString(basePort));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();

        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = in.readLine()))
                {
                    lines.add(line);
                }
            }
            catch (final Exception ignore)
            {
                // the child was killed
            }
        }, "node-process-output");
        reader.setDaemon(true);
        reader.start();

        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        final StringBuilder output = new StringBuilder();
        while (System.nanoTime() - deadlineNs < 0)
        {
            final String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (null != line)
            {
                output.append(line).append('\n');
                if (line.startsWith("LEADER "))
                {
                    final long pid = Long.parseLong(line.substring("LEADER ".length()).trim());
                    assertEquals(process.pid(), pid);
                    return pid;
                }
            }
            else if (!process.isAlive() && lines.isEmpty())
            {
                break;
            }
        }
        fail("child node did not lead within 30 s (seed " + seed + "):\n" + output);
        return -1;
    }

    private static ClusterNode launch(final File nodeDir, final int basePort)
    {
        return ClusterNode.launch(context(nodeDir, basePort));
    }

    private static ClusterNode.Context context(final File nodeDir, final int basePort)
    {
        return new ClusterNode.Context()
            .memberId(0)
            .members(ClusterMembers.local(1, basePort))
            .nodeDir(nodeDir)
            .clusteredService(new SumService());
    }
}
