package io.axiom.cluster.node;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.aeron.cluster.ClusterTool;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.service.Cluster;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterNodeTest
{
    private static final int NODES = 3;
    private static final int FIRST_BATCH = 200;
    private static final int SECOND_BATCH = 100;

    @TempDir
    Path tempDir;

    private final long seed = System.nanoTime();
    private final Random random = new Random(seed);
    private final ClusterNode[] nodes = new ClusterNode[NODES];
    private final SumService[] services = new SumService[NODES];
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
    private int basePort;
    private ClusterMembers members;
    private MediaDriver clientDriver;
    private AeronCluster client;
    private long echoed;
    private long echoedSum;

    @BeforeEach
    void setUp()
    {
        basePort = TestCluster.freeBasePort(random, NODES);
        members = ClusterMembers.local(NODES, basePort);
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(client, clientDriver);
        CloseHelper.closeAll(nodes);
    }

    @Test
    void replicatesSnapshotsFailsOverAndCatchesUp()
    {
        for (int i = 0; i < NODES; i++)
        {
            launch(i);
        }
        final int firstLeader = awaitLeader(-1);
        connectClient();

        long expectedSum = 0;
        for (int i = 0; i < FIRST_BATCH; i++)
        {
            final long value = random.nextInt(1_000_000);
            expectedSum += value;
            send(value);
        }
        awaitEchoes(FIRST_BATCH, expectedSum);

        final List<ClusterStatus> statuses = new ArrayList<>();
        for (final ClusterNode node : nodes)
        {
            statuses.add(ClusterStatus.read(node));
        }
        final long leaders = statuses.stream().filter((s) -> Cluster.Role.LEADER == s.role()).count();
        assertEquals(1, leaders, context(statuses.toString()));
        for (final ClusterStatus status : statuses)
        {
            assertEquals(statuses.get(0).leadershipTermId(), status.leadershipTermId(), context(statuses.toString()));
            assertEquals(firstLeader, status.leaderMemberId(), context(statuses.toString()));
            assertTrue(status.commitPosition() > 0, context(status.toString()));
        }
        System.out.println(statuses);
        final ClusterStatus leaderStatus = statuses.get(firstLeader);
        assertTrue(leaderStatus.isLeader(), context(leaderStatus.toString()));
        assertEquals(NODES, leaderStatus.members().size(), context(leaderStatus.toString()));

        final ByteArrayOutputStream described = new ByteArrayOutputStream();
        ClusterTool.describe(new PrintStream(described, true, StandardCharsets.UTF_8), nodes[firstLeader].clusterDir());
        final String text = described.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("CONSENSUS_MODULE") && text.contains("memberId=" + firstLeader), context(text));

        final ClusterControl.Outcome snapshot = ClusterControl.snapshot(nodes[firstLeader]);
        assertTrue(snapshot.succeeded(), context(snapshot.message()));
        final int follower = (firstLeader + 1) % NODES;
        TestCluster.await(context("follower's snapshot"), 10_000,
            () -> ClusterStatus.read(nodes[follower].clusterDir(), 1_000).snapshotCount() >= 1);

        nodes[firstLeader].close();
        final ClusterStatus closed = ClusterStatus.read(nodes[firstLeader].clusterDir(), 1_000);
        assertEquals(null, closed.role(), context(closed.toString()));
        assertEquals(firstLeader, closed.memberId(), context(closed.toString()));
        final int secondLeader = awaitLeader(firstLeader);
        TestCluster.await(context("client to follow leader " + secondLeader), 10_000, () ->
        {
            client.pollEgress();
            return client.leaderMemberId() == secondLeader;
        });

        for (int i = 0; i < SECOND_BATCH; i++)
        {
            final long value = random.nextInt(1_000_000);
            expectedSum += value;
            send(value);
        }
        awaitEchoes(FIRST_BATCH + SECOND_BATCH, expectedSum);
        final long finalSum = expectedSum;
        for (int i = 0; i < NODES; i++)
        {
            if (i != firstLeader)
            {
                final SumService service = services[i];
                TestCluster.await(context("service " + i + " to apply everything"), 10_000,
                    () -> service.sum() == finalSum);
            }
        }

        launch(firstLeader);
        TestCluster.await(context("restarted node " + firstLeader + " to catch up"), 20_000,
            () -> services[firstLeader].sum() == finalSum &&
                services[firstLeader].count() == FIRST_BATCH + SECOND_BATCH);
        assertTrue(services[firstLeader].loadedSnapshot(), context("restarted node did not load the snapshot"));
        assertEquals(Cluster.Role.FOLLOWER, nodes[firstLeader].role(), context("restarted node's role"));
        for (final ClusterNode node : nodes)
        {
            assertEquals(0, node.errorCount(), context("errors on " + node));
        }
    }

    @Test
    void secondLaunchOnALockedNodeDirectoryFailsClearly()
    {
        final ClusterMembers single = ClusterMembers.local(1, basePort);
        final File nodeDir = tempDir.resolve("node-0").toFile();
        nodes[0] = ClusterNode.launch(new ClusterNode.Context()
            .memberId(0).members(single).nodeDir(nodeDir).clusteredService(new SumService()));

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> ClusterNode.launch(
            new ClusterNode.Context().memberId(0).members(single).nodeDir(nodeDir).clusteredService(new SumService())));
        final String lockFile = new File(nodeDir, ClusterNode.LOCK_FILE).getAbsolutePath();
        assertTrue(ex.getMessage().contains(lockFile), ex.getMessage());
        assertTrue(ex.getMessage().contains("pid " + ProcessHandle.current().pid()), ex.getMessage());

        TestCluster.await("single node to lead", 10_000, () -> Cluster.Role.LEADER == nodes[0].role());
    }

    @Test
    void contextRefusesWhatCannotRun()
    {
        final File nodeDir = tempDir.resolve("node-x").toFile();
        final IllegalArgumentException notListed = assertThrows(IllegalArgumentException.class, () ->
            new ClusterNode.Context().memberId(3).members(members).nodeDir(nodeDir).clusteredService(new SumService())
                .conclude());
        assertTrue(notListed.getMessage().contains("member id 3 is not in the members"), notListed.getMessage());

        final IllegalArgumentException noService = assertThrows(IllegalArgumentException.class, () ->
            new ClusterNode.Context().memberId(0).members(members).nodeDir(nodeDir).conclude());
        assertTrue(noService.getMessage().contains("no clustered service"), noService.getMessage());

        final IllegalArgumentException badTerm = assertThrows(IllegalArgumentException.class, () ->
            new ClusterNode.Context().memberId(0).members(members).nodeDir(nodeDir).clusteredService(new SumService())
                .termLength(3 * 1024 * 1024).conclude());
        assertTrue(badTerm.getMessage().contains("not a power of two"), badTerm.getMessage());
    }

    private void launch(final int memberId)
    {
        services[memberId] = new SumService();
        nodes[memberId] = ClusterNode.launch(new ClusterNode.Context()
            .memberId(memberId)
            .members(members)
            .nodeDir(tempDir.resolve("node-" + memberId).toFile())
            .clusteredService(services[memberId]));
    }

    private int awaitLeader(final int excluded)
    {
        final int[] leader = { -1 };
        TestCluster.await(context("a leader other than " + excluded), 15_000, () ->
        {
            for (int i = 0; i < NODES; i++)
            {
                if (i != excluded && Cluster.Role.LEADER == nodes[i].role())
                {
                    leader[0] = i;
                    return true;
                }
            }
            return false;
        });
        assertNotEquals(excluded, leader[0]);
        return leader[0];
    }

    private void connectClient()
    {
        final File shm = new File("/dev/shm");
        final File dir = shm.isDirectory() ?
            new File(shm, "axiom-test-client-" + ProcessHandle.current().pid() + "-" + Long.toHexString(seed)) :
            tempDir.resolve("client-aeron").toFile();
        clientDriver = TestCluster.clientDriver(dir);
        client = AeronCluster.connect(new AeronCluster.Context()
            .aeronDirectoryName(dir.getPath())
            .ingressChannel(ClusterNode.INGRESS_CHANNEL)
            .ingressEndpoints(members.ingressEndpoints())
            .egressChannel("aeron:udp?endpoint=localhost:0")
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(10))
            .egressListener(new EgressListener()
            {
                @Override
                public void onMessage(
                    final long clusterSessionId,
                    final long timestamp,
                    final DirectBuffer buffer,
                    final int offset,
                    final int length,
                    final Header header)
                {
                    echoed++;
                    echoedSum += buffer.getLong(offset);
                }
            }));
    }

    private void send(final long value)
    {
        message.putLong(0, value);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.offer(message, 0, 8) < 0)
        {
            client.pollEgress();
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError(context("offer refused for 10 s"));
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
        client.pollEgress();
    }

    private void awaitEchoes(final long count, final long sum)
    {
        TestCluster.await(context(count + " echoes"), 10_000, () ->
        {
            client.pollEgress();
            return echoed >= count;
        });
        assertEquals(count, echoed, context("echo count"));
        assertEquals(sum, echoedSum, context("echo sum"));
    }

    private String context(final String what)
    {
        return what + " (seed " + seed + ", members " + members + ")";
    }
}
