package io.axiom.cluster.service;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.aeron.cluster.service.Cluster;
import io.axiom.cluster.node.ClusterControl;
import io.axiom.cluster.node.ClusterMembers;
import io.axiom.cluster.node.ClusterNode;
import io.axiom.cluster.node.TestCluster;
import io.axiom.core.EngineClient;
import io.axiom.core.EngineContext;
import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.VerificationReport;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three replicated engines in one JVM on loopback: writes sent through any node are acknowledged once committed and
 * applied there, every node writes the same journal, and the log's ticks fire timers on every node alike.
 */
class ReplicatedEngineTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<ReplicatedEngine> nodes = new ArrayList<>();

    @AfterEach
    void closeAll()
    {
        for (final ReplicatedEngine node : nodes)
        {
            if (!node.engine().isClosed())
            {
                CloseHelper.quietClose(node);
                node.engine().close();
            }
        }
    }

    private ReplicatedEngine launch(final ClusterMembers members, final int memberId)
    {
        final File nodeDir = dir.resolve("node-" + memberId).toFile();
        final Path dataDir = dir.resolve("data-" + memberId);
        final ReplicatedEngine node = ReplicatedEngine.launch(new ClusterNode.Context()
                .memberId(memberId)
                .members(members)
                .nodeDir(nodeDir),
            hosted -> new EngineContext().dataDir(dataDir), 10, TIMEOUT);
        nodes.add(node);
        return node;
    }

    @Test
    void writesThroughEveryNodeAreAppliedOnEveryNodeAlike() throws Exception
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final ClusterMembers members = ClusterMembers.local(3, TestCluster.freeBasePort(random, 3));
        for (int i = 0; i < 3; i++)
        {
            launch(members, i);
        }
        TestCluster.await("every node connected to a leader", TIMEOUT.toMillis(),
            () -> nodes.stream().allMatch(ReplicatedEngine::connected));
        TestCluster.await("one leader", TIMEOUT.toMillis(),
            () -> nodes.stream().filter(n -> n.role() == Cluster.Role.LEADER).count() == 1);

        final int workflows = 30;
        for (int i = 0; i < workflows; i++)
        {
            final EngineClient client = nodes.get(i % 3).engine().client();
            final EngineReply reply = client.create(new CreateWorkflow("order-" + i,
                List.of(StepSpec.timer("cool-off", 30), StepSpec.approval("approve")), "{}".getBytes(),
                "key-" + i), TIMEOUT);
            final EngineReply.Workflow created = assertInstanceOf(EngineReply.Workflow.class, reply,
                "seed " + seed + ": " + reply);
            assertEquals(Status.CREATED, created.status());
            assertEquals(i + 1, created.workflow().id(), "ids are assigned in log order");
        }
        // A repeated key through another node is the same workflow, nothing written.
        final EngineReply again = nodes.get(2).engine().client().create(new CreateWorkflow("order-0",
            List.of(StepSpec.timer("cool-off", 30), StepSpec.approval("approve")), "{}".getBytes(), "key-0"),
            TIMEOUT);
        assertEquals(Status.EXISTING, assertInstanceOf(EngineReply.Workflow.class, again).status());

        // The timer step fires on the log's tick on every node: each workflow waits for its approval everywhere.
        for (final ReplicatedEngine node : nodes)
        {
            TestCluster.await("timers fired on member " + node.node().memberId(), TIMEOUT.toMillis(), () ->
            {
                for (int id = 1; id <= workflows; id++)
                {
                    final EngineReply got = node.engine().client().get(id, TIMEOUT);
                    if (!(got instanceof EngineReply.Workflow w) || w.workflow().currentStep() != 1)
                    {
                        return false;
                    }
                }
                return true;
            });
        }
        for (int id = 1; id <= workflows; id++)
        {
            final EngineReply advanced = nodes.get(id % 3).engine().client()
                .advance(id, "approve", null, TIMEOUT);
            assertEquals("COMPLETED", assertInstanceOf(EngineReply.Workflow.class, advanced,
                "seed " + seed + ": " + advanced).workflow().state());
        }

        TestCluster.await("every node at the same journal position", TIMEOUT.toMillis(), () ->
            nodes.stream().mapToLong(n -> n.engine().journalPosition()).distinct().count() == 1);
        long digest = 0;
        for (final ReplicatedEngine node : nodes)
        {
            final EngineReply verified = node.engine().verifier().verify(TIMEOUT);
            final VerificationReport report = assertInstanceOf(EngineReply.Verification.class, verified).report();
            assertTrue(report.ok() && Boolean.TRUE.equals(report.consistent()),
                "member " + node.node().memberId() + ": " + report);
            if (0 == digest)
            {
                digest = report.digest();
            }
            assertEquals(digest, report.digest(), "member " + node.node().memberId() + " has another state");
        }
        final List<byte[]> journals = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            journals.add(Files.readAllBytes(firstSegment(dir.resolve("data-" + i))));
        }
        for (int i = 1; i < 3; i++)
        {
            assertTrue(java.util.Arrays.equals(journals.get(0), journals.get(i)),
                "member " + i + "'s journal differs from member 0's");
        }
    }

    @Test
    void aRestartedMemberCatchesUpFromItsSnapshotAndAWipedOneFromTheLog() throws Exception
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final ClusterMembers members = ClusterMembers.local(3, TestCluster.freeBasePort(random, 3));
        for (int i = 0; i < 3; i++)
        {
            launch(members, i);
        }
        TestCluster.await("every node connected to a leader", TIMEOUT.toMillis(),
            () -> nodes.stream().allMatch(ReplicatedEngine::connected));
        int created = createThrough(random, 0, 20, seed);

        final ReplicatedEngine leader = nodes.stream().filter(n -> n.role() == Cluster.Role.LEADER).findFirst()
            .orElseThrow();
        final ClusterControl.Outcome snapshot = ClusterControl.snapshot(leader.node());
        assertTrue(snapshot.succeeded(), "seed " + seed + ": " + snapshot.message());
        created = createThrough(random, created, 20, seed);

        // A follower stops, misses writes, and starts again from its snapshot plus the log after it.
        final int restarted = (leader.node().memberId() + 1) % 3;
        stop(restarted);
        created = createThrough(random, created, 20, seed);
        launchAt(members, restarted);
        awaitSameJournal(seed);

        // A follower whose directories are wiped rejoins from the whole log.
        final int wiped = (leader.node().memberId() + 2) % 3;
        stop(wiped);
        deleteTree(dir.resolve("node-" + wiped));
        deleteTree(dir.resolve("data-" + wiped));
        created = createThrough(random, created, 10, seed);
        launchAt(members, wiped);
        awaitSameJournal(seed);
        assertSameStateEverywhere(seed);
        assertEquals(70, created);
    }

    @Test
    void writesDrainedTogetherTravelAsOneMessageOfTheLogAndEachIsAnsweredOnce() throws Exception
    {
        final long seed = System.nanoTime();
        final ClusterMembers members = ClusterMembers.local(3, TestCluster.freeBasePort(new Random(seed), 3));
        for (int i = 0; i < 3; i++)
        {
            launch(members, i);
        }
        TestCluster.await("every node connected to a leader", TIMEOUT.toMillis(),
            () -> nodes.stream().allMatch(ReplicatedEngine::connected));
        final ReplicatedEngine through = nodes.get(0);
        final int threads = 8;
        final int each = 40;
        final java.util.concurrent.ConcurrentHashMap<Long, String> ids = new java.util.concurrent.ConcurrentHashMap<>();
        final List<Thread> clients = new ArrayList<>();
        final java.util.concurrent.atomic.AtomicReference<String> wrong =
            new java.util.concurrent.atomic.AtomicReference<>();
        for (int t = 0; t < threads; t++)
        {
            final int thread = t;
            clients.add(Thread.ofVirtual().start(() ->
            {
                for (int i = 0; i < each; i++)
                {
                    final String key = "t" + thread + "-" + i;
                    final EngineReply reply = through.engine().client().create(new CreateWorkflow(key,
                        List.of(StepSpec.approval("ok")), "{}".getBytes(), key), TIMEOUT);
                    if (!(reply instanceof EngineReply.Workflow w) || w.status() != Status.CREATED ||
                        null != ids.put(w.workflow().id(), key) || !key.equals(w.workflow().idempotencyKey()))
                    {
                        wrong.compareAndSet(null, key + " answered " + reply);
                    }
                }
            }));
        }
        for (final Thread client : clients)
        {
            client.join();
        }
        assertEquals(null, wrong.get(), "seed " + seed);
        assertEquals(threads * each, ids.size(), "each write answered once, with its own workflow");
        assertTrue(through.logMessagesSent() < through.writesForwarded(), "writes drained together share a " +
            "message: " + through.logMessagesSent() + " messages for " + through.writesForwarded() + " writes");
        awaitSameJournal(seed);
        assertSameStateEverywhere(seed);
    }

    @Test
    void aMemberWithoutALeaderAnswersReadsAndRefusesWritesAtOnce()
    {
        final ClusterMembers members = ClusterMembers.local(3, TestCluster.freeBasePort(new Random(), 3));
        final ReplicatedEngine alone = launch(members, 0);
        final long startNs = System.nanoTime();
        final EngineReply read = alone.engine().client().get(1, TIMEOUT);
        assertEquals("NOT_FOUND", assertInstanceOf(EngineReply.Problem.class, read).code(),
            "a read is answered from the member's own state, leader or not");
        final EngineReply write = alone.engine().client().create(new CreateWorkflow("w", List.of(
            StepSpec.approval("ok")), "{}".getBytes(), "k"), TIMEOUT);
        assertEquals("NO_LEADER", assertInstanceOf(EngineReply.Problem.class, write).code());
        assertTrue(System.nanoTime() - startNs < TIMEOUT.toNanos() / 2, "answered at once, not after a timeout");
        assertEquals(0, alone.engine().eventCount());
    }

    private int createThrough(final Random random, final int from, final int count, final long seed)
    {
        for (int i = from; i < from + count; i++)
        {
            final ReplicatedEngine node = running().get(random.nextInt(running().size()));
            final EngineReply reply = node.engine().client().create(new CreateWorkflow("order-" + i,
                List.of(StepSpec.timer("cool-off", 20), StepSpec.approval("approve")), "{}".getBytes(),
                "key-" + i), TIMEOUT);
            assertEquals(Status.CREATED, assertInstanceOf(EngineReply.Workflow.class, reply,
                "seed " + seed + ": " + reply).status());
        }
        return from + count;
    }

    private List<ReplicatedEngine> running()
    {
        return nodes.stream().filter(n -> !n.engine().isClosed()).toList();
    }

    private void stop(final int memberId)
    {
        final ReplicatedEngine node = nodes.stream().filter(n -> n.node().memberId() == memberId &&
            !n.engine().isClosed()).findFirst().orElseThrow();
        node.close();
        node.engine().close();
    }

    private void launchAt(final ClusterMembers members, final int memberId)
    {
        launch(members, memberId);
    }

    private void awaitSameJournal(final long seed)
    {
        TestCluster.await("seed " + seed + ": every running node at the same journal position",
            TIMEOUT.toMillis(), () ->
            {
                final List<ReplicatedEngine> running = running();
                return running.size() == 3 &&
                    running.stream().mapToLong(n -> n.engine().journalPosition()).distinct().count() == 1;
            });
    }

    private void assertSameStateEverywhere(final long seed)
    {
        long digest = 0;
        for (final ReplicatedEngine node : running())
        {
            final EngineReply verified = node.engine().verifier().verify(TIMEOUT);
            final VerificationReport report = assertInstanceOf(EngineReply.Verification.class, verified).report();
            assertTrue(report.ok() && Boolean.TRUE.equals(report.consistent()),
                "seed " + seed + ", member " + node.node().memberId() + ": " + report);
            if (0 == digest)
            {
                digest = report.digest();
            }
            assertEquals(digest, report.digest(), "seed " + seed + ": member " + node.node().memberId() +
                " has another state");
        }
    }

    private static void deleteTree(final Path root) throws java.io.IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (var paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }

    private static Path firstSegment(final Path dataDir) throws java.io.IOException
    {
        try (var files = Files.list(dataDir))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".wal")).sorted().findFirst().orElseThrow();
        }
    }
}
